"""Lineage facts, against figures computed by hand.

The examples' expectations are written as the arithmetic a reviewer would do on paper, so a
wrong figure shows which term is off.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from conftest import spec_of

from consider import facts
from consider.analysis import Analysis, Tables
from consider.cron import cron_gaps
from consider.engine import load_rules
from consider.errors import PackError
from consider.lineage.reach import IMPACT_LIMIT
from consider.lineage.staleness import PATH_LIMIT
from consider.loader import Limits, load
from consider.model import Spec, build
from consider.phrases import compile_phrases
from consider.schema import validate

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
H, M, D, W = 3600.0, 60.0, 86400.0, 604800.0
MS = 0.001


def example(name: str) -> Spec:
    document = load(EXAMPLES / name, display=name, limits=Limits())
    return build(document, validate(document))


def fact_of(spec: Spec, kind: str, ident: str, name: str, tables: Tables | None = None) -> Any:
    computed = facts.compute(Analysis(spec, tables), {kind})
    return computed.get((kind, ident), {}).get(name)


# -- the examples -------------------------------------------------------------------------------


def test_home_rows_staleness_is_the_daily_orders_chain() -> None:
    spec = example("home-recommender.yaml")
    found = fact_of(spec, "outputs", "home-rows", "staleness")
    orders_db = 1 * D + 2 * H  # nightly pull + 2h processing
    orders_daily = 1 * D + 1 * H  # daily batch + 1h processing
    affinity = 1 * D + 40 * M  # daily materialisation + 40m runtime
    assert found["worst"] == orders_db + orders_daily + affinity == 75 * H + 40 * M
    assert found["path"] == [
        "source:orders-db",
        "dataset:orders-daily",
        "feature:user-category-affinity",
        "output:home-rows",
    ]
    assert found["dominant"] == "source:orders-db"
    assert found["dominant_delay"] == orders_db
    assert found["dominant_label"] == "the daily pull of source:orders-db (1d + 2h processing)"
    assert found["batch_source"] == "source:orders-db" and found["batch_interval"] == D
    slo = fact_of(spec, "slos", "home-rows-freshness", "staleness")
    assert slo["worst"] == 75 * H + 40 * M and slo["max_staleness"] == 1 * H
    assert slo["ratio"] == round((75 * H + 40 * M) / H, 9)


def test_home_rows_availability_latency_and_extra_nines() -> None:
    spec = example("home-recommender.yaml")
    found = fact_of(spec, "outputs", "home-rows", "availability")
    profile, online, candidates, ranker, deals, popular = (
        0.9995,
        0.9999,
        0.9995,
        0.9995,
        0.995,
        0.9999,
    )
    assert found["composite"] == round(profile * online * candidates * ranker * deals, 12)
    covered = candidates * ranker  # the fallback covers candidate-gen and ranker, as a group
    assert found["with_fallback"] == round(
        profile * online * deals * (1 - (1 - covered) * (1 - popular)), 12
    )
    assert found["weakest"] == "service:deals-partner"
    latency = fact_of(spec, "outputs", "home-rows", "latency")
    assert latency["total"] == round((25 + max(20, 45) + 60 + 50) * MS, 6) == 0.18
    assert latency["fallback_total"] == round((120 + 10) * MS, 6)
    slo = fact_of(spec, "slos", "home-rows-serving", "latency")
    assert slo["ratio"] == 1.2
    nines = fact_of(spec, "slos", "home-rows-serving", "availability")
    assert nines["needed"] == 0.9999
    assert nines["missing_nine"] == ["service:profile", "service:deals-partner"]
    assert fact_of(spec, "services", "profile", "extra_nine")["missing"] is True
    assert fact_of(spec, "stores", "feature-online", "extra_nine")["missing"] is False
    assert fact_of(spec, "services", "ranker", "extra_nine") is None  # covered by the fallback


def test_home_rows_feedback_loop_is_reported_once_at_the_first_id() -> None:
    spec = example("home-recommender.yaml")
    loop = fact_of(spec, "models", "home-ranker", "feedback_loop")
    assert loop["entities"] == ["model:home-ranker", "output:home-rows", "dataset:impressions-log"]
    assert loop["cycle"] == [
        "model:home-ranker",
        "output:home-rows",
        "dataset:impressions-log",
        "model:home-ranker",
    ]
    assert loop["mitigated"] is False and loop["hidden"] is False
    assert fact_of(spec, "outputs", "home-rows", "feedback_loop") is None
    assert fact_of(spec, "datasets", "impressions-log", "in_loop") == "model:home-ranker"


def test_sound_search_figures_match_the_comment_in_the_example() -> None:
    spec = example("sound-search-ranking.yaml")
    found = fact_of(spec, "outputs", "search-results", "staleness")
    catalog = 15 * M + 5 * M  # incremental pull every 15m + 5m
    metadata = 15 * M + 5 * M  # materialisation every 15m + 5m
    cache = 5 * M
    assert found["worst"] == catalog + metadata + cache == 45 * M
    assert found["path"] == ["source:catalog-db", "feature:sound-metadata", "output:search-results"]
    assert found["dominant"] == "source:catalog-db"  # ties go to the upstream term
    assert found["degraded_worst"] == 45 * M + 30 * M  # stale_if_error 30m
    availability = fact_of(spec, "outputs", "search-results", "availability")
    assert availability["composite"] == round(0.99995**5, 12)
    # The fallback reads the lexical index, which the main path needs anyway: when the index
    # is up the fallback is too, so the composite is the index's own availability.
    assert availability["with_fallback"] == 0.99995
    latency = fact_of(spec, "outputs", "search-results", "latency")
    assert latency["total"] == round((15 + max(40, 20) + 10 + 35) * MS, 6) == 0.1
    assert latency["fallback_total"] == round((100 + 40) * MS, 6)
    assert "fanout_slow_share" not in latency  # one figure: the output's own fact
    assert fact_of(spec, "outputs", "search-results", "fanout_slow_share") == 0.149
    budget = fact_of(spec, "slos", "search-serving", "error_budget")
    assert budget == {"seconds": 30 * D * 0.001, "window": 30 * D, "share": 0.001}


def test_checkout_fraud_pull_capacity_and_scoped_freshness() -> None:
    spec = example("checkout-fraud.yaml")
    pull = fact_of(spec, "sources", "device-reputation", "pull_capacity")
    assert pull == {
        "calls_needed": 1_200_000 // 100,  # 12,000 pages per full refresh
        "calls_allowed": 5000,  # 5000/h over a 1h interval
        "ratio": 2.4,
        "refresh_duration": 12_000 / (5000 / H),  # 2h24m at the rate limit
        "interval": H,
    }
    scoped = fact_of(spec, "slos", "fraud-score-freshness", "staleness")
    assert scoped["scope"] == ["source:payment-events"]
    assert scoped["worst"] == 30 + 5 * M  # stream lag + allowed lateness; nothing batch
    assert scoped["path"] == [
        "source:payment-events",
        "feature:card-velocity-10m",
        "output:fraud-score",
    ]
    everything = fact_of(spec, "outputs", "fraud-score", "staleness")
    assert everything["worst"] == (1 * D + 1 * H) + (1 * D + 30 * M)  # chargebacks chain
    availability = fact_of(spec, "outputs", "fraud-score", "availability")
    assert availability["composite"] == round(0.9999**3, 12)
    assert availability["with_fallback"] == round(1 - (1 - 0.9999**3) * (1 - 0.99995), 12)
    latency = fact_of(spec, "outputs", "fraud-score", "latency")
    assert latency["total"] == round((max(15, 25) + 40) * MS, 6)
    assert latency["fallback_total"] == round((80 + 15) * MS, 6)


def test_weekly_digest_cron_chain_model_age_and_triggers() -> None:
    spec = example("weekly-digest.yaml")
    found = fact_of(spec, "slos", "weekly-digest-delivery", "staleness")
    cms = 6 * H + 30 * M
    catalog = 1 * D + 1 * H
    monday_run = 7 * D + 5 * H + 30 * M  # cron "0 6 * * MON": longest gap 7d, + runtime
    assert found["worst"] == cms + catalog + monday_run == 205 * H
    assert found["path"] == [
        "source:cms-articles",
        "dataset:article-catalog",
        "output:weekly-digest",
    ]
    assert found["ratio"] == round(205 * H / (9 * D), 9)
    precompute = fact_of(spec, "outputs", "weekly-digest", "precompute")
    assert precompute["shortest_gap"] == precompute["longest_gap"] == W
    assert precompute["needed"] == 1_800_000 * 8 * 2000
    assert precompute["capacity_ratio"] == 0.288
    assert fact_of(spec, "models", "digest-ranker", "model_age")["worst"] == 2 * W + 6 * H + 30 * M
    missing = fact_of(spec, "models", "digest-ranker", "missing_retrain_triggers")
    assert [(m["dataset"], m["reason"]) for m in missing] == [
        ("dataset:reading-history", "on_change"),
        ("dataset:subscriber-list", "new_entities"),
    ]
    rerun = fact_of(spec, "models", "digest-ranker", "rerun_after_retrain")
    assert rerun == {
        "derived": ["output:weekly-digest"],
        "declared": [],
        "missing": ["output:weekly-digest"],
    }


# -- the staleness walk -------------------------------------------------------------------------

DIAMOND = """
    consider: 1
    product: {name: diamond}
    outputs:
      top:
        mode: online
        depends_on: [dataset:left, dataset:right]
        cache: {ttl: 1m}
    slos:
      all: {applies_to: output:top, freshness: {max_staleness: 10h}}
      fast-only: {applies_to: output:top, freshness: {max_staleness: 10h, scope: [source:fast]}}
      nowhere: {applies_to: output:top, freshness: {max_staleness: 1h, scope: [source:lonely]}}
    datasets:
      left: {derived_from: [source:slow, source:fast], refresh: {method: batch, interval: 1h}}
      right: {derived_from: [source:fast], refresh: {method: stream, max_lag: 5m}}
      logged: {derived_from: [output:top], refresh: {method: batch, interval: 1w}}
    sources:
      slow: {method: batch, interval: 6h, processing: 1h}
      fast: {method: stream, max_lag: 1m}
      lonely: {method: batch, interval: 1d}
