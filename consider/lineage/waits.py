"""The per-hop wait table: what each hop of the lineage waits for once its input carries a
change. One table serves every command: ``check`` and ``graph`` add the waits along the
worst path into an output (its worst-case staleness), ``impact`` adds them along the path a
change takes (the time until it is visible).

A hop u → v waits for v's next scheduled run (a whole interval: the change may land just
after a run starts) plus v's processing, runtime, or training and deploy time, unless a
declaration starts v as soon as u changes: u's ``on_change.rerun``/``on_change.retrain``
or ``on_retrain.rerun`` lists v, or v is a model retrained on new data or schema changes
(``retrain.triggers``). Then the hop waits only for the work itself. The figures come from
:func:`consider.lineage.delays.own_delay`, with or without the trigger.
"""

from __future__ import annotations

from consider.fields import at, field_refs
from consider.lineage.delays import MODEL, Own, Read, allowed_lateness, own_delay
from consider.lineage.graph import Graph
from consider.model import Entity

START_TRIGGERS = frozenset({"new_data", "schema_change"})
"""Retrain triggers that start a retrain as soon as new data lands."""

_TRAINING_EDGES = frozenset({"trained_on", "features"})


_DECLARED: dict[str, tuple[tuple[str, str, str], ...]] = {
    "datasets": (
        ("on_change.retrain", "on_change", "retrain"),
        ("on_change.rerun", "on_change", "rerun"),
    ),
    "models": (("on_retrain.rerun", "on_retrain", "rerun"),),
}
"""The fields in which an entity of each kind lists what must follow it: (name, path)."""


def declares(entity: Entity) -> dict[str, list[str]]:
    """The lists an entity declares about what must follow it, by field."""
    return {
        name: field_refs(entity.fields, *path) for name, *path in _DECLARED.get(entity.kind, ())
    }


def trigger(graph: Graph, u: int, v: int, edge: str, mode: str) -> str | None:
    """The declaration that starts ``v`` as soon as ``u`` changes, named, or None."""
    ref = graph.refs[v]
    upstream = graph.entities[u]
    # As declares(), list by list, without building its mapping or its lists: a walk asks
    # once per edge. A reference is text, so it is in a list of them as in the list itself.
    for field_name, first, second in _DECLARED.get(upstream.kind, ()):
        listed = at(upstream.fields, first, second)
        if isinstance(listed, list) and ref in listed:
            return f"{graph.refs[u]} {field_name}"
    entity = graph.entities[v]
    if entity.kind == "models" and mode == MODEL and edge in _TRAINING_EDGES:
        triggers = set(field_refs(entity.fields, "retrain", "triggers")) & START_TRIGGERS
        if triggers:
            return f"{ref} retrain.triggers ({', '.join(sorted(triggers))})"
    return None


def feature_input(graph: Graph, v: int) -> Read | None:
    """What a feature reads, or None: the data its `source` names, and the allowed lateness
    of that source, or, for a dataset, the largest of the sources it is derived from
    directly (the lateness is theirs; a dataset declares none)."""
    if graph.entities[v].kind != "features":
        return None
    u = next((u for u, edge in graph.up[v] if edge == "source"), None)
    if u is None:
        return None
    data = graph.entities[u]
    if data.kind != "datasets":
        return Read(data, allowed_lateness(data))
    behind = [
        allowed_lateness(graph.entities[w]) for w, edge in graph.up[u] if edge == "derived_from"
    ]
    return Read(data, max(behind, default=0.0))


def hop_wait(
    graph: Graph,
    u: int,
    v: int,
    edge: str,
    mode: str,
    memo: dict[tuple[int, bool], Own] | None = None,
) -> Own:
    """What the hop ``u`` → ``v`` (an edge of kind ``edge``) waits in walk ``mode``.

    The wait depends on ``v`` and on whether ``u`` starts it at once, not on ``u`` otherwise:
    a walk passes one ``memo`` (for one graph and mode) so each entity's wait is computed
    once, not once per input edge."""
    started = trigger(graph, u, v, edge, mode) is not None
    if memo is not None:
        found = memo.get((v, started))
        if found is not None:
            return found
    wait = own_delay(graph.entities[v], mode, triggered=started, read=feature_input(graph, v))
    if memo is not None:
        memo[(v, started)] = wait
    return wait


def table(graph: Graph, mode: str) -> dict[tuple[str, str], float]:
    """Every hop's wait in seconds, by (from ref, to ref): the table the commands share."""
    return {
        (graph.refs[u], graph.refs[v]): hop_wait(graph, u, v, edge, mode).total
        for v in range(graph.size)
        for u, edge in graph.up[v]
    }
