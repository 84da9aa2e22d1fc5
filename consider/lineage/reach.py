"""Reach of a change: what follows a change to an entity (its direct consumers), and, for
every entity at once, the models to retrain and the outputs affected downstream."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consider.lineage.delays import holds_precomputed
from consider.lineage.graph import Graph, lineage_graph

if TYPE_CHECKING:
    from consider.analysis import Analysis

FOLLOW_FIELDS = ("on_change.retrain", "on_change.rerun", "on_retrain.rerun")
"""The declared lists of what must follow a change, compared with :func:`followers`."""


def followers(graph: Graph, node: int, field: str) -> list[str]:
    """The direct consumers the graph says must follow a change to ``node``, for one of
    :data:`FOLLOW_FIELDS`, in ref order: for ``on_change.retrain``, the models that train on
    it or on it as a feature; for ``on_change.rerun``, the datasets and features built on it
    and the outputs that hold precomputed results; for ``on_retrain.rerun`` (a model), the
    datasets and models built on it and the outputs that hold precomputed results. A call on
    a request path reads the new answer by itself, so it follows nothing."""
    found: set[str] = set()
    for target, kind in graph.down[node]:
        if kind == "calls":
            continue
        consumer = graph.entities[target]
        if field == "on_change.retrain":
            wanted = consumer.kind == "models" and kind in ("trained_on", "features")
        elif field == "on_change.rerun":
            wanted = consumer.kind in ("datasets", "features")
        else:
            wanted = consumer.kind in ("datasets", "models")
        if wanted or (
            field != "on_change.retrain"
            and consumer.kind == "outputs"
            and holds_precomputed(consumer)
        ):
            found.add(consumer.ref)
    return sorted(found)


IMPACT_LIMIT = 25
"""Most refs an `impact` fact lists per kind (in plan order); `*_count` stays exact."""


def reach_all(spec: Analysis) -> list[tuple[list[int], list[int], bool]]:
    """For every node: (models to retrain, outputs affected, truncated), by a capped DP.

    Each list keeps the ``IMPACT_LIMIT`` earliest nodes in topological order; the union of
    the children's capped lists, capped again, is exactly the capped list of the union, so
    the lists are exact prefixes and the work stays linear. The members of a lineage cycle
    reach one another, so they share one answer: what any of them reaches."""
    graph = lineage_graph(spec)
    n = graph.size
    retrain: list[list[int]] = [[] for _ in range(n)]
    outputs: list[list[int]] = [[] for _ in range(n)]
    truncated = [False] * n
    position, group = graph.position, graph.group
    kinds = [entity.kind for entity in graph.entities]
    for gid in range(len(graph.groups) - 1, -1, -1):
        members = graph.groups[gid]
        models: set[int] = set()
        served: set[int] = set()
        cut = False
        for v in members:
            for w, kind in graph.down[v]:
                if kinds[w] == "models" and kind in ("trained_on", "features"):
                    models.add(w)
                if kinds[w] == "outputs":
                    served.add(w)
                if group[w] != gid:
                    models.update(retrain[w])
                    served.update(outputs[w])
                    cut = cut or truncated[w]
        ordered_models = sorted(models, key=position.__getitem__)
        ordered_outputs = sorted(served, key=position.__getitem__)
        if len(ordered_models) > IMPACT_LIMIT or len(ordered_outputs) > IMPACT_LIMIT:
            cut = True
        for v in members:
            retrain[v] = ordered_models[:IMPACT_LIMIT]
            outputs[v] = ordered_outputs[:IMPACT_LIMIT]
            truncated[v] = cut
    return [(retrain[i], outputs[i], truncated[i]) for i in range(n)]


def reach(spec: Analysis) -> list[tuple[list[int], list[int], bool]]:
    """:func:`reach_all`, computed once per spec."""
    table: list[tuple[list[int], list[int], bool]] = spec.cached("lineage.impact", reach_all)
    return table