"""


def test_a_diamond_takes_the_worst_branch_not_a_sum_of_paths() -> None:
    spec = spec_of(DIAMOND)
    found = fact_of(spec, "slos", "all", "staleness")
    assert found["worst"] == (6 * H + 1 * H) + 1 * H + 1 * M
    assert found["route"] == "source:slow → dataset:left → output:top"
    scoped = fact_of(spec, "slos", "fast-only", "staleness")
    assert scoped["worst"] == 1 * M + 1 * H + 1 * M  # fast → left (batch 1h) → top
    assert scoped["path"] == ["source:fast", "dataset:left", "output:top"]
    assert scoped["batch_source"] == "dataset:left"


def test_a_scope_that_reaches_nothing_gives_no_figure() -> None:
    found = fact_of(spec_of(DIAMOND), "slos", "nowhere", "staleness")
    assert found["worst"] is None and found["ratio"] is None
    assert found["unreached"] == ["source:lonely"]


def test_intermediate_entities_carry_their_own_staleness() -> None:
    spec = spec_of(DIAMOND)
    left = fact_of(spec, "datasets", "left", "staleness")
    assert left["worst"] == 8 * H and left["via"] == "source:slow"
    assert left["origin"] == "source:slow" and left["hops"] == 1
    assert "path" not in left


MODELS = """
    consider: 1
    product: {name: models}
    outputs:
      ranked: {mode: online, depends_on: [model:ranker]}
    slos:
      data-only: {applies_to: output:ranked, freshness: {max_staleness: 1d}}
      with-model:
        applies_to: output:ranked
        freshness: {max_staleness: 1d, includes: [data, model]}
    models:
      ranker:
        trained_on: [dataset:history]
        features: [feature:recent]
        retrain: {cadence: 1d, duration: 3h}
        deploy: {duration: 1h}
    datasets:
      history: {derived_from: [source:events], refresh: {method: batch, interval: 1d}}
    features:
      recent: {source: source:events, compute: stream, max_lag: 30s}
    sources:
      events: {method: stream, max_lag: 30s}
