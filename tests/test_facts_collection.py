"""The facts of consider/facts/collection.py, over small specs built in memory."""

from __future__ import annotations

from conftest import valid_analysis

from consider.facts import collection as facts

SOURCES = """\
consider: 1
product:
  name: x
outputs:
  rows:
    mode: online
    depends_on: [model:ranker]
  digest:
    mode: precomputed
    depends_on: [feature:clicks-7d]
  live:
    mode: hybrid
    depends_on: [source:impressions, dataset:daily]
  scored:
    mode: online
    depends_on: [model:retrained]
slos:
  rows-fresh:
    applies_to: output:rows
    freshness: {max_staleness: 30m}
  rows-fresh-loose:
    applies_to: output:rows
    freshness: {max_staleness: 2h}
  digest-fresh:
    applies_to: output:digest
    freshness: {max_staleness: 1h, scope: [source:catalog]}
  scored-data:
    applies_to: output:scored
    freshness: {max_staleness: 1h, includes: [data]}
  scored-model:
    applies_to: output:scored
    freshness: {max_staleness: 1d, includes: [data, model]}
models:
  ranker:
    trained_on: [dataset:sessions]
    features: [feature:ctr-1h]
    lookback: 180d
  retrained:
    trained_on: [feature:clicks-7d]
datasets:
  sessions:
    derived_from: [source:clicks]
    backfill_window: 90d
    retention: 30d
  daily:
    derived_from: [source:impressions]
    online_store: store:kv
features:
  ctr-1h:
    source: source:clicks
    aggregation: count
    window: {kind: event_time, size: 1h}
    online_store: store:kv
  clicks-7d:
    source: dataset:sessions
    aggregation: true
    window: {kind: event_time, size: 7d}
  flag:
    source: source:clicks
    aggregation: false
    window: {kind: processing_time, size: 1h}
sources:
  clicks:
    method: stream
    late_data: {allowed_lateness: 10m}
    monitors: {volume: true, freshness: false}
  impressions:
    method: stream
    monitors: [freshness, volume]
  catalog: {}
stores:
  kv: {kind: key_value}
"""


def test_aggregated_by_walks_through_derived_data() -> None:
    spec = valid_analysis(SOURCES)
    assert dict(facts.source_aggregated_by(spec)) == {
        # clicks-7d through dataset sessions; flag says aggregation: false
        "clicks": ["feature:clicks-7d", "feature:ctr-1h"],
        "impressions": [],
        "catalog": [],
    }


def test_event_time_windows_skip_processing_time() -> None:
    spec = valid_analysis(SOURCES)
    assert dict(facts.source_event_time_windows(spec)) == {
        "clicks": ["feature:clicks-7d", "feature:ctr-1h"],
        "impressions": [],
        "catalog": [],
    }


def test_realtime_outputs_stop_at_online_stores_and_precomputed_outputs() -> None:
    spec = valid_analysis(SOURCES)
    assert dict(facts.source_realtime_outputs(spec)) == {
        # ctr-1h has an online store, so rows (through ranker) does not count; digest is
        # precomputed
        "clicks": [],
        "impressions": ["output:live"],
        "catalog": [],
    }


def test_monitors_read_lists_and_flags() -> None:
    spec = valid_analysis(SOURCES)
    assert dict(facts.source_monitors(spec)) == {
        "clicks": ["volume"],
        "impressions": ["freshness", "volume"],
        "catalog": [],
    }


def test_lateness_keeps_the_pair_with_the_least_margin() -> None:
    spec = valid_analysis(SOURCES)
    # ctr-1h against rows-fresh: 10m + 1h against 30m, margin -40m. clicks-7d reaches scored
    # only through retraining: scored-data (1h, data only) does not count, scored-model does
    # (1d against 7d10m, margin -6d10m). digest-fresh is scoped to another source.
    assert dict(facts.source_lateness(spec)) == {
        "clicks": {
            "allowed_lateness": 600.0,
            "window": 604800.0,
            "delay": 605400.0,
            "feature": "feature:clicks-7d",
            "output": "output:scored",
            "slo": "scored-model",
            "max_staleness": 86400.0,
        },
    }


