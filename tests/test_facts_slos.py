"""The SLO facts of consider/facts/slos.py: availability, error budget, planned downtime."""

from __future__ import annotations

import pytest
from conftest import H, M, fact_of, spec_of


def test_availability_skips_non_critical_hops_and_lists_unknown_ones() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: availability}
        outputs:
          out:
            request_path:
              - {dep: service:a}
              - {dep: service:b, critical: false}
              - parallel: [{dep: service:c}, {dep: store:d}]
        slos:
          s: {applies_to: output:out, availability: "99%"}
        services:
          a: {availability: "99.9%"}
          b: {availability: "50%"}
          c: {availability: "99.5%", critical: false}
        stores:
          d: {}
    """)
    found = fact_of(spec, "outputs", "out", "availability")
    assert [d["ref"] for d in found["dependencies"]] == ["service:a", "store:d"]
    assert found["composite"] == 0.999 and found["unknown"] == ["store:d"]
    assert found["fallback_note"] == "no fallback covers any of them"


@pytest.mark.parametrize(
    ("window", "availability", "downtime", "total", "budget"),
    [
        ("30d", "99.95%", [("1w", "5m")], 5 * 5 * M, 21 * M + 36),  # ceil(30/7) = 5 deploys
        ("30d", "99.9%", [("30d", "15m"), ("90d", "1h")], 15 * M + 1 * H, 43 * M + 12),
    ],
)
def test_planned_downtime_against_the_error_budget(
    window: str, availability: str, downtime: list[tuple[str, str]], total: float, budget: float
) -> None:
    entries = ", ".join(f"{{every: {e}, duration: {d}}}" for e, d in downtime)
    spec = spec_of(f"""
        consider: 1
        product: {{name: downtime}}
        outputs: {{out: {{}}}}
        slos:
          s: {{applies_to: output:out, window: {window}, availability: "{availability}",
               planned_downtime: [{entries}]}}
    """)
    found = fact_of(spec, "slos", "s", "planned_downtime")
    assert found["total"] == total
    assert found["budget"] == pytest.approx(budget, abs=1e-6)
    assert found["window_assumed"] is False


def test_error_budget_of_the_anchor_figure() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: budget}
        outputs: {out: {}}
        slos:
          s: {applies_to: output:out, window: 30d, availability: "99.95%"}
    """)
    assert fact_of(spec, "slos", "s", "error_budget")["seconds"] == 21 * M + 36  # 21.6 min
