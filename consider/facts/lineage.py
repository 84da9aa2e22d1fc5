"""Lineage facts: the figures that read the spec as a system.

Worst-case staleness along the lineage (per output, per SLO and per intermediate entity),
composite availability, the latency budget, error budgets, pull capacity, precompute runs,
model age, feedback loops, retrain triggers and re-runs, and the press release's timing
promises. Each is computed once per spec over the lineage graph (``consider.graph``) and is
linear in nodes plus edges: dynamic programming over a topological order, strongly connected
components for loops, never path enumeration.

docs/lineage.md explains how each figure is computed; the ``doc`` of each fact below is
what ``consider rules facts`` and docs/facts.md show to pack authors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from consider.cron import cron_gaps
from consider.errors import PackError
from consider.facts import fact
from consider.graph import Graph, cycle_through, first_in_id_order, lineage_graph
from consider.units import (
    format_count,
    format_duration,
    format_percentage,
    format_size,
    parse_duration,
)

if TYPE_CHECKING:
    from consider.model import Entity, Spec

DATA, MODEL = "data", "model"
"""Walk modes: data only (the default ``includes``), or data and model retraining."""

PATH_LIMIT = 64
"""Longest path kept in a fact; longer ones keep both ends around an elision."""

DEFAULT_WINDOW = 30 * 86400.0
"""The SLO window assumed for planned downtime when an SLO states none (30 days)."""

_ROUND = 6  # durations are kept to the microsecond, so sums do not flip comparisons
_ROUND_RATIO = 9
_ROUND_AVAILABILITY = 12


# -- small helpers ----------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _at(fields: Mapping[str, Any], *path: str) -> Any:
    value: Any = fields
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def field_seconds(fields: Mapping[str, Any], *path: str) -> float | None:
    """A normalised number at ``path`` in an entity's fields (seconds, fraction...), or None."""
    return _number(_at(fields, *path))


def field_refs(fields: Mapping[str, Any], *path: str) -> list[str]:
    """The references listed at ``path`` in an entity's fields."""
    value = _at(fields, *path)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


_seconds = field_seconds
_refs = field_refs


def _ratio(part: float | None, whole: float | None) -> float | None:
    if part is None or whole is None or whole < 0:
        return None
    if whole == 0:
        # A target of 0 (p99: 0ms, max_staleness: 0s) is met only by nothing at all; anything
        # more breaks it, however little, rather than switching the check off.
        return 0.0 if part <= 0 else math.inf
    return round(part / whole, _ROUND_RATIO)


def _duration(seconds: float) -> str:
    return format_duration(seconds)


_CADENCE_WORDS = {60.0: "minutely", 3600.0: "hourly", 86400.0: "daily", 604800.0: "weekly"}


def _every(what: str, ref: str, seconds: float, detail: str) -> str:
    word = _CADENCE_WORDS.get(seconds)
    head = (
        f"the {word} {what} of {ref}" if word else f"the {what} of {ref} every {_duration(seconds)}"
    )
    return f"{head} ({detail})" if detail else head


def _plus(first: float, second: float | None, name: str) -> str:
    if not second:
        return _duration(first)
    return f"{_duration(first)} + {_duration(second)} {name}"


def _elide(path: list[str]) -> list[str]:
    if len(path) <= PATH_LIMIT:
        return path
    keep = PATH_LIMIT // 2
    return [*path[:keep], f"... {len(path) - 2 * keep + 1} more ...", *path[-keep + 1 :]]


# -- staleness: each entity's own delay -------------------------------------------------------


class Term(NamedTuple):
    """One delay an entity adds to the data passing through it."""

    seconds: float
    label: str


class Own(NamedTuple):
    """What an entity adds in one walk mode: the sum of its terms, its largest term, whether
    a delay it should state is missing, and its batch interval (for the quick check)."""

    total: float
    best: Term | None
    unknown: bool
    interval: float


_NOTHING = Own(0.0, None, False, 0.0)


def _batch(
    ref: str, what: str, interval: float | None, extra: float | None, extra_name: str
) -> Own:
    if interval is None:
        return Own(extra or 0.0, None, True, 0.0)
    total = interval + (extra or 0.0)
    label = _every(what, ref, interval, _plus(interval, extra, extra_name) if extra else "")
    return Own(total, Term(total, label), False, interval)


def _stream(ref: str, lag: float | None, lateness: float | None = None) -> Own:
    total = (lag or 0.0) + (lateness or 0.0)
    if total <= 0:
        return _NOTHING
    detail = _plus(lag or 0.0, lateness, "allowed lateness")
    return Own(total, Term(total, f"the stream lag of {ref} ({detail})"), False, 0.0)


def precompute_gaps(output: Mapping[str, Any]) -> tuple[float, float, str] | None:
    """(shortest gap, longest gap, how the schedule is written) of an output's precompute
    (its fields, normalised); None without a usable schedule."""
    schedule = _at(output, "precompute", "schedule")
    if isinstance(schedule, Mapping):
        cron = schedule.get("cron")
        gaps = cron_gaps(cron) if isinstance(cron, str) else None
        if gaps is None:
            return None
        return gaps.shortest, gaps.longest, f"cron '{cron}'"
    seconds = _number(schedule)
    if seconds is None or seconds <= 0:
        return None
    return seconds, seconds, _duration(seconds)


def own_delay(entity: Entity, mode: str) -> Own:
    """The worst-case delay one entity adds, by the rules of DOMAIN.md's staleness check."""
    fields, ref, kind = entity.fields, entity.ref, entity.kind
    if kind == "sources":
        method = fields.get("method")
        if method == "stream" or (
            method is None and "max_lag" in fields and "interval" not in fields
        ):
            return _stream(
                ref, _seconds(fields, "max_lag"), _seconds(fields, "late_data", "allowed_lateness")
            )
        what = {"pull": "pull", "push": "delivery"}.get(str(fields.get("direction")), "batch load")
        return _batch(
            ref, what, _seconds(fields, "interval"), _seconds(fields, "processing"), "processing"
        )
    if kind == "datasets":
        refresh = fields.get("refresh")
        if not isinstance(refresh, Mapping):
            return Own(0.0, None, True, 0.0)
        if refresh.get("method") == "stream" or (
            refresh.get("method") is None and "interval" not in refresh
        ):
            return _stream(ref, _seconds(refresh, "max_lag"))
        return _batch(
            ref,
            "refresh",
            _seconds(refresh, "interval"),
            _seconds(refresh, "processing"),
            "processing",
        )
    if kind == "features":
        compute = fields.get("compute")
        if compute == "stream":
            return _stream(ref, _seconds(fields, "max_lag"))
        if compute == "batch" or (compute is None and "materialize" in fields):
            return _batch(
                ref,
                "materialisation",
                _seconds(fields, "materialize", "interval"),
                _seconds(fields, "materialize", "runtime"),
                "runtime",
            )
        return _NOTHING
    if kind == "models":
        if mode != MODEL:
            return _NOTHING
        cadence = _seconds(fields, "retrain", "cadence")
        if cadence is None:
            return Own(0.0, None, True, 0.0)
        training = _seconds(fields, "retrain", "duration") or 0.0
        deploy = _seconds(fields, "deploy", "duration") or 0.0
        total = cadence + training + deploy
        parts = [_duration(cadence)]
        if training:
            parts.append(f"{_duration(training)} training")
        if deploy:
            parts.append(f"{_duration(deploy)} deploy")
        return Own(
            total, Term(total, _every("retrain", ref, cadence, " + ".join(parts))), False, 0.0
        )
    if kind == "outputs":
        terms: list[Term] = []
        unknown = False
        if isinstance(fields.get("precompute"), Mapping) or fields.get("mode") == "precomputed":
            gaps = precompute_gaps(fields)
            runtime = _seconds(fields, "precompute", "runtime") or 0.0
            if gaps is None:
                unknown = True
            else:
                _, longest, written = gaps
                detail = _plus(longest, runtime, "runtime")
                if written.startswith("cron"):
                    label = f"the precompute of {ref} on {written} (longest gap {detail})"
                else:
                    label = _every("precompute", ref, longest, detail if runtime else "")
                terms.append(Term(longest + runtime, label))
        ttl = _seconds(fields, "cache", "ttl")
        if ttl:
            terms.append(Term(ttl, f"the cache of {ref} (ttl {_duration(ttl)})"))
        best = max(terms, key=lambda t: t.seconds, default=None)
        return Own(sum(t.seconds for t in terms), best, unknown, 0.0)
    return _NOTHING