"""


def test_retraining_counts_only_when_the_slo_includes_the_model() -> None:
    spec = spec_of(MODELS)
    data = fact_of(spec, "slos", "data-only", "staleness")
    assert data["worst"] == 30 + 30  # events lag + feature lag; training data not counted
    model = fact_of(spec, "slos", "with-model", "staleness")
    assert model["worst"] == 30 + 1 * D + (1 * D + 3 * H + 1 * H)
    assert model["dominant"] == "model:ranker"
    assert model["includes"] == ["data", "model"]


def test_feedback_edges_are_left_out_of_the_walk() -> None:
    spec = spec_of(DIAMOND)
    # dataset:logged is derived from the output; nothing flows back into the output from it
    assert fact_of(spec, "slos", "all", "staleness")["worst"] == 8 * H + 1 * M
    logged = fact_of(spec, "datasets", "logged", "staleness")
    assert logged["worst"] == 8 * H + 1 * M + 1 * W


def test_a_batch_step_without_an_interval_marks_the_figure_incomplete() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: unknown}
        outputs:
          out: {depends_on: [dataset:mystery]}
        datasets:
          mystery: {derived_from: [source:s], refresh: {method: batch}}
        sources:
          s: {method: stream, max_lag: 1m}
    """)
    found = fact_of(spec, "outputs", "out", "staleness")
    assert found["worst"] == 1 * M and found["complete"] is False
    assert found["unknown"] == ["dataset:mystery"]


