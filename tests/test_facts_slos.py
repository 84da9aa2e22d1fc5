"""The SLO facts of consider/facts/slos.py: availability, error budget, planned downtime,
and what an SLO covers (siblings, third parties, capacity, inputs without event time)."""

from __future__ import annotations

import pytest
from conftest import SERVING, H, M, fact_of, spec_of, valid_analysis

from consider.facts import slos


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


def test_sibling_slos_are_the_other_slos_of_the_output() -> None:
    spec = valid_analysis(SERVING)
    siblings = {k: [s["_id"] for s in v] for k, v in slos.slo_siblings(spec).items()}
    assert siblings == {
        "rows-serving": ["rows-fast", "rows-fresh"],
        "rows-fast": ["rows-fresh", "rows-serving"],
        "rows-fresh": ["rows-fast", "rows-serving"],
        "digest-fresh": [],
        "weekly-scoped": [],
    }


def test_first_of_output_is_the_first_slo_in_id_order() -> None:
    spec = valid_analysis(SERVING)
    assert dict(slos.slo_first_of_output(spec)) == {
        "rows-serving": False,
        "rows-fast": True,
        "rows-fresh": False,
        "digest-fresh": True,
        "weekly-scoped": True,
    }


def test_third_party_on_path_and_below_slo() -> None:
    spec = valid_analysis(SERVING)
    on_path = dict(slos.slo_third_party_on_path(spec))
    assert on_path["rows-serving"] == [
        {"dep": "service:deals", "critical": True, "covered": False, "availability": 0.995},
        {"dep": "service:geo", "critical": True, "covered": True},
    ]
    assert on_path["digest-fresh"] == []
    below = dict(slos.slo_third_party_below(spec))
    # deals promises less than 99.9%; geo promises nothing, which counts as below
    assert [e["dep"] for e in below["rows-serving"]] == ["service:deals", "service:geo"]
    assert below["rows-fast"] == []  # no availability target: nothing to compare


def test_third_party_below_slo_skips_non_critical_and_better_providers() -> None:
    spec = valid_analysis("""\
consider: 1
product: {name: x}
outputs:
  o:
    request_path:
      - {dep: service:soft, critical: false}
      - {dep: service:good}
      - {dep: service:flagged}
slos:
  s: {applies_to: output:o, availability: "99.9%"}
services:
  soft: {kind: third_party_api, availability: "99%"}
  good: {kind: third_party_api, availability: "99.99%"}
  flagged: {kind: third_party_api, availability: "99%", critical: false}
""")
    assert dict(slos.slo_third_party_below(spec)) == {"s": []}


def test_capacity_shortfall_against_peak_and_headroom() -> None:
    spec = valid_analysis(SERVING)
    shortfall = dict(slos.slo_capacity_shortfall(spec))
    # needed: 1000/s x 1.5 = 1500/s; profile (2000/s) fits; spell is not critical
    assert shortfall["rows-serving"] == [
        {"dep": "service:deals", "capacity": 1200.0, "needed": 1500.0, "below_peak": False},
        {"dep": "service:geo", "capacity": 900.0, "needed": 1500.0, "below_peak": True},
    ]
    assert shortfall["rows-fast"] == []  # no stated peak


def test_inputs_without_event_time_follow_scope_and_includes() -> None:
    spec = valid_analysis(SERVING)
    assert dict(slos.slo_inputs_without_event_time(spec)) == {
        "rows-serving": [],  # no freshness promise
        # rows: orders-db and clicks-log name theirs; batch-table, read on the request path,
        # is upstream data as the staleness walk sees it, and names none
        "rows-fast": ["dataset:batch-table"],
        "rows-fresh": ["dataset:batch-table"],
        # the model is included, so the ranker's training data counts; signups has none
        "digest-fresh": ["source:signups"],
        "weekly-scoped": [],  # scope: orders only
    }
    roots = valid_analysis("""\
consider: 1
product: {name: x}
outputs:
  o: {depends_on: [model:m, dataset:root]}
slos:
  data-only: {applies_to: output:o, freshness: {max_staleness: 1h}}
models:
  m: {trained_on: [source:raw], features: [feature:f]}
features:
  f: {source: source:stream}
datasets:
  root: {}
sources:
  raw: {}
  stream: {}
""")
    # data only: the model's training source is left out; a dataset derived from nothing is
    # a root of its own
    assert dict(slos.slo_inputs_without_event_time(roots)) == {
        "data-only": ["dataset:root", "source:stream"],
    }


def test_inputs_without_event_time_are_cut_at_the_first_few_in_id_order() -> None:
    sources = "".join(f"  s{i:02d}: {{}}\n" for i in range(12))
    inputs = ", ".join(f"source:s{i:02d}" for i in reversed(range(12)))
    spec = valid_analysis(f"""\
consider: 1
product: {{name: x}}
outputs:
  o: {{depends_on: [dataset:d]}}
slos:
  fresh: {{applies_to: output:o, freshness: {{max_staleness: 1h}}}}
datasets:
  d: {{derived_from: [{inputs}]}}
sources:
{sources}""")
    assert dict(slos.slo_inputs_without_event_time(spec)) == {
        "fresh": [f"source:s{i:02d}" for i in range(slos.SHOWN)],
    }


def test_inputs_without_event_time_are_found_through_a_cycle() -> None:
    """The inputs upstream are gathered over the strongly connected groups: a loop of
    datasets shares what flows into any of its members, and a loop closed only by training
    data is one when the model is included, and is cut when it is not."""
    spec = valid_analysis("""\
consider: 1
product: {name: x}
outputs:
  o: {depends_on: [dataset:a]}
  p: {depends_on: [model:m]}
slos:
  loop: {applies_to: output:o, freshness: {max_staleness: 1h}}
  with-model: {applies_to: output:p, freshness: {max_staleness: 1h, includes: [model]}}
  data-only: {applies_to: output:p, freshness: {max_staleness: 1h}}
datasets:
  a: {derived_from: [dataset:b, source:s1]}
  b: {derived_from: [dataset:a, source:s2]}
  logged: {derived_from: [model:m, source:s3]}
models:
  m: {trained_on: [dataset:logged], features: [feature:f]}
features:
  f: {source: source:s4}
sources:
  s1: {}
  s2: {}
  s3: {}
  s4: {}
""")
    assert dict(slos.slo_inputs_without_event_time(spec)) == {
        "loop": ["source:s1", "source:s2"],
        "with-model": ["source:s3", "source:s4"],
        "data-only": ["source:s4"],
    }