# -- staleness: the walk ----------------------------------------------------------------------


class Walk(NamedTuple):
    """One pass of the staleness DP over the topological order.

    ``value[v]`` is the worst-case staleness of ``v`` (None: no path reaches it, in a scoped
    walk); ``pred[v]`` the predecessor on that path; ``dom[v]`` the node whose term is the
    largest on it; ``batch[v]`` the node with the largest batch interval upstream;
    ``complete[v]`` whether every delay upstream is stated. In a scoped walk, ``anchor[v]``
    marks scope nodes, where the path continues in ``base``.
    """

    mode: str
    own: list[Own]
    value: list[float | None]
    pred: list[int]
    dom: list[int]
    batch: list[int]
    complete: list[bool]
    origin: list[int]
    hops: list[int]
    anchor: list[bool] | None = None
    base: Walk | None = None


def _own_all(spec: Spec, mode: str) -> list[Own]:
    key = f"lineage.own.{mode}"

    def compute(spec: Spec) -> list[Own]:
        return [own_delay(entity, mode) for entity in lineage_graph(spec).entities]

    result: list[Own] = spec.cached(key, compute)
    return result


def _walk(spec: Spec, mode: str, scope: frozenset[int] | None = None) -> Walk:
    """The staleness DP, cached per (mode, scope)."""
    key = (
        f"lineage.walk.{mode}"
        if scope is None
        else f"lineage.walk.{mode}.{','.join(map(str, sorted(scope)))}"
    )

    def compute(spec: Spec) -> Walk:
        graph = lineage_graph(spec)
        base = None if scope is None else _walk(spec, mode)
        return _run_walk(graph, _own_all(spec, mode), mode, scope, base)

    walk: Walk = spec.cached(key, compute)
    return walk


def _run_walk(
    graph: Graph, own: list[Own], mode: str, scope: frozenset[int] | None, base: Walk | None
) -> Walk:
    n = graph.size
    value: list[float | None] = [None] * n
    pred = [-1] * n
    dom = [-1] * n
    batch = [-1] * n
    complete = [True] * n
    origin = list(range(n))
    hops = [0] * n
    anchor = [False] * n if scope is not None else None
    skip = "trained_on" if mode == DATA else None
    for v in graph.order:
        if base is not None and anchor is not None and v in scope:  # type: ignore[operator]
            anchor[v] = True
            value[v], pred[v], dom[v] = base.value[v], base.pred[v], base.dom[v]
            batch[v], complete[v] = base.batch[v], base.complete[v]
            origin[v], hops[v] = base.origin[v], base.hops[v]
            continue
        mine = own[v]
        best_u = -1
        best_value = -1.0
        is_complete = not mine.unknown
        largest = v if mine.interval > 0 else -1
        for u, kind in graph.acyclic_preds(v):
            if kind == skip:
                continue
            upstream = value[u]
            if upstream is None:
                continue
            if upstream > best_value or (upstream == best_value and hops[u] < hops[best_u]):
                best_value, best_u = upstream, u  # ties: the shorter path
            if not complete[u]:
                is_complete = False
            other = batch[u]
            if other != -1 and (
                largest == -1
                or own[other].interval > own[largest].interval
                or (largest == v and own[other].interval == mine.interval)
            ):
                largest = other
        if scope is not None and best_u == -1:
            continue  # no path through the scope reaches v
        total = mine.total + (best_value if best_u != -1 else 0.0)
        value[v] = round(total, _ROUND)
        pred[v] = best_u
        heaviest = dom[best_u] if best_u != -1 else -1
        if mine.best is not None and (
            heaviest == -1 or mine.best.seconds > _best_seconds(own, heaviest)
        ):
            heaviest = v
        dom[v] = heaviest
        batch[v] = largest
        complete[v] = is_complete
        if best_u != -1:
            origin[v], hops[v] = origin[best_u], hops[best_u] + 1
    return Walk(mode, own, value, pred, dom, batch, complete, origin, hops, anchor, base)


def _best_seconds(own: list[Own], node: int) -> float:
    best = own[node].best
    return best.seconds if best is not None else 0.0


def walk_path(walk: Walk, node: int) -> list[int]:
    """The worst path ending at ``node``, from its origin (linear in its length)."""
    nodes: list[int] = []
    current: Walk | None = walk
    here = node
    while here != -1 and current is not None:
        nodes.append(here)
        if current.anchor is not None and current.anchor[here]:
            current = current.base
            if current is None:
                break
        here = current.pred[here]
    nodes.reverse()
    return nodes


def _staleness(graph: Graph, walk: Walk, node: int, *, with_path: bool) -> dict[str, Any] | None:
    worst = walk.value[node]
    if worst is None:
        return None
    heaviest = walk.dom[node]
    term = walk.own[heaviest].best if heaviest != -1 else None
    largest = walk.batch[node]
    result: dict[str, Any] = {
        "worst": worst,
        "dominant": graph.refs[heaviest] if heaviest != -1 else None,
        "dominant_delay": term.seconds if term is not None else None,
        "dominant_label": term.label if term is not None else None,
        "complete": walk.complete[node],
        "batch_interval": walk.own[largest].interval if largest != -1 else None,
        "batch_source": graph.refs[largest] if largest != -1 else None,
    }
    if with_path:
        nodes = walk_path(walk, node)
        path = _elide([graph.refs[i] for i in nodes])
        result["path"] = path
        result["route"] = " → ".join(path)
        result["unknown"] = [graph.refs[i] for i in nodes if walk.own[i].unknown]
    else:
        via = walk.pred[node]
        result["via"] = graph.refs[via] if via != -1 else None
        result["origin"] = graph.refs[walk.origin[node]]
        result["hops"] = walk.hops[node]
    return result


