"""The facts of consider/facts/serving.py, over small specs built in memory."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import fact_of, spec_of, valid_analysis

from consider.facts import serving as facts

SPEC = """\
consider: 1
product: {name: x}
outputs:
  rows:
    mode: online
    request_path:
      - {dep: service:profile, p99: 20ms}
      - parallel:
          - {dep: store:features}
          - {dep: service:deals, critical: true}
          - {dep: service:spell, critical: false}
          - parallel: [{dep: dataset:batch-table}, {dep: service:geo}]
      - {dep: service:profile}
    fallback:
      covers: [service:geo]
      path: [{dep: store:popular}]
    fanout: {count: 10}
    depends_on: [model:ranker, feature:clicks, feature:on-demand, dataset:orders]
  digest:
    mode: precomputed
    precompute: {schedule: 1d}
    depends_on: [model:ranker, dataset:users]
  weekly:
    mode: hybrid
    precompute: {schedule: {cron: "0 6 * * MON"}}
    depends_on: [feature:clicks, dataset:orders]
  bare: {}
slos:
  rows-serving:
    applies_to: output:rows
    availability: "99.9%"
    latency: {p99: 200ms}
    throughput: {peak: "1000/s", headroom: "50%"}
  rows-fast:
    applies_to: output:rows
    latency: {p99: 150ms}
    freshness: {max_staleness: 2h}
  rows-fresh:
    applies_to: output:rows
    freshness: {max_staleness: 1h, measured_from: event_time}
  digest-fresh:
    applies_to: output:digest
    freshness: {max_staleness: 9d, includes: [data, model]}
  weekly-scoped:
    applies_to: output:weekly
    availability: "99%"
    freshness: {max_staleness: 1d, scope: [dataset:orders]}
models:
  ranker:
    trained_on: [dataset:training]
    features: [feature:affinity]
    uses_entity_id_features: true
    retrain: {cadence: 2w}
datasets:
  orders:
    derived_from: [source:orders-db]
    online_store: store:features
  users:
    derived_from: [source:signups]
    new_entities: "3000/d"
  training:
    derived_from: [source:clicks-log]
    new_entities: true
  batch-table: {new_entities: false}
features:
  clicks:
    source: source:clicks-log
    online_store: store:features
  affinity:
    source: dataset:training
  on-demand:
    compute: on_demand
sources:
  orders-db: {event_time_field: ordered_at}
  signups: {}
  clicks-log: {event_time_field: ts}
services:
  profile: {kind: internal, capacity: "2000/s"}
  deals: {kind: third_party_api, availability: "99.5%", capacity: "1200/s"}
  geo: {kind: third_party_api, capacity: "900/s"}
  idle: {kind: third_party_api, availability: "99%"}
  spell: {kind: internal, capacity: "10/s"}
stores:
  features: {kind: key_value}
  popular: {kind: key_value}
  unused: {kind: warehouse}
