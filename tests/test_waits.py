"""One staleness model: check, graph and impact add the same per-hop waits (the table of
consider/lineage/waits.py), so their figures agree on every example."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from conftest import EXAMPLES

from consider.analysis import Analysis
from consider.check import read_spec
from consider.commands.graph import layout
from consider.commands.impact import plan
from consider.engine import RuleSet
from consider.lineage.delays import DATA, MODEL
from consider.lineage.graph import lineage_graph
from consider.lineage.staleness import slo_walk, walk_path
from consider.lineage.waits import hop_wait, table
from consider.units import format_duration

SPECS = sorted(EXAMPLES.glob("*.yaml"))


def _edge(graph_up: list[tuple[int, str]], u: int) -> str:
    return next(kind for w, kind in graph_up if w == u)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_check_graph_and_impact_use_the_same_hop_waits(path: Path, builtin_rules: RuleSet) -> None:
    spec = read_spec(path)
    analysis = Analysis(spec, builtin_rules.tables())
    graph = lineage_graph(analysis)
    drawn = {node.id: node.lines for node in layout(spec).nodes}
    compared = 0
    for slo in spec.entities("slos"):
        applies = slo.fields.get("applies_to")
        if not isinstance(applies, str) or applies not in graph.refs:
            continue
        walk = slo_walk(analysis, slo)
        output = graph.refs.index(applies)
        worst = walk.value[output]
        if worst is None or not (slo.fields.get("freshness") or {}).get("max_staleness"):
            continue
        route = walk_path(walk, output)
        # check: each hop of the worst path adds exactly the table's wait for that hop
        for u, v in pairwise(route):
            added = round(walk.value[v] - walk.value[u], 6)  # type: ignore[operator]
            wait = hop_wait(graph, u, v, _edge(graph.up[v], u), walk.mode).total
            assert added == round(wait, 6), (graph.refs[u], graph.refs[v])
            compared += 1
        # graph: draws the same worst case
        assert any(format_duration(worst) in line for line in drawn[applies])
        # impact: a change at the path's origin reaches the output through the same hops,
        # each waiting what the table says, so it is seen the origin's own wait earlier
        result = plan(spec, graph.refs[route[0]])
        steps = {step.ref: step for step in result.steps}
        for u, v in pairwise(route):
            step = steps[graph.refs[v]]
            if step.after != graph.refs[u]:
                continue
            mode = MODEL if step.kind == "re-train" else DATA
            if mode == walk.mode or graph.entities[v].kind != "models":
                assert step.delay == round(
                    hop_wait(graph, u, v, _edge(graph.up[v], u), mode).total, 6
                ), graph.refs[v]
                compared += 1
        visible = {item.ref: item for item in result.outputs}.get(applies)
        if visible is not None and visible.path == tuple(graph.refs[n] for n in route):
            origin_wait = walk.value[route[0]]
            assert visible.after == round(worst - (origin_wait or 0.0), 6)
    if path.name != "sound-search-ranking.yaml":
        assert compared > 0


def test_a_declared_rerun_shortens_the_hop_in_check_and_impact(
    tmp_path: Path, builtin_rules: RuleSet
) -> None:
    """The issue's case: a pricing feed, a daily dataset that re-runs the nightly email on
    change. The email's hop waits only its run; check and impact say the same."""
    path = tmp_path / "spec.yaml"
    path.write_text(
        "consider: 1\nproduct: {name: x}\n"
        "sources:\n  prices: {method: batch, direction: pull, interval: 1d, processing: 30m}\n"
        "datasets:\n  daily-prices:\n    derived_from: [source:prices]\n"
        "    refresh: {method: batch, interval: 1d, processing: 1h}\n"
        "    on_change: {rerun: [output:email]}\n"
        "outputs:\n  email:\n    mode: precomputed\n    depends_on: [dataset:daily-prices]\n"
        "    precompute: {schedule: 1d, runtime: 30m}\n"
        "slos:\n  email-fresh: {applies_to: output:email, freshness: {max_staleness: 3d}}\n"
    )
    spec = read_spec(path)
    analysis = Analysis(spec, builtin_rules.tables())
    graph = lineage_graph(analysis)
    waits = table(graph, DATA)
    assert waits[("dataset:daily-prices", "output:email")] == 30 * 60  # started at once
    assert waits[("source:prices", "dataset:daily-prices")] == 25 * 3600
    (slo,) = spec.entities("slos")
    walk = slo_walk(analysis, slo)
    email = graph.refs.index("output:email")
    assert walk.value[email] == (24.5 + 25 + 0.5) * 3600  # 50h: not 74h
    (visible,) = plan(spec, "source:prices").outputs
    assert visible.after == (25 + 0.5) * 3600  # 25h30m: the source's own wait earlier


def test_an_event_time_window_counts_in_the_hop_it_closes(
    tmp_path: Path, builtin_rules: RuleSet
) -> None:
    """A window with no kind over a source that states its event time waits for its window
    and the source's allowed lateness; processing time, a batch feature, or data with no
    event time add no window. The source itself adds only its lag: lateness delays nothing
    but a window."""
    path = tmp_path / "spec.yaml"
    path.write_text(
        "consider: 1\nproduct: {name: x}\n"
        "sources:\n"
        "  plays: {method: stream, max_lag: 1m, event_time_field: ts,"
        " late_data: {allowed_lateness: 10m}}\n"
        "  taps: {method: stream, max_lag: 1m}\n"
        "features:\n"
        "  inferred: {source: source:plays, compute: stream, window: {size: 15m}}\n"
        "  processing: {source: source:plays, window: {kind: processing_time, size: 15m}}\n"
        "  batch: {source: source:plays, compute: batch, materialize: {interval: 5m},"
        " window: {size: 15m}}\n"
        "  no-event-time: {source: source:taps, compute: stream, window: {size: 15m}}\n"
        "  via-dataset: {source: dataset:cleaned, compute: stream,"
        " window: {kind: event_time, size: 15m}}\n"
        "datasets:\n"
        "  cleaned: {derived_from: [source:plays], refresh: {method: stream, max_lag: 1m}}\n"
        "outputs:\n  out: {mode: online, depends_on: [feature:inferred, feature:processing,"
        " feature:batch, feature:no-event-time, feature:via-dataset]}\n"
    )
    spec = read_spec(path)
    graph = lineage_graph(Analysis(spec, builtin_rules.tables()))
    waits = table(graph, DATA)
    assert waits[("source:plays", "feature:inferred")] == (15 + 10) * 60
    assert waits[("source:plays", "feature:processing")] == 0
    assert waits[("source:plays", "feature:batch")] == 5 * 60
    assert waits[("source:taps", "feature:no-event-time")] == 0
    # Through a derived dataset, the window waits for the lateness of the source behind it.
    assert waits[("dataset:cleaned", "feature:via-dataset")] == (15 + 10) * 60
    (step,) = [s for s in plan(spec, "source:plays").steps if s.ref == "feature:inferred"]
    assert step.delay == (15 + 10) * 60