def test_deep_chains_and_long_paths_are_elided_not_recursed() -> None:
    depth = 3000
    lines = [
        "consider: 1",
        "product: {name: deep}",
        "outputs:",
        f"  out: {{depends_on: [dataset:d{depth - 1}]}}",
        "datasets:",
        "  d0: {derived_from: [source:s], refresh: {method: batch, interval: 1m}}",
    ]
    lines += [
        f"  d{i}: {{derived_from: [dataset:d{i - 1}], refresh: {{method: batch, interval: 1m}}}}"
        for i in range(1, depth)
    ]
    lines += ["sources:", "  s: {method: stream, max_lag: 1s}"]
    found = fact_of(spec_of("\n".join(lines)), "outputs", "out", "staleness")
    assert found["worst"] == 1 + depth * M
    assert len(found["path"]) == PATH_LIMIT
    assert found["path"][0] == "source:s" and found["path"][-1] == "output:out"
    assert found["path"][PATH_LIMIT // 2].startswith("... ")


def test_a_30_layer_lattice_is_walked_in_linear_time() -> None:
    width, layers = 40, 30  # about 2^30 paths from the bottom layer to the output
    lines = [
        "consider: 1",
        "product: {name: lattice}",
        "outputs:",
        "  out: {depends_on: ["
        + ", ".join(f"dataset:l{layers - 1}-{j}" for j in range(width))
        + "]}",
        "slos:",
        "  fresh: {applies_to: output:out, freshness: {max_staleness: 1d}}",
        "datasets:",
    ]
    for layer in range(layers):
        for j in range(width):
            if layer == 0:
                upstream = "source:s"
            else:
                upstream = f"dataset:l{layer - 1}-{j}, dataset:l{layer - 1}-{(j + 1) % width}"
            lines.append(
                f"  l{layer}-{j}: {{derived_from: [{upstream}], "
                "refresh: {method: batch, interval: 1m}}"
            )
    lines += ["sources:", "  s: {method: batch, interval: 1h}"]
    spec = spec_of("\n".join(lines))
    started = time.perf_counter()
    found = fact_of(spec, "slos", "fresh", "staleness")
    assert time.perf_counter() - started < 5
    assert found["worst"] == 1 * H + layers * M
    assert len(found["path"]) == layers + 2


# -- the other figures --------------------------------------------------------------------------


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


@pytest.mark.parametrize(
    ("cron", "shortest", "longest"),
    [
        ("0 6 * * MON", W, W),
        ("0 6,12 * * 1-5", 6 * H, 66 * H),  # Friday noon to Monday 06:00
        ("*/15 * * * *", 15 * M, 15 * M),
        ("0 0 1 * *", 28 * D, 31 * D),
        ("@daily", D, D),
    ],
)
def test_cron_gaps(cron: str, shortest: float, longest: float) -> None:
    gaps = cron_gaps(cron)
    assert gaps is not None
    assert (gaps.shortest, gaps.longest) == (shortest, longest)


@pytest.mark.parametrize("cron", ["not a cron", "61 * * * *", "0 0 31 2 *", "0 0 * * 8"])
def test_cron_that_never_fires_or_does_not_parse(cron: str) -> None:
    assert cron_gaps(cron) is None


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


def test_retrain_triggers_and_reruns_per_model() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: triggers}
        outputs:
          batch: {mode: precomputed, depends_on: [model:base]}
          live: {mode: online, depends_on: [model:base]}
        models:
          base:
            trained_on: [dataset:d]
            retrain: {cadence: 1w, triggers: [schedule]}
            on_retrain: {rerun: [model:child]}
          child:
            inputs_from: [model:base]
            trained_on: [dataset:d]
            retrain: {cadence: 1w, triggers: [drift]}
        datasets:
          d:
            refresh: {method: batch, interval: 1d}
            on_change: {retrain: [model:base, model:child]}
            derived_from: [model:base]
    """)
    missing = fact_of(spec, "models", "base", "missing_retrain_triggers")
    assert missing == [
        {
            "dataset": "dataset:d",
            "interval": D,
            "cadence": W,
            "reason": "on_change",
            "because": "its on_change.retrain lists model:base",
        }
    ]
    assert fact_of(spec, "models", "child", "missing_retrain_triggers") == []
    rerun = fact_of(spec, "models", "base", "rerun_after_retrain")
    assert rerun["derived"] == ["dataset:d", "model:child", "output:batch"]
    assert rerun["missing"] == ["dataset:d", "output:batch"]


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


# -- loops --------------------------------------------------------------------------------------


def test_a_hidden_loop_through_two_models_and_its_mitigations() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: hidden}
        outputs:
          feed: {decision: filter, depends_on: [model:scorer], exploration: true}
          ads: {depends_on: [model:bidder]}
        models:
          scorer: {trained_on: [dataset:ad-log]}
          bidder: {trained_on: [dataset:feed-log], position_feature: true}
        datasets:
          feed-log: {logged_from_outputs: [output:feed]}
          ad-log: {logged_from_outputs: [output:ads]}
    """)
    loop = fact_of(spec, "datasets", "ad-log", "feedback_loop")
    assert loop["size"] == 6 and loop["hidden"] is True
    assert loop["models"] == ["model:bidder", "model:scorer"]
    assert loop["entities"][0] == "dataset:ad-log"
    assert loop["mitigations"] == ["output:feed exploration", "model:bidder position feature"]
    assert loop["filters_without_holdout"] == ["output:feed"]