_STALENESS_DOC = (
    "Worst-case staleness of the data behind this {what}: `worst` (seconds), the largest "
    "single delay on that path as `dominant` (ref), `dominant_delay` (seconds) and "
    "`dominant_label` (words, such as 'the daily pull of source:orders-db (1d + 2h "
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
def output_staleness(spec: Spec) -> Mapping[str, Any]:
    graph = lineage_graph(spec)
    walk = _walk(spec, DATA)
    result = {}
    for entity in spec.entities("outputs"):
        node = graph.nodes[entity.ref]
        found = _staleness(graph, walk, node, with_path=True)
        if found is None:
            continue
        extra = _seconds(entity.fields, "cache", "stale_if_error")
        found["degraded_worst"] = round(found["worst"] + extra, _ROUND) if extra else None
        result[entity.id] = found
    return result


def _intermediate(spec: Spec, kind: str, mode: str) -> dict[str, Any]:
    graph = lineage_graph(spec)
    walk = _walk(spec, mode)
    result = {}
    for entity in spec.entities(kind):
        found = _staleness(graph, walk, graph.nodes[entity.ref], with_path=False)
        if found is not None:
            result[entity.id] = found
    return result


_INTERMEDIATE = (
    "Also `via` (the upstream ref on the worst path), `origin` (where that path "
    "starts) and `hops` (its number of edges)."
)


@fact(
    "staleness",
    kind="sources",
    doc=_STALENESS_DOC.format(
        what="source as it lands (its own collection delay)", extra=_INTERMEDIATE
    ),
)
def source_staleness(spec: Spec) -> Mapping[str, Any]:
    return _intermediate(spec, "sources", DATA)


@fact(
    "staleness",
    kind="datasets",
    doc=_STALENESS_DOC.format(
        what="dataset, from its sources through its own refresh", extra=_INTERMEDIATE
    ),
)
def dataset_staleness(spec: Spec) -> Mapping[str, Any]:
    return _intermediate(spec, "datasets", DATA)


@fact(
    "staleness",
    kind="features",
    doc=_STALENESS_DOC.format(
        what="feature as served, from its sources through its materialisation", extra=_INTERMEDIATE
    ),
)
def feature_staleness(spec: Spec) -> Mapping[str, Any]:
    return _intermediate(spec, "features", DATA)


@fact(
    "staleness",
    kind="models",
    doc=_STALENESS_DOC.format(
        what="model's knowledge: its training data's staleness plus its own retrain cycle "
        "(cadence + retrain duration + deploy duration)",
        extra=_INTERMEDIATE,
    ),
)
def model_staleness(spec: Spec) -> Mapping[str, Any]:
    return _intermediate(spec, "models", MODEL)


def _slo_output(spec: Spec, slo: Entity) -> Entity | None:
    target = slo.fields.get("applies_to")
    resolved = spec.resolve(target) if isinstance(target, str) else None
    return resolved if resolved is not None and resolved.kind == "outputs" else None


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
def slo_staleness(spec: Spec) -> Mapping[str, Any]:
    graph = lineage_graph(spec)
    result = {}
    for slo in spec.entities("slos"):
        output = _slo_output(spec, slo)
        if output is None:
            continue
        freshness = slo.fields.get("freshness")
        freshness = freshness if isinstance(freshness, Mapping) else {}
        includes = _refs(freshness, "includes") or [DATA]
        mode = MODEL if MODEL in includes else DATA
        scope_refs = _refs(freshness, "scope")
        scope_nodes = frozenset(graph.nodes[r] for r in scope_refs if r in graph.nodes)
        node = graph.nodes[output.ref]
        walk = _walk(spec, mode, scope_nodes if scope_refs else None)
        found = _staleness(graph, walk, node, with_path=True) or {
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
        promised = _seconds(freshness, "max_staleness")
        extra = _seconds(output.fields, "cache", "stale_if_error")
        worst = found["worst"]
        found.update(
            degraded_worst=round(worst + extra, _ROUND) if extra and worst is not None else None,
            max_staleness=promised,
            ratio=_ratio(worst, promised),
            includes=includes,
            scope=scope_refs,
            unreached=_unreached(graph, walk, scope_nodes, node) if scope_refs else [],
        )
        result[slo.id] = found
    return result


def _unreached(graph: Graph, walk: Walk, scope: frozenset[int], output: int) -> list[str]:
    """Scope refs from which no walked path reaches the output (upstream search, linear)."""
    ancestors = {output}
    stack = [output]
    skip = "trained_on" if walk.mode == DATA else None
    while stack:
        here = stack.pop()
        for there, kind in graph.acyclic_preds(here):
            if kind != skip and there not in ancestors:
                ancestors.add(there)
                stack.append(there)
    return sorted(graph.refs[node] for node in scope if node not in ancestors)


# -- the serving path: availability and latency ----------------------------------------------


def _hops(value: Any) -> list[Mapping[str, Any]]:
    return [hop for hop in value if isinstance(hop, Mapping)] if isinstance(value, list) else []


def _flat(
    hops: Iterable[Mapping[str, Any]], critical: bool = True
) -> Iterable[tuple[Mapping[str, Any], bool]]:
    """Every hop with a ``dep``, parallel branches included, with whether it is critical."""
    stack = [(hop, critical) for hop in reversed(list(hops))]
    while stack:
        hop, inherited = stack.pop()
        here = inherited and hop.get("critical") is not False
        if isinstance(hop.get("dep"), str):
            yield hop, here
        stack.extend((branch, here) for branch in reversed(_hops(hop.get("parallel"))))


def _availability_of(spec: Spec, entity: Entity) -> float | None:
    own = _number(entity.fields.get("availability"))
    if own is not None:
        return own
    if entity.kind == "outputs":
        targets = [
            _number(slo.fields.get("availability"))
            for slo in spec.entities("slos")
            if slo.fields.get("applies_to") == entity.ref
        ]
        known = [t for t in targets if t is not None]
        return max(known) if known else None
    return None


def _product(values: Iterable[float]) -> float:
    result = 1.0
    for value in values:
        result *= value
    return result


def _output_availability(spec: Spec, output: Entity) -> dict[str, Any] | None:
    hops = _hops(output.fields.get("request_path"))
    if not hops:
        return None
    deps: dict[str, Entity] = {}
    for hop, critical in _flat(hops):
        entity = spec.resolve(hop["dep"])
        if entity is None or not critical or entity.fields.get("critical") is False:
            continue
        deps.setdefault(entity.ref, entity)
    fallback = output.fields.get("fallback")
    fallback = fallback if isinstance(fallback, Mapping) else {}
    covers = set(_refs(fallback, "covers"))
    known: dict[str, float] = {}
    unknown: list[str] = []
    for ref, entity in deps.items():
        availability = _availability_of(spec, entity)
        if availability is None:
            unknown.append(ref)
        else:
            known[ref] = availability
    composite = _product(known.values())
    covered = [ref for ref in deps if ref in covers and ref in known]
    uncovered = [ref for ref in known if ref not in covers]
    # The fallback's own dependencies; those the main path needs anyway add nothing.
    fallback_deps: dict[str, Entity] = {}
    for hop, _ in _flat(_hops(fallback.get("path"))):
        entity = spec.resolve(hop["dep"])
        if entity is not None:
            fallback_deps.setdefault(entity.ref, entity)
    source = fallback.get("source")
    resolved_source = spec.resolve(source) if isinstance(source, str) else None
    if resolved_source is not None:
        fallback_deps.setdefault(resolved_source.ref, resolved_source)
    fallback_known = {
        ref: a
        for ref, entity in fallback_deps.items()
        if ref not in uncovered and (a := _availability_of(spec, entity)) is not None
    }
    credit = (
        bool(covered)
        and bool(fallback_deps)
        and (bool(fallback_known) or all(ref in uncovered for ref in fallback_deps))
    )
    if credit:
        group = _product(known[ref] for ref in covered)
        fallback_availability = _product(fallback_known.values())
        with_fallback = _product(known[ref] for ref in uncovered) * (
            1 - (1 - group) * (1 - fallback_availability)
        )
    else:
        fallback_availability = None
        with_fallback = composite
    weakest = min(known, key=lambda ref: known[ref], default=None)
    if credit:
        note = (
            f"{format_percentage(round(with_fallback, _ROUND_AVAILABILITY))} with the "
            f"fallback's credit for {', '.join(covered)}"
        )
    elif fallback:
        note = "the fallback gets no credit: it covers none of them or its availability is unknown"
    else:
        note = "no fallback covers any of them"
    return {
        "composite": round(composite, _ROUND_AVAILABILITY),
        "with_fallback": round(with_fallback, _ROUND_AVAILABILITY),
        "dependencies": [
            {"ref": ref, "availability": known.get(ref), "covered": ref in covers} for ref in deps
        ],
        "covered": covered,
        "unknown": unknown,
        "weakest": weakest,
        "weakest_availability": known[weakest] if weakest is not None else None,
        "fallback_availability": (
            round(fallback_availability, _ROUND_AVAILABILITY)
            if fallback_availability is not None
            else None
        ),
        "fallback_note": note,
    }


def _availability_facts(spec: Spec) -> dict[str, dict[str, Any]]:
    def compute(spec: Spec) -> dict[str, dict[str, Any]]:
        result = {}
        for output in spec.entities("outputs"):
            found = _output_availability(spec, output)
            if found is not None:
                result[output.id] = found
        return result

    cached: dict[str, dict[str, Any]] = spec.cached("lineage.availability", compute)
    return cached


_AVAILABILITY_DOC = (
    "Composite availability of the critical serial dependencies on {what}'s `request_path` "
    "(parallel branches all needed; a hop or dependency with `critical: false` left out; "
    "independent failures assumed, so optimistic): `composite` (fraction), `with_fallback` "
    "(the dependencies the fallback `covers`, taken as a group, credited as "
    "1-(1-A_group)(1-A_fallback)), `dependencies` (each `{{ref, availability, covered}}`), "
    "`covered`, `unknown` (refs with no stated availability, counted as 1), `weakest` (ref) "
    "and `weakest_availability`, `fallback_availability`, and `fallback_note` (the credit in "
    "words, such as '99.99% with the fallback's credit for service:ranker').{extra}"
)


@fact("availability", kind="outputs", doc=_AVAILABILITY_DOC.format(what="the output", extra=""))
def output_availability(spec: Spec) -> Mapping[str, Any]:
    return _availability_facts(spec)


def _needed(target: float) -> float:
    """The availability a critical dependency needs under a target: one extra nine."""
    return round(1 - (1 - target) / 10, _ROUND_AVAILABILITY)


@fact(
    "availability",
    kind="slos",
    doc=_AVAILABILITY_DOC.format(
        what="the SLO's output",
        extra=" Also `target` (the SLO's availability), `needed` (what each critical dependency "
        "needs: one extra nine, 1-(1-target)/10) and `missing_nine` (critical dependencies "
        "not covered by the fallback whose availability is below `needed`).",
    ),
)
def slo_availability(spec: Spec) -> Mapping[str, Any]:
    by_output = _availability_facts(spec)
    result = {}
    for slo in spec.entities("slos"):
        output = _slo_output(spec, slo)
        found = by_output.get(output.id) if output is not None else None
        if found is None:
            continue
        target = _number(slo.fields.get("availability"))
        needed = _needed(target) if target is not None else None
        missing = [
            d["ref"]
            for d in found["dependencies"]
            if needed is not None
            and not d["covered"]
            and d["availability"] is not None
            and d["availability"] < needed
        ]
        result[slo.id] = {**found, "target": target, "needed": needed, "missing_nine": missing}
    return result


def _extra_nine(spec: Spec, kind: str) -> dict[str, Any]:
    by_output = _availability_facts(spec)
    strictest: dict[str, dict[str, Any]] = {}
    for slo in spec.entities("slos"):
        target = _number(slo.fields.get("availability"))
        output = _slo_output(spec, slo)
        if target is None or output is None or output.id not in by_output:
            continue
        needed = _needed(target)
        for dep in by_output[output.id]["dependencies"]:
            if dep["covered"] or dep["availability"] is None:
                continue
            current = strictest.get(dep["ref"])
            if current is None or needed > current["needed"]:
                strictest[dep["ref"]] = {
                    "availability": dep["availability"],
                    "needed": needed,
                    "target": target,
                    "slo": slo.id,
                    "output": output.ref,
                    "missing": dep["availability"] < needed,
                }
    return {
        entity.id: strictest[entity.ref]
        for entity in spec.entities(kind)
        if entity.ref in strictest
    }


_EXTRA_NINE_DOC = (
    "The 'one extra nine' comparison for a {what} that is a critical dependency (not covered "
    "by a fallback) on an output's request path, against the strictest availability SLO of "
    "those outputs: `availability`, `needed` (1-(1-target)/10), `target`, `slo` (id), "
    "`output` (ref) and `missing` (true when availability < needed)."
)


@fact("extra_nine", kind="services", doc=_EXTRA_NINE_DOC.format(what="service"))
def service_extra_nine(spec: Spec) -> Mapping[str, Any]:
    return _extra_nine(spec, "services")


@fact("extra_nine", kind="stores", doc=_EXTRA_NINE_DOC.format(what="store"))
def store_extra_nine(spec: Spec) -> Mapping[str, Any]:
    return _extra_nine(spec, "stores")


def _hop_latency(
    spec: Spec, hop: Mapping[str, Any], unknown: list[str]
) -> tuple[float, str | None, float]:
    """(latency, slowest dep, its p99) of one hop; parallel hops cost their slowest branch."""
    branches = _hops(hop.get("parallel"))
    if branches:
        worst: tuple[float, str | None, float] = (0.0, None, 0.0)
        for branch in branches:
            found = _hop_latency(spec, branch, unknown)
            if found[0] > worst[0] or worst[1] is None:
                worst = found
        return worst
    dep = hop.get("dep")
    seconds = _number(hop.get("p99"))
    if seconds is None and isinstance(dep, str):
        entity = spec.resolve(dep)
        seconds = _number(entity.fields.get("p99")) if entity is not None else None
    if seconds is None:
        if isinstance(dep, str):
            unknown.append(dep)
        return 0.0, dep if isinstance(dep, str) else None, 0.0
    return seconds, dep if isinstance(dep, str) else None, seconds


def _path_latency(
    spec: Spec, hops: Sequence[Mapping[str, Any]]
) -> tuple[float, str | None, float | None, list[str]]:
    total = 0.0
    slowest: str | None = None
    slowest_p99: float | None = None
    unknown: list[str] = []
    for hop in hops:
        seconds, dep, p99 = _hop_latency(spec, hop, unknown)
        total += seconds
        if dep is not None and (slowest_p99 is None or p99 > slowest_p99):
            slowest, slowest_p99 = dep, p99
    return round(total, _ROUND), slowest, slowest_p99, unknown


def _output_latency(spec: Spec, output: Entity) -> dict[str, Any] | None:
    hops = _hops(output.fields.get("request_path"))
    fanout = _number(_at(output.fields, "fanout", "count"))
    written = output.fields.get("fallback")
    fallback: Mapping[str, Any] = written if isinstance(written, Mapping) else {}
    if not hops and fanout is None and not fallback:
        return None
    total, slowest, slowest_p99, unknown = _path_latency(spec, hops)
    timeout = _seconds(fallback, "timeout")
    fallback_hops = _hops(fallback.get("path"))
    fallback_unknown: list[str] = []
    if fallback_hops:
        path_total, _, _, fallback_unknown = _path_latency(spec, fallback_hops)
    else:
        source = fallback.get("source")
        entity = spec.resolve(source) if isinstance(source, str) else None
        own = _number(entity.fields.get("p99")) if entity is not None else None
        path_total = own or 0.0
        if entity is not None and own is None:
            fallback_unknown = [entity.ref]
    fallback_total = round(timeout + path_total, _ROUND) if timeout is not None else None
    return {
        "total": total if hops else None,
        "slowest": slowest,
        "slowest_p99": slowest_p99,
        "unknown": unknown,
        "fallback_timeout": timeout,
        "fallback_path": round(path_total, _ROUND) if fallback else None,
        "fallback_total": fallback_total,
        "fallback_unknown": fallback_unknown,
        "fanout": fanout,
        "fanout_slow_share": round(1 - 0.99**fanout, _ROUND_RATIO) if fanout else None,
    }


def _latency_facts(spec: Spec) -> dict[str, dict[str, Any]]:
    def compute(spec: Spec) -> dict[str, dict[str, Any]]:
        result = {}
        for output in spec.entities("outputs"):
            found = _output_latency(spec, output)
            if found is not None:
                result[output.id] = found
        return result

    cached: dict[str, dict[str, Any]] = spec.cached("lineage.latency", compute)
    return cached


_LATENCY_DOC = (
    "The latency budget of {what}'s `request_path` (a pessimistic bound: percentiles do not "
    "add): `total` (seconds: serial hops added, a parallel step costing its slowest branch, "
    "each hop's own `p99` else its dependency's), `slowest` (ref) and `slowest_p99`, "
    "`unknown` (deps with no p99 anywhere, counted as 0), `fallback_timeout`, "
    "`fallback_path` (its hops added, else the fallback source's own p99), `fallback_total` "
    "(timeout + fallback path), `fallback_unknown`, `fanout` (the `fanout.count`) and "
    "`fanout_slow_share` (1-0.99^N: the share of requests that meet at least one slow "
    "call when each is slow 1% of the time).{extra}"
)


@fact("latency", kind="outputs", doc=_LATENCY_DOC.format(what="the output", extra=""))
def output_latency(spec: Spec) -> Mapping[str, Any]:
    return _latency_facts(spec)


@fact(
    "latency",
    kind="slos",
    doc=_LATENCY_DOC.format(
        what="the SLO's output",
        extra=" Also `budget` (the SLO's `latency.p99`), `ratio` (total / budget) and "
        "`fallback_ratio` (fallback_total / budget).",
    ),
)
def slo_latency(spec: Spec) -> Mapping[str, Any]:
    by_output = _latency_facts(spec)
    result = {}
    for slo in spec.entities("slos"):
        output = _slo_output(spec, slo)
        found = by_output.get(output.id) if output is not None else None
        if found is None:
            continue
        budget = _seconds(slo.fields, "latency", "p99")
        result[slo.id] = {
            **found,
            "budget": budget,
            "ratio": _ratio(found["total"], budget),
            "fallback_ratio": _ratio(found["fallback_total"], budget),
        }
    return result


# -- error budget and planned downtime --------------------------------------------------------


@fact(
    "error_budget",
    kind="slos",
    doc="The error budget over the SLO's window: `seconds` (window * (1 - availability); "
    "99.95% over 30d is 21m36s), `window` (seconds) and `share` (1 - availability). "
    "Absent when the SLO states no availability or no window.",
)
def slo_error_budget(spec: Spec) -> Mapping[str, Any]:
    result = {}
    for slo in spec.entities("slos"):
        availability = _number(slo.fields.get("availability"))
        window = _number(slo.fields.get("window"))
        if availability is None or window is None:
            continue
        share = round(1 - availability, _ROUND_AVAILABILITY)
        result[slo.id] = {
            "seconds": round(window * share, _ROUND),
            "window": window,
            "share": share,
        }
    return result


@fact(
    "planned_downtime",
    kind="slos",
    doc="Planned downtime against the error budget: `total` (seconds: for each "
    "`planned_downtime` entry, its duration times the most occurrences a window can "
    "hold, ceil(window / every)), `budget` (window * (1 - availability)), `ratio` "
    "(total / budget), `window` (seconds; 30d assumed when the SLO states none, with "
    "`window_assumed: true`). Absent without `planned_downtime` or availability.",
)
def slo_planned_downtime(spec: Spec) -> Mapping[str, Any]:
    result = {}
    for slo in spec.entities("slos"):
        entries = slo.fields.get("planned_downtime")
        availability = _number(slo.fields.get("availability"))
        if not isinstance(entries, list) or not entries or availability is None:
            continue
        stated = _number(slo.fields.get("window"))
        window = stated if stated is not None else DEFAULT_WINDOW
        total = 0.0
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            every, duration = _number(entry.get("every")), _number(entry.get("duration"))
            if every is None or duration is None or every <= 0:
                continue
            total += math.ceil(round(window / every, _ROUND_RATIO)) * duration
        budget = round(window * (1 - availability), _ROUND)
        result[slo.id] = {
            "total": round(total, _ROUND),
            "budget": budget,
            "ratio": _ratio(total, budget),
            "window": window,
            "window_assumed": stated is None,
        }
    return result


# -- collection: pull capacity ----------------------------------------------------------------


@fact(
    "pull_capacity",
    kind="sources",
    doc="Whether a rate-limited pull fits its refresh interval: `calls_needed` "
    "(ceil(entity_count / page_size) per full refresh), `calls_allowed` (rate_limit * "
    "interval; null without an interval), `ratio` (needed / allowed), "
    "`refresh_duration` (seconds a full refresh takes at the rate limit) and "
    "`interval`. Present when rate_limit, page_size and entity_count are all stated.",
)
def source_pull_capacity(spec: Spec) -> Mapping[str, Any]:
    result = {}
    for source in spec.entities("sources"):
        fields = source.fields
        rate = _number(fields.get("rate_limit"))
        page = _number(fields.get("page_size"))
        count = _number(fields.get("entity_count"))
        if rate is None or page is None or count is None or page <= 0 or rate <= 0:
            continue
        needed = math.ceil(round(count / page, _ROUND_RATIO))
        interval = _number(fields.get("interval"))
        allowed = math.floor(round(rate * interval, _ROUND_RATIO)) if interval else None
        result[source.id] = {
            "calls_needed": needed,
            "calls_allowed": allowed,
            "ratio": _ratio(needed, allowed) if allowed else None,
            "refresh_duration": round(needed / rate, _ROUND),
            "interval": interval,
        }
    return result


# -- precompute -------------------------------------------------------------------------------


def _store_capacity(spec: Spec, output: Entity) -> tuple[str | None, float | None]:
    for path in (("precompute", "store"), ("storage", "store")):
        ref = _at(output.fields, *path)
        entity = spec.resolve(ref) if isinstance(ref, str) else None
        if entity is not None:
            capacity = _number(entity.fields.get("capacity"))
            if capacity is not None:
                return entity.ref, capacity
    capacity = _seconds(output.fields, "storage", "capacity")
    return None, capacity


def _entries(output: Entity) -> float | None:
    cardinality = output.fields.get("cardinality")
    if not isinstance(cardinality, Mapping):
        return None
    values = [
        _number(cardinality.get(k)) for k in ("entities", "items_per_entity", "bytes_per_item")
    ]
    if any(v is None for v in values):
        return None
    return _product(v for v in values if v is not None)


@fact(
    "precompute",
    kind="outputs",
    doc="Precompute runs and their store: `shortest_gap` and `longest_gap` (seconds "
    "between runs; equal for a periodic schedule, computed over a week or the calendar "
    "for a cron one), `runtime`, `ratio` (runtime / shortest_gap: at 1 or more, runs "
    "overlap), `needed` (bytes: entities * items_per_entity * bytes_per_item), `store` "
    "(ref, when the capacity comes from a store entity), `capacity` (bytes), "
    "`store_needed` (bytes every output writing to that store needs), "
    "`capacity_ratio` (store_needed / capacity). Present when the output states a "
    "precompute schedule or a cardinality.",
)
def output_precompute(spec: Spec) -> Mapping[str, Any]:
    outputs = list(spec.entities("outputs"))
    per_store: dict[str, float] = {}
    facts: dict[str, dict[str, Any]] = {}
    for output in outputs:
        gaps = precompute_gaps(output.fields)
        needed = _entries(output)
        if gaps is None and needed is None:
            continue
        runtime = _seconds(output.fields, "precompute", "runtime")
        store, capacity = _store_capacity(spec, output)
        if store is not None and needed is not None:
            per_store[store] = per_store.get(store, 0.0) + needed
        facts[output.id] = {
            "shortest_gap": gaps[0] if gaps else None,
            "longest_gap": gaps[1] if gaps else None,
            "runtime": runtime,
            "ratio": _ratio(runtime, gaps[0]) if gaps else None,
            "needed": needed,
            "store": store,
            "capacity": capacity,
        }
    for found in facts.values():
        store_needed = per_store.get(found["store"]) if found["store"] else found["needed"]
        found["store_needed"] = store_needed
        found["capacity_ratio"] = _ratio(store_needed, found["capacity"])
    return facts


# -- models: age, triggers, re-runs -----------------------------------------------------------


@fact(
    "model_age",
    kind="models",
    doc="How old the serving model can get: `worst` (seconds: retrain cadence + retrain "
    "duration + deploy duration), `max_age` (the tolerance), `ratio` (worst / max_age), "
    "`unknown` (which of duration and deploy are not stated, counted as 0). Present "
    "when the model states a retrain cadence.",
)
def model_age(spec: Spec) -> Mapping[str, Any]:
    result = {}
    for model in spec.entities("models"):
        cadence = _seconds(model.fields, "retrain", "cadence")
        if cadence is None:
            continue
        training = _seconds(model.fields, "retrain", "duration")
        deploy = _seconds(model.fields, "deploy", "duration")
        worst = round(cadence + (training or 0.0) + (deploy or 0.0), _ROUND)
        max_age = _seconds(model.fields, "max_age")
        result[model.id] = {
            "worst": worst,
            "max_age": max_age,
            "ratio": _ratio(worst, max_age),
            "unknown": [
                name
                for name, value in (("retrain.duration", training), ("deploy.duration", deploy))
                if value is None
            ],
        }
    return result


_DATA_TRIGGERS = frozenset({"new_data", "schema_change", "drift"})


def _new_entities(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() not in ("", "false", "no", "none")


@fact(
    "missing_retrain_triggers",
    kind="models",
    doc="For each dataset the model trains on (`trained_on`) whose changes should retrain "
    "it (the dataset's `on_change.retrain` lists the model, or it has `new_entities` "
    "and the model `uses_entity_id_features`) while the model's `retrain.triggers` "
    "name none of new_data, schema_change or drift and its cadence is longer than the "
    "dataset's refresh interval: `{dataset, interval, cadence, reason, because}` where "
    "reason is `on_change` or `new_entities` and `because` says it in words. An empty "
    "list when every pair is covered.",
)
def model_missing_retrain_triggers(spec: Spec) -> Mapping[str, Any]:
    result = {}
    for model in spec.entities("models"):
        cadence = _seconds(model.fields, "retrain", "cadence")
        triggers = set(_refs(model.fields, "retrain", "triggers"))
        missing: list[dict[str, Any]] = []
        if cadence is not None and not triggers & _DATA_TRIGGERS:
            for ref in _refs(model.fields, "trained_on"):
                dataset = spec.resolve(ref)
                if dataset is None or dataset.kind != "datasets":
                    continue
                interval = _seconds(dataset.fields, "refresh", "interval")
                if interval is None or cadence <= interval:
                    continue
                if model.ref in _refs(dataset.fields, "on_change", "retrain"):
                    reason = "on_change"
                    because = f"its on_change.retrain lists {model.ref}"
                elif (
                    _new_entities(dataset.fields.get("new_entities"))
                    and model.fields.get("uses_entity_id_features") is True
                ):
                    reason = "new_entities"
                    because = (
                        f"new entities keep arriving in it while {model.ref} learns per-entity ids"
                    )
                else:
                    continue
                missing.append(
                    {
                        "dataset": dataset.ref,
                        "interval": interval,
                        "cadence": cadence,
                        "reason": reason,
                        "because": because,
                    }
                )
        result[model.id] = missing
    return result


def _needs_rerun(entity: Entity) -> bool:
    """Whether a consumer holds results computed ahead of time, which a new model outdates."""
    if entity.kind == "outputs":
        return entity.fields.get("mode") in ("precomputed", "hybrid") or isinstance(
            entity.fields.get("precompute"), Mapping
        )
    return entity.kind in ("datasets", "models")


@fact(
    "rerun_after_retrain",
    kind="models",
    doc="What must re-run after this model retrains, derived from the graph, against what "
    "its `on_retrain.rerun` declares: `derived` (refs of direct consumers that hold "
    "results computed with the old model: datasets derived from it, models taking "
    "`inputs_from` it, precomputed or hybrid outputs depending on it; in ref order), "
    "`declared`, "
    "`missing` (derived but not declared).",
)
def model_rerun_after_retrain(spec: Spec) -> Mapping[str, Any]:
    graph = lineage_graph(spec)
    result = {}
    for model in spec.entities("models"):
        node = graph.nodes[model.ref]
        derived: list[str] = []
        for target, kind in graph.down[node]:
            if kind == "calls":
                continue
            consumer = graph.entities[target]
            if _needs_rerun(consumer) and consumer.ref not in derived:
                derived.append(consumer.ref)
        derived.sort()
        declared = _refs(model.fields, "on_retrain", "rerun")
        result[model.id] = {
            "derived": derived,
            "declared": declared,
            "missing": [ref for ref in derived if ref not in declared],
        }
    return result


# -- impact of a change, per data entity -------------------------------------------------------

IMPACT_LIMIT = 25
"""Most refs an `impact` fact lists per kind (in plan order); `*_count` stays exact."""


def _impact_all(spec: Spec) -> list[tuple[list[int], list[int], bool]]:
    """For every node: (models to retrain, outputs affected, truncated), by a capped DP.

    Each list keeps the ``IMPACT_LIMIT`` earliest nodes in topological order; the union of
    the children's capped lists, capped again, is exactly the capped list of the union, so
    the lists are exact prefixes and the work stays linear."""
    graph = lineage_graph(spec)
    n = graph.size
    retrain: list[list[int]] = [[] for _ in range(n)]
    outputs: list[list[int]] = [[] for _ in range(n)]
    truncated = [False] * n
    position = graph.position
    kinds = [entity.kind for entity in graph.entities]
    for v in reversed(graph.order):
        models: set[int] = set()
        served: set[int] = set()
        cut = False
        for w, kind in graph.down[v]:
            if (v, w) in graph.cyclic:
                continue
            if kinds[w] == "models" and kind in ("trained_on", "features"):
                models.add(w)
            if kinds[w] == "outputs":
                served.add(w)
            models.update(retrain[w])
            served.update(outputs[w])
            cut = cut or truncated[w]
        ordered_models = sorted(models, key=position.__getitem__)
        ordered_outputs = sorted(served, key=position.__getitem__)
        if len(ordered_models) > IMPACT_LIMIT or len(ordered_outputs) > IMPACT_LIMIT:
            cut = True
        retrain[v] = ordered_models[:IMPACT_LIMIT]
        outputs[v] = ordered_outputs[:IMPACT_LIMIT]
        truncated[v] = cut
    return [(retrain[i], outputs[i], truncated[i]) for i in range(n)]


def _impact(spec: Spec, kind: str) -> dict[str, Any]:
    graph = lineage_graph(spec)
    table = spec.cached("lineage.impact", _impact_all)
    result = {}
    for entity in spec.entities(kind):
        models, outputs, truncated = table[graph.nodes[entity.ref]]
        result[entity.id] = {
            "retrain": [graph.refs[i] for i in models],
            "outputs": [graph.refs[i] for i in outputs],
            "truncated": truncated,
        }
    return result


_IMPACT_DOC = (
    "What a change to this {what} reaches, following lineage edges downstream (feedback "
    "edges left out): `retrain` (refs of models that must re-train because their training "
    "data or features are downstream), `outputs` (refs of outputs that change), in plan "
    "order, at most {limit} each, with `truncated: true` when more exist. "
    "`consider impact` gives the full ordered plan with timings."
)


@fact("impact", kind="sources", doc=_IMPACT_DOC.format(what="source", limit=IMPACT_LIMIT))
def source_impact(spec: Spec) -> Mapping[str, Any]:
    return _impact(spec, "sources")


@fact("impact", kind="datasets", doc=_IMPACT_DOC.format(what="dataset", limit=IMPACT_LIMIT))
def dataset_impact(spec: Spec) -> Mapping[str, Any]:
    return _impact(spec, "datasets")


@fact("impact", kind="features", doc=_IMPACT_DOC.format(what="feature", limit=IMPACT_LIMIT))
def feature_impact(spec: Spec) -> Mapping[str, Any]:
    return _impact(spec, "features")


# -- feedback loops ---------------------------------------------------------------------------


def _mitigations(entity: Entity) -> list[str]:
    fields = entity.fields
    found = []
    if entity.kind == "outputs":
        if fields.get("holdout") not in (None, False):
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


def _loop_facts(spec: Spec) -> dict[str, dict[str, Any]]:
    """ref → {'feedback_loop': ... (at the head only), 'in_loop': head ref}."""

    def compute(spec: Spec) -> dict[str, dict[str, Any]]:
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
                and e.fields.get("decision") == "filter"
                and e.fields.get("holdout") in (None, False)
            )
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
            }
            for node in group:
                result.setdefault(graph.refs[node], {})["in_loop"] = graph.refs[head]
            result[graph.refs[head]]["feedback_loop"] = loop
        return result

    cached: dict[str, dict[str, Any]] = spec.cached("lineage.loops", compute)
    return cached


def _loop_fact(spec: Spec, kind: str, name: str) -> dict[str, Any]:
    loops = _loop_facts(spec)
    return {
        entity.id: loops[entity.ref][name]
        for entity in spec.entities(kind)
        if name in loops.get(entity.ref, {})
    }


_LOOP_DOC = (
    "A loop through this {what} over lineage and feedback edges (a model whose outputs are "
    "logged into data it, or a model it feeds, trains on), set only on the loop's first "
    "entity in id order so a loop is reported once: `entities` (every ref on it, that first "
    "one first), `size`, `cycle` (refs of one cycle through it, first ref repeated at the "
    "end) and `route` (the cycle joined with arrows), `models` (refs), `hidden` (true when "
    "it spans two or more models), `mitigated` and `mitigations` (holdout, exploration or "
    "propensity logging on an output of the loop, exploration or a position feature on a "
    "model of it), `filters_without_holdout` (outputs of the loop that filter with no "
    "holdout)."
)
_IN_LOOP_DOC = "The ref of the first entity (in id order) of the loop this {what} is on."


@fact("feedback_loop", kind="datasets", doc=_LOOP_DOC.format(what="dataset"))
def dataset_feedback_loop(spec: Spec) -> Mapping[str, Any]:
    return _loop_fact(spec, "datasets", "feedback_loop")


@fact("feedback_loop", kind="features", doc=_LOOP_DOC.format(what="feature"))
def feature_feedback_loop(spec: Spec) -> Mapping[str, Any]:
    return _loop_fact(spec, "features", "feedback_loop")


@fact("feedback_loop", kind="models", doc=_LOOP_DOC.format(what="model"))
def model_feedback_loop(spec: Spec) -> Mapping[str, Any]:
    return _loop_fact(spec, "models", "feedback_loop")


@fact("feedback_loop", kind="outputs", doc=_LOOP_DOC.format(what="output"))
def output_feedback_loop(spec: Spec) -> Mapping[str, Any]:
    return _loop_fact(spec, "outputs", "feedback_loop")


@fact("in_loop", kind="datasets", doc=_IN_LOOP_DOC.format(what="dataset"))
def dataset_in_loop(spec: Spec) -> Mapping[str, Any]:
    return _loop_fact(spec, "datasets", "in_loop")


@fact("in_loop", kind="features", doc=_IN_LOOP_DOC.format(what="feature"))
def feature_in_loop(spec: Spec) -> Mapping[str, Any]:
    return _loop_fact(spec, "features", "in_loop")


@fact("in_loop", kind="models", doc=_IN_LOOP_DOC.format(what="model"))
def model_in_loop(spec: Spec) -> Mapping[str, Any]:
    return _loop_fact(spec, "models", "in_loop")


@fact("in_loop", kind="outputs", doc=_IN_LOOP_DOC.format(what="output"))
def output_in_loop(spec: Spec) -> Mapping[str, Any]:
    return _loop_fact(spec, "outputs", "in_loop")


# -- the press release's timing promises ------------------------------------------------------

PROMISE_KINDS = ("freshness", "latency", "schedule")
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty-five": 45,
    "sixty": 60,
    "ninety": 90,
}
_NUMBER = r"([0-9]+(?:\.[0-9]+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
PHRASES_KEY = "x-phrases"
"""The key of a rule pack that holds its table of timing phrases."""


