"""The impact facts of consider/facts/impact.py (consider/lineage/reach.py)."""

from __future__ import annotations

from conftest import MODELS, fact_of, spec_of

from consider.lineage.reach import IMPACT_LIMIT


def test_impact_lists_are_capped_prefixes_in_plan_order() -> None:
    count = IMPACT_LIMIT + 5
    lines = ["consider: 1", "product: {name: impact}", "models:"]
    lines += [f"  m{i:02d}: {{trained_on: [dataset:d]}}" for i in range(count)]
    lines += ["datasets:", "  d: {derived_from: [source:s]}", "sources:", "  s: {method: stream}"]
    spec = spec_of("\n".join(lines))
    found = fact_of(spec, "sources", "s", "impact")
    assert found["truncated"] is True
    assert found["retrain"] == [f"model:m{i:02d}" for i in range(IMPACT_LIMIT)]
    small = fact_of(spec_of(MODELS), "sources", "events", "impact")
    assert small == {"retrain": ["model:ranker"], "outputs": ["output:ranked"], "truncated": False}