def test_lateness_counts_serving_paths_and_missing_lateness_as_zero() -> None:
    text = SOURCES.replace("    late_data: {allowed_lateness: 10m}\n", "").replace(
        "    trained_on: [feature:clicks-7d]\n", "    trained_on: [dataset:daily]\n"
    )
    spec = valid_analysis(text)
    assert dict(facts.source_lateness(spec)) == {
        "clicks": {
            "allowed_lateness": 0.0,
            "window": 3600.0,
            "delay": 3600.0,
            "feature": "feature:ctr-1h",
            "output": "output:rows",
            "slo": "rows-fresh",
            "max_staleness": 1800.0,
        },
    }


def test_replay_need_takes_the_longest_backfill_or_lookback() -> None:
    spec = valid_analysis(SOURCES)
    assert dict(facts.source_replay_need(spec)) == {
        "clicks": {"need": 15552000.0, "by": "model:ranker", "field": "lookback"},
    }
    assert dict(facts.dataset_replay_need(spec)) == {
        "sessions": {"need": 15552000.0, "by": "model:ranker", "field": "lookback"},
    }
    shorter = valid_analysis(SOURCES.replace("lookback: 180d", "lookback: 30d"))
    assert dict(facts.source_replay_need(shorter)) == {
        "clicks": {"need": 7776000.0, "by": "dataset:sessions", "field": "backfill_window"},
    }


def _fan_out(features: int) -> str:
    """One source, three datasets derived from one another in a loop, and ``features``
    counting features over event-time windows built on them."""
    lines = [
        "consider: 1",
        "product: {name: x}",
        "sources:",
        "  clicks: {}",
        "datasets:",
        "  a: {derived_from: [source:clicks, dataset:c]}",
        "  b: {derived_from: [dataset:a]}",
        "  c: {derived_from: [dataset:b]}",
        "features:",
    ]
    for i in range(features):
        lines.append(
            f"  f{i:02d}: {{source: dataset:{'abc'[i % 3]}, aggregation: count, "
            "window: {kind: event_time, size: 1h}}"
        )
    return "\n".join(lines) + "\n"


def test_lists_of_refs_are_cut_at_the_first_few_in_id_order() -> None:
    # Through a loop of derived datasets too; a list holds the first SHOWN refs, not all 25.
    spec = valid_analysis(_fan_out(25))
    first = [f"feature:f{i:02d}" for i in range(facts.SHOWN)]
    assert dict(facts.source_aggregated_by(spec)) == {"clicks": first}
    assert dict(facts.source_event_time_windows(spec)) == {"clicks": first}
    assert dict(facts.source_aggregated_by(valid_analysis(_fan_out(3)))) == {
        "clicks": ["feature:f00", "feature:f01", "feature:f02"],
    }


def test_lateness_and_replay_need_break_ties_in_id_order() -> None:
    text = _fan_out(3) + (
        "outputs:\n"
        "  z: {mode: online, depends_on: [feature:f02]}\n"
        "  y: {mode: online, depends_on: [feature:f01]}\n"
        "slos:\n"
        "  z-fresh: {applies_to: output:z, freshness: {max_staleness: 30m}}\n"
        "  y-fresh: {applies_to: output:y, freshness: {max_staleness: 30m}}\n"
        "models:\n"
        "  m: {trained_on: [dataset:b], lookback: 2d}\n"
    )
    text = text.replace(
        "  b: {derived_from: [dataset:a]}", "  b: {derived_from: [dataset:a], backfill_window: 2d}"
    )
    spec = valid_analysis(text)
    # Both pairs have the same margin: f01 comes first.
    late = dict(facts.source_lateness(spec))["clicks"]
    assert (late["feature"], late["output"], late["slo"]) == ("feature:f01", "output:y", "y-fresh")
    # A backfill and a lookback of the same length: the backfill is named.
    assert dict(facts.source_replay_need(spec)) == {
        "clicks": {"need": 172800.0, "by": "dataset:b", "field": "backfill_window"},
    }