class Phrase(NamedTuple):
    """One row of a pack's phrase table, compiled."""

    text: str
    pattern: re.Pattern[str]
    figures: tuple[tuple[str, float], ...]
    per_number: bool


def _compile_phrase(text: str, figures: tuple[tuple[str, float], ...]) -> Phrase:
    # The pattern is built here from escaped literals, so a pack cannot inject a regex.
    words = text.strip().lower().split()
    parts = [_NUMBER if word == "{n}" else re.escape(word) for word in words]
    # Matched against lower-cased text rather than with IGNORECASE, which makes compiling the
    # table cost three times as much; start-up pays for it on every run (bench/startup.py).
    pattern = re.compile(r"(?<![a-z0-9])" + r"\s+".join(parts) + r"(?![a-z0-9])")
    return Phrase(text.strip(), pattern, figures, "{n}" in words)


def compile_phrases(table: Any, *, where: str = "") -> list[Phrase]:
    """A phrase table (a list of ``{phrase, freshness|latency|schedule: duration}``) compiled;
    a malformed one is a :class:`PackError`."""
    if not isinstance(table, list):
        raise PackError(
            f"{PHRASES_KEY} must be a list of {{phrase, freshness|latency|schedule}} entries",
            path=where or None,
        )
    phrases = []
    for number, row in enumerate(table):
        text = row.get("phrase") if isinstance(row, Mapping) else None
        if not isinstance(text, str) or not text.strip():
            raise PackError(f"{PHRASES_KEY}[{number}] needs a 'phrase' (text)", path=where or None)
        unknown = set(row) - {"phrase", *PROMISE_KINDS, "note"}
        if unknown:
            raise PackError(
                f"{PHRASES_KEY}[{number}] ('{text}'): unknown keys "
                f"{sorted(unknown)}; use phrase, freshness, latency, schedule or "
                "note",
                path=where or None,
            )
        figures = []
        for kind in PROMISE_KINDS:
            if kind in row:
                try:
                    figures.append((kind, parse_duration(row[kind])))
                except ValueError:
                    raise PackError(
                        f"{PHRASES_KEY}[{number}] ('{text}'): {kind} must be a "
                        f"duration such as 1h, not {row[kind]!r}",
                        path=where or None,
                    ) from None
        if not figures:
            raise PackError(
                f"{PHRASES_KEY}[{number}] ('{text}') names no figure: give "
                "freshness, latency or schedule",
                path=where or None,
            )
        phrases.append(_compile_phrase(text, tuple(figures)))
    return phrases