# -- the press release --------------------------------------------------------------------------


def test_press_release_promises_are_matched_from_the_packs_phrase_tables() -> None:
    spec = spec_of("""
        consider: 1
        product:
          name: promises
          working_backwards:
            headline: "Prices update INSTANTLY"
            subheading: "Search in under 150 milliseconds, new items within two hours."
            benefits: ["A digest every Monday", "A digest every Monday"]
        outputs:
          prices: {mode: online}
        slos:
          p: {applies_to: output:prices, freshness: {max_staleness: 1h}, latency: {p99: 150ms}}
    """)
    found = fact_of(spec, "product", "product", "pr_promises", load_rules().tables())
    summary = [(p["phrase"], p["field"], p["status"]) for p in found["found"]]
    assert summary == [
        ("INSTANTLY", "working_backwards.headline", "backed"),  # by the 150ms p99
        ("in under 150 milliseconds", "working_backwards.subheading", "backed"),
        ("within two hours", "working_backwards.subheading", "backed"),
        ("every Monday", "working_backwards.benefits[0]", "backed"),  # freshness 1h <= 1w
    ]
    assert found["unbacked"] == []


def test_a_looser_slo_does_not_back_a_promise() -> None:
    spec = spec_of("""
        consider: 1
        product:
          name: promises
          working_backwards: {headline: "Fresh within the hour"}
        outputs: {o: {}}
        slos:
          s: {applies_to: output:o, freshness: {max_staleness: 2h}}
    """)
    unbacked = fact_of(spec, "product", "product", "pr_promises", load_rules().tables())["unbacked"]
    assert [(p["status"], p["figures"], p["backing"], p["backed_by"]) for p in unbacked] == [
        ("looser", {"freshness": H}, 2 * H, "slo s")
    ]


