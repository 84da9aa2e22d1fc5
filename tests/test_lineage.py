"""The lineage analyses end to end, against figures computed by hand: the bundled
examples, and lineage cycles.

The examples' expectations are written as the arithmetic a reviewer would do on paper, so a
wrong figure shows which term is off.
"""

from __future__ import annotations

from conftest import MS, D, H, M, W, example, fact_of, spec_of


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
    assert found["dominant_label"] == "the daily pull of source:orders-db (24h + 2h processing)"
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
    # The partner's hop budget (50ms) is below its own p99 (300ms): the larger counts.
    assert latency["total"] == round((25 + max(20, 45) + 60 + 300) * MS, 6) == 0.43
    assert latency["budgeted"] == round((25 + max(20, 45) + 60 + 50) * MS, 6) == 0.18
    assert [gap["dep"] for gap in latency["underbudgeted"]] == ["service:deals-partner"]
    assert latency["fallback_total"] == round((120 + 10) * MS, 6)
    slo = fact_of(spec, "slos", "home-rows-serving", "latency")
    assert slo["ratio"] == round(430 / 150, 9)
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
    clicks = 2 * M + 1 * H + 10 * M  # stream lag + 1h event-time window + allowed lateness
    cache = 5 * M
    assert catalog + metadata + cache == 45 * M  # the catalog path, under the click path
    assert found["worst"] == clicks + cache == 1 * H + 17 * M
    assert found["path"] == [
        "source:search-events",
        "feature:sound-ctr-1h",
        "output:search-results",
    ]
    assert found["dominant"] == "feature:sound-ctr-1h"
    assert found["degraded_worst"] == 1 * H + 17 * M + 30 * M  # stale_if_error 30m
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
    # stream lag + the 10m event-time window + its 5m allowed lateness; nothing batch
    assert scoped["worst"] == 30 + 10 * M + 5 * M
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
        # the Monday send runs every 7d (plus 5h30m) under a 9d promise: it picks the
        # retrained model up in time, so nothing stays stale
        "stale": [],
    }


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