def _loaded_phrases(spec: Spec) -> list[Phrase]:
    """The phrase tables of the rule packs the run loaded (``Spec.memo['packs']``)."""
    phrases: list[Phrase] = []
    for pack in spec.memo.get("packs", ()):
        extras = getattr(pack, "extras", {}) or {}
        if PHRASES_KEY in extras:
            phrases.extend(_cached_phrases(pack.path, extras[PHRASES_KEY]))
    return phrases


_PHRASE_CACHE: dict[tuple[str, int], tuple[Any, list[Phrase]]] = {}


def _cached_phrases(path: str, table: Any) -> list[Phrase]:
    """A pack's table compiled once (the table itself is kept, so its id is not reused)."""
    key = (path, id(table))
    cached = _PHRASE_CACHE.get(key)
    if cached is None or cached[0] is not table:
        cached = _PHRASE_CACHE[key] = (table, compile_phrases(table, where=path))
    return cached[1]


def _press_release_texts(product: Mapping[str, Any]) -> list[tuple[str, str]]:
    release = product.get("working_backwards")
    if not isinstance(release, Mapping):
        return []
    texts: list[tuple[str, str]] = []
    for key in (
        "headline",
        "subheading",
        "solution",
        "customer_quote",
        "leader_quote",
        "getting_started",
    ):
        if isinstance(release.get(key), str):
            texts.append((f"working_backwards.{key}", release[key]))
    benefits = release.get("benefits")
    if isinstance(benefits, list):
        texts.extend(
            (f"working_backwards.benefits[{i}]", b)
            for i, b in enumerate(benefits)
            if isinstance(b, str)
        )
    external = _at(release, "faq", "external")
    if isinstance(external, list):
        texts.extend(
            (f"working_backwards.faq.external[{i}].a", item["a"])
            for i, item in enumerate(external)
            if isinstance(item, Mapping) and isinstance(item.get("a"), str)
        )
    return texts


