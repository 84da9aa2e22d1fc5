"""Staleness facts: the worst-case staleness of every output, SLO and intermediate entity,
from the staleness walk (consider/lineage/staleness.py).

docs/lineage.md explains how each figure is computed; the ``doc`` of each fact below is
what docs/facts.md shows to pack authors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact
from consider.fields import ROUND, field_seconds, ratio, slo_output
from consider.lineage.delays import DATA, MODEL
from consider.lineage.graph import lineage_graph
from consider.lineage.staleness import (
    fastest_walk,
    freshness,
    staleness_of,
    staleness_walk,
    unreached,
)

if TYPE_CHECKING:
    from consider.analysis import Analysis

_STALENESS_DOC = (
    "Worst-case staleness of the data behind this {what}: `worst` (seconds), the largest "
    "single delay on that path as `dominant` (ref), `dominant_delay` (seconds) and "
    "`dominant_label` (words, such as 'the daily pull of source:orders-db (24h + 2h "
    "processing)'), `complete` (false when a batch step upstream states no interval), and "
    "the largest batch interval upstream as `batch_interval` (seconds) and `batch_source` "
    "(ref). {extra}"
)


@fact(
    "staleness",
    kind="outputs",
    doc=_STALENESS_DOC.format(
        what="output over all of its inputs (data only; feedback edges left out)",
        extra="Also `path` (refs from the origin to this output), `route` (the path joined with "
        "arrows), `unknown` (refs on the path whose delay is not stated) and "
        "`degraded_worst` (worst plus the cache's `stale_if_error`).",
    ),
)
def output_staleness(spec: Analysis) -> Mapping[str, Any]:
    graph = lineage_graph(spec)
    walk = staleness_walk(spec, DATA)
    result = {}
    for entity in spec.entities("outputs"):
        node = graph.nodes[entity.ref]
        found = staleness_of(graph, walk, node, with_path=True)
        if found is None:
            continue
        extra = field_seconds(entity.fields, "cache", "stale_if_error")
        found["degraded_worst"] = round(found["worst"] + extra, ROUND) if extra else None
        result[entity.id] = found
    return result


def _intermediate(spec: Analysis, kind: str, mode: str) -> dict[str, Any]:
    graph = lineage_graph(spec)
    walk = staleness_walk(spec, mode)
    result = {}
    for entity in spec.entities(kind):
        found = staleness_of(graph, walk, graph.nodes[entity.ref], with_path=False)
        if found is not None:
            result[entity.id] = found
    return result


_INTERMEDIATE = (
    "Also `via` (the upstream ref on the worst path), `origin` (where that path "
    "starts) and `hops` (its number of edges)."
)


_INTERMEDIATE_KINDS = {
    "sources": ("source as it lands (its own collection delay)", DATA),
    "datasets": ("dataset, from its sources through its own refresh", DATA),
    "features": ("feature as served, from its sources through its materialisation", DATA),
    "models": (
        "model's knowledge: its training data's staleness plus its own retrain cycle "
        "(cadence + retrain duration + deploy duration)",
        MODEL,
    ),
}
"""The kinds whose staleness is read off the walk as it passes, with what the figure is of
and the walk's mode (a model's own figure includes its retraining)."""


def _register_intermediate(kind: str, what: str, mode: str) -> None:
    @fact("staleness", kind=kind, doc=_STALENESS_DOC.format(what=what, extra=_INTERMEDIATE))
    def intermediate_staleness(spec: Analysis) -> Mapping[str, Any]:
        return _intermediate(spec, kind, mode)


for _kind, (_what, _mode) in _INTERMEDIATE_KINDS.items():
    _register_intermediate(_kind, _what, _mode)


@fact(
    "staleness",
    kind="slos",
    doc=_STALENESS_DOC.format(
        what="SLO's output, walked as the SLO's freshness says: only paths through its `scope` "
        "(all inputs when absent), and model retraining only when `includes` lists `model`",
        extra="Also `path`, `route`, `unknown` and `degraded_worst` as for outputs; "
        "`max_staleness` (the promise, seconds), `ratio` (worst / max_staleness), "
        "`includes` (the list used), `scope` (refs) and `unreached` (scope refs that no "
        "path to the output goes through; `worst` is null when none does).",
    ),
)
def slo_staleness(spec: Analysis) -> Mapping[str, Any]:
    graph = lineage_graph(spec)
    result = {}
    for slo in spec.entities("slos"):
        output = slo_output(spec, slo)
        if output is None:
            continue
        wanted = freshness(spec, slo)
        node = graph.nodes[output.ref]
        # slo_walk(spec, slo), without reading the freshness a second time.
        walk = staleness_walk(spec, wanted.mode, wanted.scope)
        found = staleness_of(graph, walk, node, with_path=True) or {
            "worst": None,
            "dominant": None,
            "dominant_delay": None,
            "dominant_label": None,
            "complete": True,
            "batch_interval": None,
            "batch_source": None,
            "path": [],
            "route": "",
            "unknown": [],
        }
        promised = field_seconds(wanted.fields, "max_staleness")
        extra = field_seconds(output.fields, "cache", "stale_if_error")
        worst = found["worst"]
        found.update(
            degraded_worst=round(worst + extra, ROUND) if extra and worst is not None else None,
            max_staleness=promised,
            ratio=ratio(worst, promised),
            includes=wanted.includes,
            scope=wanted.scope_refs,
            unreached=(
                unreached(graph, walk, wanted.scope, node) if wanted.scope is not None else []
            ),
        )
        result[slo.id] = found
    return result


AT_ONCE = 1800.0
"""What "at once" allows at most: half an hour, about one visit of a user, whose action
should count while they are still there (a freshness promise may be tighter)."""


@fact(
    "fastest_input",
    kind="outputs",
    doc="How soon a new event can reach this output at all, by its quickest route through "
    "its inputs (data only, each hop's wait as in the staleness walk; a call on the request "
    "path reaches it at once): `delay` (seconds), `route` (the refs of that route joined "
    "with arrows, origin first), `limit` (seconds: half an hour, about one visit of a user, "
    "or the tightest freshness promise of its SLOs where that is tighter), `slo` (the SLO "
    "that sets the limit, or null) and `ratio` (delay / limit). Absent for an output with "
    "no inputs.",
)
def output_fastest_input(spec: Analysis) -> Mapping[str, Any]:
    from consider.facts.serving import output_tightest_freshness

    graph = lineage_graph(spec)
    walk = fastest_walk(spec)
    promises = output_tightest_freshness(spec)
    result = {}
    for entity in spec.entities("outputs"):
        node = graph.nodes[entity.ref]
        if walk.pred[node] == -1:
            continue
        route = [node]
        while walk.pred[route[-1]] != -1 and len(route) <= graph.size:
            route.append(walk.pred[route[-1]])
        promise = promises.get(entity.id) or {}
        stated = promise.get("max_staleness")
        limit = stated if stated is not None and stated < AT_ONCE else AT_ONCE
        if limit == AT_ONCE:
            promise = {}
        delay = walk.value[node]
        result[entity.id] = {
            "delay": delay,
            "route": " → ".join(graph.refs[i] for i in reversed(route)),
            "limit": limit,
            "slo": promise.get("slo"),
            "ratio": ratio(delay, limit),
        }
    return result
