"""``consider impact``: the ordered plan, its timings, declared versus derived, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import calls_made, spec_of

from consider.analysis import Analysis
from consider.check import read_spec
from consider.cli import cli
from consider.commands.impact import plan, render_text
from consider.errors import UsageError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
H, M, D = 3600.0, 60.0, 86400.0


def test_a_dataset_change_in_the_home_example() -> None:
    result = plan(read_spec(EXAMPLES / "home-recommender.yaml"), "dataset:orders-daily")
    assert [(s.kind, s.ref) for s in result.steps] == [
        ("re-materialise", "feature:user-category-affinity"),
        ("re-train", "model:home-ranker"),
        ("serve", "output:home-rows"),
    ]
    feature, model, output = result.steps
    assert feature.delay == 1 * D + 40 * M and feature.triggered_by is None
    # on_change.retrain starts a retrain as soon as orders-daily changes, but that retrain
    # runs before the feature it also learns from is re-materialised: the feature's new
    # values wait for the next scheduled retrain (1d cadence + 3h training + 1h deploy).
    # Each hop's wait is the hop table's, the same that check's staleness adds up.
    assert model.triggered_by is None
    assert model.delay == 1 * D + 3 * H + 1 * H
    assert model.ready == feature.ready + model.delay == 52 * H + 40 * M
    assert output.ready == model.ready and output.after == "model:home-ranker"
    (visible,) = result.outputs
    assert visible.after == 52 * H + 40 * M
    assert visible.path == (
        "dataset:orders-daily",
        "feature:user-category-affinity",
        "model:home-ranker",
        "output:home-rows",
    )
    comparisons = {(c.ref, c.field): (c.missing, c.extra) for c in result.comparisons}
    assert comparisons == {
        ("dataset:orders-daily", "on_change.retrain"): ((), ()),
        ("dataset:orders-daily", "on_change.rerun"): (("feature:user-category-affinity",), ()),
    }


def test_a_source_change_waits_for_every_scheduled_step() -> None:
    result = plan(read_spec(EXAMPLES / "weekly-digest.yaml"), "source:reading-events")
    assert [(s.kind, s.ref, s.ready) for s in result.steps] == [
        ("re-run", "dataset:reading-history", 1 * D + 2 * H),
        ("re-train", "model:digest-ranker", 1 * D + 2 * H + 6 * H + 30 * M),
        # the Monday run is not triggered by the retrain: it waits up to a week, + 5h30m
        ("re-run", "output:weekly-digest", 1 * D + 2 * H + 6 * H + 30 * M + 7 * D + 5 * H + 30 * M),
    ]
    comparisons = {(c.ref, c.field): c.missing for c in result.comparisons}
    assert comparisons[("model:digest-ranker", "on_retrain.rerun")] == ("output:weekly-digest",)


def test_declared_triggers_shorten_the_plan_and_extras_are_reported() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: triggers}
        outputs:
          batch:
            mode: precomputed
            depends_on: [model:m]
            precompute: {schedule: 1d, runtime: 1h}
        models:
          m:
            trained_on: [dataset:d]
            retrain: {cadence: 1w, duration: 2h, triggers: [new_data]}
            deploy: {duration: 30m}
            on_retrain: {rerun: [output:batch, output:elsewhere]}
          other: {}
        datasets:
          d:
            derived_from: [source:s]
            refresh: {method: batch, interval: 1h, processing: 10m}
            on_change: {retrain: [model:other]}
        sources:
          s: {method: stream}
    """)
    result = plan(spec, "s")  # a bare id naming one entity is accepted
    assert result.changed == "source:s"
    steps = {s.ref: s for s in result.steps}
    assert steps["dataset:d"].delay == 1 * H + 10 * M
    assert steps["model:m"].triggered_by == "model:m retrain.triggers (new_data)"
    assert steps["model:m"].delay == 2 * H + 30 * M
    assert steps["output:batch"].triggered_by == "model:m on_retrain.rerun"
    assert steps["output:batch"].delay == 1 * H
    comparisons = {(c.ref, c.field): (c.missing, c.extra) for c in result.comparisons}
    assert comparisons[("dataset:d", "on_change.retrain")] == (("model:m",), ("model:other",))


def test_feedback_edges_do_not_loop_the_plan() -> None:
    result = plan(read_spec(EXAMPLES / "home-recommender.yaml"), "model:home-ranker")
    assert [s.ref for s in result.steps] == ["output:home-rows"]  # not impressions-log again


def test_nothing_downstream() -> None:
    result = plan(read_spec(EXAMPLES / "home-recommender.yaml"), "output:home-rows")
    assert result.steps == () and result.outputs == ()
    assert "Nothing downstream" in render_text(result)


@pytest.mark.parametrize(
    ("ref", "hint"),
    [
        ("dataset:orders-dail", "did you mean dataset:orders-daily"),
        ("datset:orders-daily", "a reference starts with one of"),
        ("zzz", "known entities include"),
    ],
)
def test_an_unknown_ref_names_the_closest_known_ones(ref: str, hint: str) -> None:
    with pytest.raises(UsageError, match=hint):
        plan(read_spec(EXAMPLES / "home-recommender.yaml"), ref)