def _backing(spec: Spec) -> dict[str, tuple[float, str] | None]:
    """The tightest figure the spec states for each promise kind, with where it is stated."""
    best: dict[str, tuple[float, str] | None] = dict.fromkeys(PROMISE_KINDS)

    def offer(kind: str, seconds: float | None, where: str) -> None:
        current = best[kind]
        if seconds is not None and (current is None or seconds < current[0]):
            best[kind] = (seconds, where)

    for slo in spec.entities("slos"):
        offer("freshness", _seconds(slo.fields, "freshness", "max_staleness"), f"slo {slo.id}")
        latency = _seconds(slo.fields, "latency", "p99")
        if latency is None:
            latency = _seconds(slo.fields, "latency", "p999")
        offer("latency", latency, f"slo {slo.id}")
        offer("schedule", _seconds(slo.fields, "freshness", "max_staleness"), f"slo {slo.id}")
    for output in spec.entities("outputs"):
        gaps = precompute_gaps(output.fields)
        if gaps is not None:
            offer("schedule", gaps[1], f"the precompute schedule of {output.ref}")
    return best


_KIND_WORDS = {
    "freshness": "data at most {} old",
    "latency": "answers within {}",
    "schedule": "a run at least every {}",
}


@fact(
    "pr_promises",
    kind="product",
    doc="Timing the press release promises, found by the phrase tables of the loaded packs "
    "(their `x-phrases`) in the headline, subheading, solution, benefits, quotes, "
    "getting-started text and external FAQ answers: `found` and `unbacked` (those no "
    "SLO or schedule backs, or backs more loosely), each `{phrase, field, promise, "
    "figures, status, backing, backed_by, backing_text}` where `figures` maps freshness, "
    "latency or schedule to seconds, `status` is backed, looser or unbacked, `backing` "
    "the tightest stated figure (seconds) and `backed_by` where it is stated.",
)
def product_pr_promises(spec: Spec) -> Mapping[str, Any]:
    phrases = _loaded_phrases(spec)
    if not phrases:
        return {"product": {"found": [], "unbacked": []}}
    backing = _backing(spec)
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, tuple[tuple[str, float], ...]]] = set()
    for field_name, text in _press_release_texts(spec.product):
        lowered = text.lower()
        # Positions carry over to the text as written unless lower-casing changed its length.
        shown = text if len(lowered) == len(text) else lowered
        matches = sorted(
            ((match, phrase) for phrase in phrases for match in phrase.pattern.finditer(lowered)),
            key=lambda pair: pair[0].start(),
        )
        for match, phrase in matches:
            figures = tuple(
                (kind, round(seconds * _scale(phrase, match), _ROUND))
                for kind, seconds in phrase.figures
            )
            written = " ".join(shown[match.start() : match.end()].split())
            key = (written.lower(), figures)
            if key not in seen:
                seen.add(key)
                found.append(_judge(written, field_name, figures, backing))
    return {"product": {"found": found, "unbacked": [p for p in found if p["status"] != "backed"]}}