"""


def test_tightest_promises_name_the_slo_that_sets_them() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.output_tightest_freshness(spec)) == {
        "rows": {"max_staleness": 3600.0, "slo": "rows-fresh"},
        "digest": {"max_staleness": 9 * 86400.0, "slo": "digest-fresh"},
        "weekly": {"max_staleness": 86400.0, "slo": "weekly-scoped"},
    }
    assert dict(facts.output_tightest_p99(spec)) == {
        "rows": {"p99": pytest.approx(0.15), "slo": "rows-fast"},
    }


def test_request_path_deps_flattens_parallel_branches_once_each() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.output_request_path_deps(spec)) == {
        "rows": [
            "service:profile",
            "store:features",
            "service:deals",
            "service:spell",
            "dataset:batch-table",
            "service:geo",
        ],
        "digest": [],
        "weekly": [],
        "bare": [],
    }


def test_fanout_slow_share_is_one_minus_099_to_the_n() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.output_fanout_slow_share(spec)) == {"rows": 0.096}
    hundred = valid_analysis(
        "consider: 1\nproduct: {name: x}\noutputs:\n  o: {fanout: {count: 100}}\n"
    )
    assert dict(facts.output_fanout_slow_share(hundred)) == {"o": 0.634}


def test_offline_inputs_reads_path_and_online_dependencies() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.output_offline_inputs(spec)) == {
        # batch-table on the path; affinity through the ranker's features; clicks and orders
        # have online stores, on-demand is computed per request
        "rows": ["dataset:batch-table", "feature:affinity"],
        "digest": [],  # precomputed: nothing is read while serving
        "weekly": [],  # hybrid: only its request path counts
        "bare": [],
    }


def test_new_entity_inputs_reaches_two_hops() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.output_new_entity_inputs(spec)) == {
        # training: the ranker trains on it, and affinity (a ranker feature) is built on it
        "rows": ["dataset:training"],
        "digest": ["dataset:training", "dataset:users"],
        "weekly": [],
        "bare": [],
    }


def test_cold_start_wait_is_the_longest_known_wait() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.output_cold_start_wait(spec)) == {
        "rows": {"wait": 14 * 86400.0, "via": "model:ranker"},
        # a 1d schedule and a 2w retrain: the new entity waits for both
        "digest": {"wait": 14 * 86400.0, "via": "model:ranker"},
        # a cron schedule has no single period; no model learns ids
    }


def test_sibling_slos_are_the_other_slos_of_the_output() -> None:
    spec = valid_analysis(SPEC)
    siblings = {k: [s["_id"] for s in v] for k, v in facts.slo_siblings(spec).items()}
    assert siblings == {
        "rows-serving": ["rows-fast", "rows-fresh"],
        "rows-fast": ["rows-fresh", "rows-serving"],
        "rows-fresh": ["rows-fast", "rows-serving"],
        "digest-fresh": [],
        "weekly-scoped": [],
    }


def test_first_of_output_is_the_first_slo_in_id_order() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.slo_first_of_output(spec)) == {
        "rows-serving": False,
        "rows-fast": True,
        "rows-fresh": False,
        "digest-fresh": True,
        "weekly-scoped": True,
    }


def test_third_party_on_path_and_below_slo() -> None:
    spec = valid_analysis(SPEC)
    on_path = dict(facts.slo_third_party_on_path(spec))
    assert on_path["rows-serving"] == [
        {"dep": "service:deals", "critical": True, "covered": False, "availability": 0.995},
        {"dep": "service:geo", "critical": True, "covered": True},
    ]
    assert on_path["digest-fresh"] == []
    below = dict(facts.slo_third_party_below(spec))
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
    assert dict(facts.slo_third_party_below(spec)) == {"s": []}


def test_capacity_shortfall_against_peak_and_headroom() -> None:
    spec = valid_analysis(SPEC)
    shortfall = dict(facts.slo_capacity_shortfall(spec))
    # needed: 1000/s x 1.5 = 1500/s; profile (2000/s) fits; spell is not critical
    assert shortfall["rows-serving"] == [
        {"dep": "service:deals", "capacity": 1200.0, "needed": 1500.0, "below_peak": False},
        {"dep": "service:geo", "capacity": 900.0, "needed": 1500.0, "below_peak": True},
    ]
    assert shortfall["rows-fast"] == []  # no stated peak


def test_inputs_without_event_time_follow_scope_and_includes() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.slo_inputs_without_event_time(spec)) == {
        "rows-serving": [],  # no freshness promise
        # rows: orders-db and clicks-log name theirs; batch-table is not upstream data
        "rows-fast": [],
        "rows-fresh": [],
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
    assert dict(facts.slo_inputs_without_event_time(roots)) == {
        "data-only": ["dataset:root", "source:stream"],
    }


def test_called_by_covers_request_and_fallback_paths() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.service_called_by(spec)) == {
        "profile": ["output:rows"],
        "deals": ["output:rows"],
        "geo": ["output:rows"],
        "idle": [],
        "spell": ["output:rows"],
    }
    assert dict(facts.store_called_by(spec)) == {
        "features": ["output:rows"],
        "popular": ["output:rows"],
        "unused": [],
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
    assert dict(facts.slo_inputs_without_event_time(spec)) == {
        "fresh": [f"source:s{i:02d}" for i in range(facts.SHOWN)],
    }


@pytest.mark.parametrize("value", ["no", "No", "false", "none", " ", False])
def test_new_entities_that_say_no_are_not_new_entities(value: Any) -> None:
    spec = valid_analysis(
        "consider: 1\nproduct: {name: x}\n"
        "outputs:\n  o: {depends_on: [dataset:d, dataset:yes]}\n"
        f"datasets:\n  d: {{new_entities: {value!r}}}\n  yes: {{new_entities: 'about 2K a day'}}\n"
    )
    assert dict(facts.output_new_entity_inputs(spec)) == {"o": ["dataset:yes"]}
    # the models pack's figure reads the same helper
    from consider.facts import models

    assert models.declares_new_entities(value) is False


def test_shared_helpers_are_defined_once() -> None:
    from consider import fields
    from consider.facts import collection, models, slos, staleness

    for module in (collection, staleness, slos, models, facts):
        for name in ("_number", "_slo_output", "_refs_in", "_hops", "_flat", "_new_entities"):
            assert not hasattr(module, name), f"{module.__name__}.{name}"
    assert facts.number is fields.number and slos.number is fields.number


def test_one_fan_out_figure() -> None:
    spec = valid_analysis(SPEC)
    assert "fanout_slow_share" not in facts.output_latency(spec)["rows"]
    assert dict(facts.output_fanout_slow_share(spec)) == {"rows": 0.096}


def test_precompute_capacity_adds_every_output_writing_to_a_store() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: stores}
        outputs:
          a:
            precompute: {schedule: {cron: "0 6,12 * * 1-5"}, runtime: 6h, store: store:kv}
            cardinality: {entities: 1M, items_per_entity: 100, bytes_per_item: 100B}
          b:
            precompute: {schedule: 1d, store: store:kv}
            cardinality: {entities: 1M, items_per_entity: 50, bytes_per_item: 100B}
        stores:
          kv: {capacity: 20GB}
    """)
    a = fact_of(spec, "outputs", "a", "precompute")
    assert a["ratio"] == 1.0  # 6h of runtime against the 6h gap between 06:00 and noon
    assert a["needed"] == 1e10 and a["store_needed"] == 1.5e10
    assert a["capacity_ratio"] == 0.75
    assert fact_of(spec, "outputs", "b", "precompute")["runtime"] is None