def test_without_a_phrase_table_nothing_is_found() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: none, working_backwards: {headline: "Instantly"}}
    """)
    assert fact_of(spec, "product", "product", "pr_promises") == {"found": [], "unbacked": []}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"phrase": "x"}, "must be a list"),
        ([{"phrase": "x"}], "names no figure"),
        ([{"phrase": "x", "freshness": "soon"}], "must be a duration"),
        ([{"phrase": "x", "latncy": "1s"}], "unknown keys"),
        ([{"freshness": "1s"}], "needs a 'phrase'"),
    ],
)
def test_a_malformed_phrase_table_is_a_pack_error(table: Any, message: str) -> None:
    with pytest.raises(PackError, match=message):
        compile_phrases(table, where="pack.yaml")


def test_phrases_cannot_inject_regular_expressions() -> None:
    (phrase,) = compile_phrases([{"phrase": "a.* {n} (b)", "latency": "1s"}])
    # Patterns match lower-cased text (the fact lower-cases the press release first).
    assert phrase.pattern.search("A.* 3 (B)".lower()) is not None
    assert phrase.pattern.search("aXX 3 (b)") is None


# -- lineage cycles ------------------------------------------------------------------------------

CYCLE = """
    consider: 1
    product: {name: cycle}
    outputs:
      o: {mode: online, depends_on: [dataset:b]}
    slos:
      fresh: {applies_to: output:o, freshness: {max_staleness: 1h}}
      scoped: {applies_to: output:o, freshness: {max_staleness: 1h, scope: [source:s]}}
    datasets:
      a: {derived_from: [source:s, dataset:b], refresh: {method: batch, interval: 1h}}
      b: {derived_from: [dataset:a], refresh: {method: batch, interval: 2h}}
    sources:
      s: {method: batch, interval: 1d}
