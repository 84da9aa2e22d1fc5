"""The lineage graph: typed edges, topological order, loops, and no recursion limits."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import spec_of

from consider.analysis import Analysis
from consider.lineage.graph import (
    FEEDBACK,
    Graph,
    build_graph,
    cycle_through,
    first_in_id_order,
    lineage_graph,
    strongly_connected,
)


def make_spec(text: str) -> Analysis:
    return Analysis(spec_of(text))


HOME = """
    consider: 1
    product: {name: home}
    outputs:
      home-rows:
        mode: online
        depends_on: [model:ranker, feature:clicks]
        request_path: [{dep: service:profile}, {parallel: [{dep: store:online}]}]
        fallback: {source: store:popular, covers: [service:profile]}
        precompute: {schedule: 1d, store: store:rows}
    slos:
      fresh: {applies_to: output:home-rows, freshness: {max_staleness: 1h}}
    models:
      ranker:
        trained_on: [dataset:impressions]
        features: [feature:clicks]
        on_retrain: {rerun: [output:home-rows]}
    datasets:
      impressions:
        derived_from: [source:events]
        logged_from_outputs: [output:home-rows]
    features:
      clicks: {source: source:events, online_store: store:online}
    sources:
      events: {method: stream}
    services:
      profile: {}
    stores:
      online: {}
      popular: {}
      rows: {}
"""


def edges(graph: Graph) -> set[tuple[str, str, str]]:
    return {(graph.refs[u], graph.refs[v], kind) for u, v, kind in graph.edges()}


def test_nodes_are_the_entities_but_slos() -> None:
    graph = lineage_graph(make_spec(HOME))
    assert "slos:fresh" not in graph.nodes
    assert sorted(graph.refs) == sorted(
        [
            "output:home-rows",
            "model:ranker",
            "dataset:impressions",
            "feature:clicks",
            "source:events",
            "service:profile",
            "store:online",
            "store:popular",
            "store:rows",
        ]
    )


def test_edges_point_the_way_data_flows_and_are_typed() -> None:
    graph = lineage_graph(make_spec(HOME))
    assert edges(graph) == {
        ("model:ranker", "output:home-rows", "depends_on"),
        ("feature:clicks", "output:home-rows", "depends_on"),
        ("service:profile", "output:home-rows", "calls"),
        ("store:online", "output:home-rows", "calls"),
        ("dataset:impressions", "model:ranker", "trained_on"),
        ("feature:clicks", "model:ranker", "features"),
        ("source:events", "dataset:impressions", "derived_from"),
        ("source:events", "feature:clicks", "source"),
        ("output:home-rows", "dataset:impressions", FEEDBACK),
        ("store:popular", "output:home-rows", "fallback"),
        ("output:home-rows", "store:rows", "writes"),
        ("feature:clicks", "store:online", "stored_in"),
    }


def test_declared_plans_and_fallback_covers_make_no_edge() -> None:
    graph = lineage_graph(make_spec(HOME))
    assert ("service:profile", "output:home-rows", "fallback") not in edges(graph)
    assert all(kind != "rerun" for _, _, kind in graph.edges())


def test_topological_order_respects_every_lineage_edge() -> None:
    graph = lineage_graph(make_spec(HOME))
    assert sorted(graph.order) == list(range(graph.size))
    for source, targets in enumerate(graph.down):
        for target, _ in targets:
            assert graph.position[source] < graph.position[target]


def test_the_feedback_loop_is_one_group_found_over_feedback_edges() -> None:
    graph = lineage_graph(make_spec(HOME))
    assert [sorted(graph.refs[n] for n in group) for group in graph.loops] == [
        ["dataset:impressions", "model:ranker", "output:home-rows"]
    ]
    assert graph.cyclic == set()  # the loop closes only through the feedback edge
    head = first_in_id_order(graph, graph.loops[0])
    assert graph.refs[head] == "output:home-rows"  # "home-rows" < "impressions" < "ranker"
    cycle = [graph.refs[n] for n in cycle_through(graph, graph.loops[0], head)]
    assert cycle == ["output:home-rows", "dataset:impressions", "model:ranker", "output:home-rows"]


def test_the_graph_is_built_once_per_spec() -> None:
    spec = make_spec(HOME)
    assert lineage_graph(spec) is lineage_graph(spec)


def test_a_lineage_cycle_is_one_group_and_every_node_is_placed() -> None:
    spec = make_spec("""
        consider: 1
        product: {name: cycle}
        datasets:
          a: {derived_from: [dataset:b, source:s]}
          b: {derived_from: [dataset:a]}
          c: {derived_from: [dataset:b]}
        sources:
          s: {method: batch, interval: 1h}
    """)
    graph = build_graph(spec)
    names = {(graph.refs[u], graph.refs[v]) for u, v in graph.cyclic}
    assert names == {("dataset:a", "dataset:b"), ("dataset:b", "dataset:a")}
    assert sorted(graph.order) == list(range(graph.size))
    assert graph.position[graph.nodes["dataset:b"]] < graph.position[graph.nodes["dataset:c"]]
    assert [sorted(graph.refs[n] for n in g) for g in graph.loops] == [["dataset:a", "dataset:b"]]


def test_a_self_reference_is_a_loop() -> None:
    assert strongly_connected(2, [[0], [0]]) == [[0]]
    assert strongly_connected(3, [[1], [2], []]) == []


@pytest.mark.parametrize("size", [200_000])
def test_tarjan_is_iterative_on_a_very_deep_chain(size: int) -> None:
    succ: list[list[int]] = [[i + 1] for i in range(size - 1)] + [[0]]
    groups = strongly_connected(size, succ)
    assert len(groups) == 1 and len(groups[0]) == size


def test_a_deep_spec_builds_without_recursion() -> None:
    depth = 5000
    lines: list[str] = [
        "consider: 1",
        "product: {name: deep}",
        "datasets:",
        "  d0: {derived_from: [source:s]}",
    ]
    lines += [f"  d{i}: {{derived_from: [dataset:d{i - 1}]}}" for i in range(1, depth)]
    lines += ["sources:", "  s: {method: batch, interval: 1h}"]
    graph = lineage_graph(make_spec("\n".join(lines)))
    assert graph.size == depth + 1
    assert graph.refs[graph.order[-1]] == f"dataset:d{depth - 1}"
    assert len(graph.descendants(graph.nodes["source:s"])) == depth + 1


def test_dangling_references_make_no_edge() -> None:
    spec = make_spec("""
        consider: 1
        product: {name: dangling}
        datasets:
          a: {derived_from: [source:missing]}
    """)
    graph: Any = lineage_graph(spec)
    assert list(graph.edges()) == []


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


def test_a_lineage_cycle_is_one_group_that_the_walks_go_through() -> None:
    graph = lineage_graph(make_spec(CYCLE))
    a, b = graph.nodes["dataset:a"], graph.nodes["dataset:b"]
    assert graph.group[a] == graph.group[b]
    assert sorted(graph.refs[n] for n in graph.groups[graph.group[a]]) == ["dataset:a", "dataset:b"]
    # groups in topological order, members adjacent in the node order
    place = {graph.refs[n]: graph.position[n] for n in range(graph.size)}
    assert place["source:s"] < min(place["dataset:a"], place["dataset:b"])
    assert max(place["dataset:a"], place["dataset:b"]) < place["output:o"]
    assert abs(place["dataset:a"] - place["dataset:b"]) == 1
    # everything downstream of the source is reached, through the cycle
    reached = {graph.refs[n] for n in graph.descendants(graph.nodes["source:s"])}
    assert reached == {"source:s", "dataset:a", "dataset:b", "output:o"}