def test_cli_text_json_and_exit_codes() -> None:
    runner = CliRunner()
    path = str(EXAMPLES / "home-recommender.yaml")
    text = runner.invoke(
        cli, ["impact", path, "--changed", "source:orders-db"], standalone_mode=False
    )
    assert text.exit_code == 0, text.output
    assert "Plan (4 steps, in order):" in text.output
    assert "output:home-rows  after 77h40m" in text.output
    data = runner.invoke(
        cli,
        ["impact", path, "--changed", "source:orders-db", "--format", "json"],
        standalone_mode=False,
    )
    parsed = json.loads(data.output)
    assert parsed["changed"] == "source:orders-db"
    assert [s["kind"] for s in parsed["steps"]] == ["re-run", "re-materialise", "re-train", "serve"]
    assert parsed["outputs"][0]["after"] == 77 * H + 40 * M


def test_cli_unknown_ref_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    from consider.cli import main

    with pytest.raises(SystemExit) as done:
        main(["impact", str(EXAMPLES / "home-recommender.yaml"), "--changed", "model:rankr"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "model:rankr is not defined" in err and "model:home-ranker" in err


CYCLE = """
    consider: 1
    product: {name: cycle}
    outputs:
      o: {mode: online, depends_on: [dataset:b]}
    datasets:
      a: {derived_from: [source:s, dataset:b], refresh: {method: batch, interval: 1h}}
      b: {derived_from: [dataset:a], refresh: {method: batch, interval: 2h}}
    sources:
      s: {method: batch, interval: 1d}
"""


def test_the_plan_goes_through_a_lineage_cycle() -> None:
    result = plan(spec_of(CYCLE), "source:s")
    assert [s.ref for s in result.steps] == ["dataset:a", "dataset:b", "output:o"]
    a, b, o = result.steps
    assert a.after == "source:s" and b.after == "dataset:a"
    assert b.ready == o.ready == 3 * H  # each member of the cycle once
    (visible,) = result.outputs
    assert visible.path == ("source:s", "dataset:a", "dataset:b", "output:o")


def test_a_change_inside_a_cycle_plans_the_rest_of_it() -> None:
    result = plan(spec_of(CYCLE), "dataset:b")
    assert [s.ref for s in result.steps] == ["dataset:a", "output:o"]
    assert result.outputs[0].path == ("dataset:b", "output:o")


def test_step_delays_follow_the_staleness_rules() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: delays}
        outputs:
          o: {mode: online, depends_on: [dataset:lagging, feature:plain]}
        datasets:
          lagging: {derived_from: [source:s], refresh: {max_lag: 5m}}
        features:
          plain: {source: source:s}
        sources:
          s: {method: stream}
    """)
    steps = {s.ref: s for s in plan(spec, "source:s").steps}
    # no method and no interval but a lag: a stream, as the staleness walk reads it
    assert (steps["dataset:lagging"].delay, steps["dataset:lagging"].unknown) == (5 * M, False)
    # no compute and no materialisation: nothing to wait for, nothing unknown
    assert (steps["feature:plain"].delay, steps["feature:plain"].unknown) == (0.0, False)


def test_derived_reruns_after_retraining_match_the_fact() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: reruns}
        outputs:
          z: {mode: precomputed, depends_on: [model:m], precompute: {schedule: 1d}}
        models:
          m: {trained_on: [dataset:d], on_retrain: {rerun: []}}
          n: {inputs_from: [model:m]}
        datasets:
          d: {}
          a: {derived_from: [model:m]}
    """)
    result = plan(spec, "model:m")
    (comparison,) = [c for c in result.comparisons if c.field == "on_retrain.rerun"]
    from consider.facts.models import model_rerun_after_retrain

    assert list(comparison.derived) == model_rerun_after_retrain(Analysis(spec))["m"]["derived"]


def test_declared_lists_are_checked_without_a_search_per_entity() -> None:
    size = 4000
    lines = ["consider: 1", "product: {name: chain}", "datasets:"]
    lines.append("  d0: {derived_from: [source:s], on_change: {rerun: [dataset:d1]}}")
    for i in range(1, size):
        follower = f"dataset:d{i + 1}" if i + 1 < size else "dataset:d0"
        upstream = f"dataset:d{i - 1}"
        lines.append(f"  d{i}: {{derived_from: [{upstream}], on_change: {{rerun: [{follower}]}}}}")
    lines += ["sources:", "  s: {method: batch, interval: 1h}"]
    spec = spec_of("\n".join(lines))
    result, calls = calls_made(lambda: plan(spec, "source:s"))
    # about 700,000 calls; a search from every declaring dataset is 4000^2 / 2 = 8 million
    # visits, each of several calls
    assert calls < 2_000_000
    extras = [c for c in result.comparisons if c.extra]
    assert [(c.ref, c.extra) for c in extras] == [(f"dataset:d{size - 1}", ("dataset:d0",))]