"""


def test_staleness_flows_through_a_lineage_cycle() -> None:
    spec = spec_of(CYCLE)
    found = fact_of(spec, "outputs", "o", "staleness")
    # the cycle is one step: the worst input entering it (s, 1d) plus each member's delay once
    assert found["worst"] == 1 * D + 1 * H + 2 * H
    assert found["path"][0] == "source:s" and found["path"][-1] == "output:o"
    assert found["dominant"] == "source:s"
    for ident in ("a", "b"):
        assert fact_of(spec, "datasets", ident, "staleness")["worst"] == 1 * D + 3 * H
    scoped = fact_of(spec, "slos", "scoped", "staleness")
    assert scoped["worst"] == 1 * D + 3 * H and scoped["unreached"] == []
    assert fact_of(spec, "slos", "fresh", "staleness")["worst"] == 1 * D + 3 * H


def test_impact_flows_through_a_lineage_cycle() -> None:
    spec = spec_of(CYCLE)
    assert fact_of(spec, "sources", "s", "impact")["outputs"] == ["output:o"]
    assert fact_of(spec, "datasets", "a", "impact")["outputs"] == ["output:o"]


def test_a_cycle_closed_only_by_training_data_is_no_cycle_for_data_staleness() -> None:
    # d is derived from m's scores and m trains on d: a cycle through `trained_on`, which a
    # data-only walk does not follow. m serves from its feature f only.
    spec = spec_of("""
        consider: 1
        product: {name: training-cycle}
        outputs:
          o: {mode: online, depends_on: [model:m]}
        models:
          m: {trained_on: [dataset:d], features: [feature:f]}
        datasets:
          d: {derived_from: [source:s, model:m], refresh: {method: batch, interval: 1d}}
        features:
          f: {source: source:e, compute: stream, max_lag: 1m}
        sources:
          s: {method: batch, interval: 1w}
          e: {method: stream, max_lag: 30s}
    """)
    assert fact_of(spec, "outputs", "o", "staleness")["worst"] == 30 + 1 * M
    assert fact_of(spec, "datasets", "d", "staleness")["worst"] == 1 * W + 1 * D


def _cron_gaps_day_by_day(expression: str) -> tuple[float, float] | None:
    """The reference: every day of the 28-year cycle walked, as cron fires."""
    import datetime
    from itertools import pairwise

    from consider.cron import _FIELDS, _field

    parts = expression.split()
    minutes, hours, days, months, weekdays = (
        _field(part, low, high, names)
        for part, (low, high, names) in zip(parts, _FIELDS, strict=True)
    )
    weekdays = frozenset(0 if d == 7 else d for d in weekdays)
    both = not parts[2].startswith("*") and not parts[4].startswith("*")
    runs = []
    start = datetime.datetime(2001, 1, 1)
    for offset in range(10227):
        date = start + datetime.timedelta(days=offset)
        if date.month not in months:
            continue
        day_ok, weekday_ok = date.day in days, (date.isoweekday() % 7) in weekdays
        if (day_ok or weekday_ok) if both else (day_ok and weekday_ok):
            runs.extend(offset * 1440 + h * 60 + m for h in sorted(hours) for m in sorted(minutes))
    if not runs:
        return None
    gaps = [b - a for a, b in pairwise(runs)] + [runs[0] + 10227 * 1440 - runs[-1]]
    return min(gaps) * 60.0, max(gaps) * 60.0


@pytest.mark.parametrize(
    "cron",
    [
        "0 0 1 * *",
        "0 6 1,15 * *",
        "30 2 29 2 *",
        "0 0 31 * *",
        "0 6 1 * MON",
        "0 6 13 * 5",
        "0 6,18 */10 1-3 *",
        "15 4 * 2 SUN",
        "0 0 1 1 *",
        "0 12 28-31 * *",
        "0 0 * 4,6,9,11 *",
        "0 0 */7 * 1-5",
    ],
)
def test_calendar_cron_gaps_match_a_day_by_day_walk(cron: str) -> None:
    gaps = cron_gaps.__wrapped__(cron)
    assert gaps is not None
    assert (gaps.shortest, gaps.longest) == _cron_gaps_day_by_day(cron)


def test_calendar_cron_gaps_need_no_walk_over_every_day() -> None:
    started = time.perf_counter()
    for minute in range(60):
        for day in (1, 15):
            cron_gaps.__wrapped__(f"{minute} 6 {day} * *")
    # 120 expressions: a walk over ~10,000 days each takes ~6ms, so 0.7s in all
    assert time.perf_counter() - started < 0.25