def _scale(phrase: Phrase, match: re.Match[str]) -> float:
    """The number a ``{n}`` phrase matched (``two`` is 2), else 1."""
    if not phrase.per_number:
        return 1.0
    number = next(g for g in match.groups() if g is not None).lower()
    return float(_NUMBER_WORDS.get(number) or number)


def _judge(
    written: str,
    field_name: str,
    figures: tuple[tuple[str, float], ...],
    backing: dict[str, tuple[float, str] | None],
) -> dict[str, Any]:
    status = "unbacked"
    closest: tuple[str, float, str] | None = None
    for kind, promised in figures:
        stated = backing[kind]
        if stated is None:
            continue
        if stated[0] <= promised:
            status, closest = "backed", (kind, stated[0], stated[1])
            break
        status = "looser"
        if closest is None:
            closest = (kind, stated[0], stated[1])
    promise = " or ".join(_KIND_WORDS[kind].format(_duration(s)) for kind, s in figures)
    if status == "unbacked":
        kinds = " or ".join(kind for kind, _ in figures)
        backing_text = f"no SLO or precompute schedule states a {kinds} target"
    else:
        assert closest is not None
        kind, seconds, where = closest
        backing_text = f"the tightest {kind} the spec states is {_duration(seconds)} ({where})"
    return {
        "phrase": written,
        "field": field_name,
        "promise": promise,
        "figures": dict(figures),
        "status": status,
        "backing": closest[1] if closest else None,
        "backed_by": closest[2] if closest else None,
        "backing_text": backing_text,
    }


