"""The facts of consider/facts/models.py, over small specs built in memory."""

from __future__ import annotations

from conftest import D, W, fact_of, spec_of, valid_analysis

from consider.facts import models as facts

SPEC = """\
consider: 1
product:
  name: x
  disallowed_data: ["precise location", "Health data", "   "]
outputs:
  rows:
    depends_on: [model:ranker]
  scores:
    depends_on: [dataset:scored]
  lonely: {}
models:
  embedder:
    trained_on: [dataset:items]
  ranker:
    trained_on: [dataset:training, source:raw-events]
    features: [feature:clicks-1h, feature:geo]
    inputs_from: [model:embedder]
  batch-scorer:
    trained_on: [dataset:training]
    features: [feature:clicks-1h]
  orphan:
    trained_on: [dataset:items]
datasets:
  training:
    derived_from: [source:clicks, dataset:items]
    checks: ["user_id not null"]
  items:
    derived_from: [source:catalog]
  scored:
    derived_from: [model:batch-scorer]
  unused:
    derived_from: [source:catalog]
    checks: ["x > 0"]
features:
  clicks-1h:
    source: source:clicks
    materialize: {interval: 1h, runtime: 10m}
  geo:
    source: source:user-precise-location
    materialize: {interval: 15m}
  health-score:
    source: dataset:unused
    materialize: {runtime: 5m}
sources:
  clicks: {}
  catalog: {}
  raw-events: {}
  user-precise-location: {}
  deep: {}
"""


def test_trained_by_names_only_direct_training() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.dataset_trained_by(spec)) == {
        "training": ["model:batch-scorer", "model:ranker"],
        "items": ["model:embedder", "model:orphan"],
        "scored": [],
        "unused": [],
    }
    assert dict(facts.source_trained_by(spec)) == {
        "clicks": [],
        "catalog": [],
        "raw-events": ["model:ranker"],
        "user-precise-location": [],
        "deep": [],
    }


def test_models_using_reaches_two_hops() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.dataset_models_using(spec)) == {
        "training": ["model:batch-scorer", "model:ranker"],
        # derived into training (second hop) and trained on directly
        "items": ["model:batch-scorer", "model:embedder", "model:orphan", "model:ranker"],
        "scored": [],
        "unused": [],
    }
    assert dict(facts.source_models_using(spec)) == {
        # under training (second hop) and under feature clicks-1h (second hop)
        "clicks": ["model:batch-scorer", "model:ranker"],
        # three hops away from ranker (catalog -> items -> training): not counted for it
        "catalog": ["model:embedder", "model:orphan"],
        "raw-events": ["model:ranker"],
        "user-precise-location": ["model:ranker"],
        "deep": [],
    }


def test_feeds_outputs_follows_predictions_downstream() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.model_feeds_outputs(spec)) == {
        "embedder": ["output:rows"],  # through ranker's inputs_from
        "ranker": ["output:rows"],
        "batch-scorer": ["output:scores"],  # through the dataset derived from it
        "orphan": [],
    }


def test_feeds_outputs_ignores_feedback_edges() -> None:
    spec = valid_analysis("""\
consider: 1
product: {name: x}
outputs:
  rows: {depends_on: [model:a]}
models:
  a: {trained_on: [dataset:log]}
  b: {trained_on: [dataset:log]}
datasets:
  log: {logged_from_outputs: [output:rows]}
""")
    assert dict(facts.model_feeds_outputs(spec)) == {"a": ["output:rows"], "b": []}


def test_materialize_cycle_adds_runtime_to_interval() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.feature_materialize_cycle(spec)) == {
        "clicks-1h": 4200.0,
        "geo": 900.0,
    }


def test_checked_training_data_lists_checked_datasets_of_the_models_using_it() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.feature_checked_training_data(spec)) == {
        "clicks-1h": ["dataset:training"],
        "geo": ["dataset:training"],
        "health-score": [],
    }


def test_disallowed_matches_whole_words_in_order() -> None:
    spec = valid_analysis(SPEC)
    assert dict(facts.feature_disallowed_matches(spec)) == {
        "clicks-1h": [],
        "geo": ["precise location"],  # through its source's id
        "health-score": [],  # "health data" needs both words
    }


def test_disallowed_matches_without_a_policy_is_empty() -> None:
    spec = valid_analysis("""\
consider: 1
product: {name: x}
features:
  health-data-7d: {}
""")
    assert dict(facts.feature_disallowed_matches(spec)) == {"health-data-7d": []}


def test_logged_outputs_are_those_logged_into_training_data() -> None:
    spec = valid_analysis("""\
consider: 1
product: {name: x}
outputs:
  rows: {depends_on: [model:a], exploration: true}
  emails: {depends_on: [model:a]}
models:
  a: {trained_on: [dataset:log, dataset:mail-log, dataset:plain]}
  b: {trained_on: [dataset:plain]}
datasets:
  log: {logged_from_outputs: [output:rows]}
  mail-log: {logged_from_outputs: [output:emails, output:rows]}
  plain: {}
""")
    logged = dict(facts.model_logged_outputs(spec))
    assert [o["_id"] for o in logged["a"]] == ["emails", "rows"]
    assert logged["a"][1]["exploration"] is True
    assert logged["b"] == []


def test_feeds_outputs_are_cut_at_the_first_few_in_id_order() -> None:
    outputs = "".join(f"  o{i:02d}: {{depends_on: [model:m]}}\n" for i in reversed(range(12)))
    spec = valid_analysis(
        f"consider: 1\nproduct: {{name: x}}\nmodels:\n  m: {{}}\noutputs:\n{outputs}"
    )
    assert dict(facts.model_feeds_outputs(spec)) == {
        "m": [f"output:o{i:02d}" for i in range(facts.SHOWN)],
    }


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
