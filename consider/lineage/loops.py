"""Feedback loops: strongly connected groups over lineage and feedback edges, each
described once, at its first entity in id order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from consider.lineage.graph import cycle_through, first_in_id_order, lineage_graph

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity


def has_holdout(fields: Mapping[str, Any]) -> bool:
    """Whether an output holds traffic out: a share above 0, as a percentage or in
    `{share, description}` (a description alone, which may say there is none, is not one)."""
    holdout = fields.get("holdout")
    if isinstance(holdout, Mapping):
        holdout = holdout.get("share")
    return isinstance(holdout, (int, float)) and not isinstance(holdout, bool) and holdout > 0


def _mitigations(entity: Entity) -> list[str]:
    fields = entity.fields
    found = []
    if entity.kind == "outputs":
        if has_holdout(fields):
            found.append(f"{entity.ref} holdout")
        if fields.get("exploration") not in (None, False):
            found.append(f"{entity.ref} exploration")
        if fields.get("propensity_logging") is True:
            found.append(f"{entity.ref} propensity logging")
    elif entity.kind == "models":
        if fields.get("exploration") not in (None, False):
            found.append(f"{entity.ref} exploration")
        if fields.get("position_feature") is True:
            found.append(f"{entity.ref} position feature")
    return found


def loops_by_ref(spec: Analysis) -> dict[str, dict[str, Any]]:
    """ref → {'feedback_loop': ... (at the head only), 'in_loop': head ref}."""

    def compute(spec: Analysis) -> dict[str, dict[str, Any]]:
        graph = lineage_graph(spec)
        result: dict[str, dict[str, Any]] = {}
        for group in graph.loops:
            head = first_in_id_order(graph, group)
            members = [graph.entities[node] for node in group]
            cycle = [graph.refs[node] for node in cycle_through(graph, group, head)]
            models = sorted(e.ref for e in members if e.kind == "models")
            mitigations = [m for e in members for m in _mitigations(e)]
            filters = sorted(
                e.ref
                for e in members
                if e.kind == "outputs"
                # What a filter hides or a decline refuses is never observed again.
                and e.fields.get("decision") in ("filter", "approve")
                and not has_holdout(e.fields)
            )
            # Of those, the ones with no exploration either: an exploration of their own (a
            # reviewed sample of what they turned away) may observe some outcomes; with none,
            # nothing does.
            unobserved = [
                ref
                for ref in filters
                if graph.entities[graph.nodes[ref]].fields.get("exploration") in (None, False)
            ]
            ordered = [
                graph.refs[head],
                *sorted(
                    (graph.refs[node] for node in group if node != head),
                    key=lambda ref: (ref.partition(":")[2], ref),
                ),
            ]
            loop = {
                "entities": ordered,
                "size": len(group),
                "cycle": cycle,
                "route": " → ".join(cycle),
                "models": models,
                "hidden": len(models) >= 2,
                "mitigated": bool(mitigations),
                "mitigations": mitigations,
                "filters_without_holdout": filters,
                "filters_unobserved": unobserved,
            }
            for node in group:
                result.setdefault(graph.refs[node], {})["in_loop"] = graph.refs[head]
            result[graph.refs[head]]["feedback_loop"] = loop
        return result

    cached: dict[str, dict[str, Any]] = spec.cached("lineage.loops", compute)
    return cached