# -- shared with the impact plan and the drawing ----------------------------------------------


def describe_collection(entity: Entity) -> str:
    """A short label of how an entity is collected, refreshed or served, for pictures."""
    fields = entity.fields
    kind = entity.kind
    if kind == "sources":
        method = fields.get("method") or "?"
        direction = fields.get("direction")
        head = f"{method} {direction}" if direction else str(method)
        if method == "stream":
            lag = _seconds(fields, "max_lag")
            return f"{head}, lag {_duration(lag)}" if lag else head
        interval = _seconds(fields, "interval")
        if interval:
            processing = _seconds(fields, "processing")
            tail = f" (+{_duration(processing)})" if processing else ""
            return f"{head} every {_duration(interval)}{tail}"
        return head
    if kind == "datasets":
        written = fields.get("refresh")
        refresh: Mapping[str, Any] = written if isinstance(written, Mapping) else {}
        method = refresh.get("method") or ("batch" if "interval" in refresh else "?")
        if method == "stream":
            lag = _seconds(refresh, "max_lag")
            return f"stream, lag {_duration(lag)}" if lag else "stream"
        interval = _seconds(refresh, "interval")
        if interval:
            processing = _seconds(refresh, "processing")
            tail = f" (+{_duration(processing)})" if processing else ""
            return f"{method} every {_duration(interval)}{tail}"
        return str(method)
    if kind == "features":
        compute = fields.get("compute") or "?"
        interval = _seconds(fields, "materialize", "interval")
        if compute == "batch" and interval:
            runtime = _seconds(fields, "materialize", "runtime")
            tail = f" (+{_duration(runtime)})" if runtime else ""
            return f"batch, materialised every {_duration(interval)}{tail}"
        lag = _seconds(fields, "max_lag")
        return f"{compute}, lag {_duration(lag)}" if lag else str(compute).replace("_", " ")
    if kind == "models":
        cadence = _seconds(fields, "retrain", "cadence")
        if cadence is None:
            return "no retrain cadence"
        parts = [f"retrain every {_duration(cadence)}"]
        training = _seconds(fields, "retrain", "duration")
        deploy = _seconds(fields, "deploy", "duration")
        if training:
            parts.append(f"+{_duration(training)}")
        if deploy:
            parts.append(f"deploy {_duration(deploy)}")
        return ", ".join(parts)
    if kind == "outputs":
        mode = str(fields.get("mode") or "mode?")
        gaps = precompute_gaps(fields)
        if gaps is not None:
            return f"{mode}, precompute every {_duration(gaps[1])}"
        return mode
    parts = []
    availability = _number(fields.get("availability"))
    if availability is not None:
        parts.append(f"{round(availability * 100, 4):g}%")
    p99 = _seconds(fields, "p99")
    if p99 is not None:
        parts.append(f"p99 {_duration(p99)}")
    capacity = _number(fields.get("capacity"))
    if capacity is not None and kind == "stores":
        parts.append(format_size(capacity))
    elif capacity is not None:
        parts.append(f"{format_count(capacity)}/s")
    return ", ".join(parts) or str(fields.get("kind") or kind[:-1])


def data_walk(spec: Spec) -> Walk:
    """The unscoped data-only staleness walk (shared with the drawing)."""
    return _walk(spec, DATA)


def slo_walk(spec: Spec, slo: Entity) -> Walk:
    """The walk an SLO's freshness asks for (scope and includes honoured)."""
    graph = lineage_graph(spec)
    freshness = slo.fields.get("freshness")
    freshness = freshness if isinstance(freshness, Mapping) else {}
    includes = _refs(freshness, "includes") or [DATA]
    mode = MODEL if MODEL in includes else DATA
    scope_refs = _refs(freshness, "scope")
    scope = frozenset(graph.nodes[r] for r in scope_refs if r in graph.nodes)
    return _walk(spec, mode, scope if scope_refs else None)
