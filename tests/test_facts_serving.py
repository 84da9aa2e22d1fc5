"""The facts of consider/facts/serving.py, over small specs built in memory."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SERVING, fact_of, spec_of, valid_analysis

from consider.facts import serving as facts


def test_tightest_promises_name_the_slo_that_sets_them() -> None:
    spec = valid_analysis(SERVING)
    assert dict(facts.output_tightest_freshness(spec)) == {
        "rows": {"max_staleness": 3600.0, "slo": "rows-fresh"},
        "digest": {"max_staleness": 9 * 86400.0, "slo": "digest-fresh"},
        "weekly": {"max_staleness": 86400.0, "slo": "weekly-scoped"},
    }
    assert dict(facts.output_tightest_p99(spec)) == {
        "rows": {"p99": pytest.approx(0.15), "slo": "rows-fast"},
    }


def test_request_path_deps_flattens_parallel_branches_once_each() -> None:
    spec = valid_analysis(SERVING)
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
    spec = valid_analysis(SERVING)
    assert dict(facts.output_fanout_slow_share(spec)) == {"rows": 0.096}
    hundred = valid_analysis(
        "consider: 1\nproduct: {name: x}\noutputs:\n  o: {fanout: {count: 100}}\n"
    )
    assert dict(facts.output_fanout_slow_share(hundred)) == {"o": 0.634}


def test_offline_inputs_reads_path_and_online_dependencies() -> None:
    spec = valid_analysis(SERVING)
    assert dict(facts.output_offline_inputs(spec)) == {
        # batch-table on the path; affinity through the ranker's features; clicks and orders
        # have online stores, on-demand is computed per request
        "rows": ["dataset:batch-table", "feature:affinity"],
        "digest": [],  # precomputed: nothing is read while serving
        "weekly": [],  # hybrid: only its request path counts
        "bare": [],
    }


def test_new_entity_inputs_reaches_two_hops() -> None:
    spec = valid_analysis(SERVING)
    assert dict(facts.output_new_entity_inputs(spec)) == {
        # training: the ranker trains on it, and affinity (a ranker feature) is built on it
        "rows": ["dataset:training"],
        "digest": ["dataset:training", "dataset:users"],
        "weekly": [],
        "bare": [],
    }


def test_cold_start_wait_is_the_longest_known_wait() -> None:
    spec = valid_analysis(SERVING)
    day = 86400.0
    assert dict(facts.output_cold_start_wait(spec)) == {
        "rows": {
            "wait": 14 * day,
            "via": "model:ranker",
            "retrain": 14 * day,
            "work": 0.0,
            "run": 0.0,
        },
        # a 2w retrain, then the next daily run: the new entity waits for one after the other
        "digest": {
            "wait": 15 * day,
            "via": "model:ranker",
            "retrain": 14 * day,
            "work": 0.0,
            "run": day,
        },
        # a weekly cron schedule: its longest gap; no model learns ids
        "weekly": {
            "wait": 7 * day,
            "via": "precompute",
            "retrain": 0.0,
            "work": 0.0,
            "run": 7 * day,
        },
    }


def test_called_by_covers_request_and_fallback_paths() -> None:
    spec = valid_analysis(SERVING)
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
    spec = valid_analysis(SERVING)
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
