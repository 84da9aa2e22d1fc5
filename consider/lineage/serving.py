"""The serving path: composite availability of an output's critical dependencies (the
fallback's credit included) and the latency budget of its request path."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from consider.fields import (
    ROUND,
    ROUND_AVAILABILITY,
    field_refs,
    field_seconds,
    flat_hops,
    hop_list,
    number,
    product_of,
)
from consider.units import format_duration, format_percentage

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity


def _availability_of(spec: Analysis, entity: Entity) -> float | None:
    own = number(entity.fields.get("availability"))
    if own is not None:
        return own
    if entity.kind == "outputs":
        targets = [
            number(slo.fields.get("availability"))
            for slo in spec.entities("slos")
            if slo.fields.get("applies_to") == entity.ref
        ]
        known = [t for t in targets if t is not None]
        return max(known) if known else None
    return None


def serving_entity(spec: Analysis, ref: Any) -> Entity | None:
    """What answers a call to ``ref`` while serving: the entity itself, or, for an output
    that is precomputed, the store it is served from (``precompute.store`` or
    ``storage.store``)."""
    entity = spec.resolve(ref) if isinstance(ref, str) else None
    if entity is None or entity.kind != "outputs":
        return entity
    for block in ("precompute", "storage"):
        found = entity.fields.get(block)
        store = found.get("store") if isinstance(found, Mapping) else None
        resolved = spec.resolve(store) if isinstance(store, str) else None
        if resolved is not None:
            return resolved
    return entity


def _weak_source_on_path(
    source: Entity | None,
    deps: Mapping[str, Entity],
    covers: set[str],
    known: Mapping[str, float],
) -> str | None:
    """The fallback's source when the main path needs it too, it is not covered, and it is
    the call most likely to fail: a third party, or strictly the least available critical
    call. (Degrading to the core of the main path, such as text-match order when the
    personalisation around it fails, is a sound design; resting on the weakest link is not.)"""
    if source is None or source.ref not in deps or source.ref in covers:
        return None
    if source.fields.get("kind") == "third_party_api":
        return source.ref
    own = known.get(source.ref)
    others = [a for ref, a in known.items() if ref != source.ref]
    if own is not None and others and own < min(others):
        return source.ref
    return None


def _output_availability(spec: Analysis, output: Entity) -> dict[str, Any] | None:
    hops = hop_list(output.fields.get("request_path"))
    if not hops:
        return None
    deps: dict[str, Entity] = {}
    for hop, critical in flat_hops(hops):
        entity = spec.resolve(hop["dep"])
        if entity is None or not critical or entity.fields.get("critical") is False:
            continue
        deps.setdefault(entity.ref, entity)
    fallback = output.fields.get("fallback")
    fallback = fallback if isinstance(fallback, Mapping) else {}
    covers = set(field_refs(fallback, "covers"))
    known: dict[str, float] = {}
    unknown: list[str] = []
    for ref, entity in deps.items():
        availability = _availability_of(spec, entity)
        if availability is None:
            unknown.append(ref)
        else:
            known[ref] = availability
    composite = product_of(known.values())
    # The fallback's own dependencies, a precomputed output followed to its store.
    fallback_deps: dict[str, Entity] = {}
    for hop, _ in flat_hops(hop_list(fallback.get("path"))):
        entity = serving_entity(spec, hop["dep"])
        if entity is not None:
            fallback_deps.setdefault(entity.ref, entity)
    resolved_source = serving_entity(spec, fallback.get("source"))
    if resolved_source is not None:
        fallback_deps.setdefault(resolved_source.ref, resolved_source)
    # A covered dependency the fallback needs itself fails with it: it gets no credit.
    shared = [ref for ref in deps if ref in covers and ref in fallback_deps]
    source_on_path = _weak_source_on_path(resolved_source, deps, covers, known)
    covered = [ref for ref in deps if ref in covers and ref in known and ref not in shared]
    uncovered = [ref for ref in known if ref not in covered]
    # Those the main path needs anyway add nothing.
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
        group = product_of(known[ref] for ref in covered)
        fallback_availability = product_of(fallback_known.values())
        with_fallback = product_of(known[ref] for ref in uncovered) * (
            1 - (1 - group) * (1 - fallback_availability)
        )
    else:
        fallback_availability = None
        with_fallback = composite
    weakest = min(known, key=lambda ref: known[ref], default=None)
    if credit:
        note = (
            f"{format_percentage(round(with_fallback, ROUND_AVAILABILITY))} with the "
            f"fallback's credit for {', '.join(covered)}"
        )
    elif shared:
        note = f"the fallback gets no credit: it needs {', '.join(shared)} itself"
    elif fallback:
        note = "the fallback gets no credit: it covers none of them or its availability is unknown"
    else:
        note = "no fallback covers any of them"
    return {
        "composite": round(composite, ROUND_AVAILABILITY),
        "with_fallback": round(with_fallback, ROUND_AVAILABILITY),
        "dependencies": [
            {
                "ref": ref,
                "availability": known.get(ref),
                "covered": ref in covers and ref not in shared,
            }
            for ref in deps
        ],
        "covered": covered,
        "shared": shared,
        "source_on_path": source_on_path,
        "unknown": unknown,
        "weakest": weakest,
        "weakest_availability": known[weakest] if weakest is not None else None,
        "fallback_availability": (
            round(fallback_availability, ROUND_AVAILABILITY)
            if fallback_availability is not None
            else None
        ),
        "fallback_note": note,
    }


def availability_by_output(spec: Analysis) -> dict[str, dict[str, Any]]:
    """Output id → its composite availability (outputs with a request path)."""
    return _per_output(spec, "lineage.availability", _output_availability)


def needed_availability(target: float) -> float:
    """The availability a critical dependency needs under a target: one extra nine."""
    return round(1 - (1 - target) / 10, ROUND_AVAILABILITY)


class _Walk:
    """What one walk of a path collects beside its total: dependencies with no p99 at all,
    and hops whose budget is below the dependency's own p99."""

    __slots__ = ("underbudgeted", "unknown")

    def __init__(self) -> None:
        self.unknown: list[str] = []
        self.underbudgeted: list[dict[str, Any]] = []


def _hop_latency(
    spec: Analysis, hop: Mapping[str, Any], walk: _Walk, critical: bool = True
) -> tuple[float, str | None, float]:
    """(latency, slowest dep, its p99) of one hop; parallel hops cost their slowest branch.

    A critical hop costs the larger of its budget on this path and the dependency's own p99:
    a budget below what the dependency promises everyone is a wish, not a bound. A hop the
    request can do without (``critical: false``, on it or a step around it) is cut off at its
    budget: the request goes on without the answer, so the budget is what it costs."""
    here = critical and hop.get("critical") is not False
    branches = hop_list(hop.get("parallel"))
    if branches:
        worst: tuple[float, str | None, float] = (0.0, None, 0.0)
        for branch in branches:
            found = _hop_latency(spec, branch, walk, here)
            if found[0] > worst[0] or worst[1] is None:
                worst = found
        return worst
    dep = hop.get("dep")
    budget = number(hop.get("p99"))
    entity = serving_entity(spec, dep)
    own = number(entity.fields.get("p99")) if entity is not None else None
    if not here and budget is not None:
        return budget, dep if isinstance(dep, str) else None, budget
    if budget is not None and own is not None and own > budget:
        walk.underbudgeted.append(
            {
                "dep": dep,
                "budget": budget,
                "p99": own,
                "ratio": round(own / budget, 1) if budget else None,
                "note": (
                    f"{dep} gets {format_duration(budget)} but its own p99 is "
                    f"{format_duration(own)}"
                ),
            }
        )
    candidates = [s for s in (budget, own) if s is not None]
    seconds = max(candidates) if candidates else None
    if seconds is None:
        if isinstance(dep, str):
            walk.unknown.append(dep)
        return 0.0, dep if isinstance(dep, str) else None, 0.0
    return seconds, dep if isinstance(dep, str) else None, seconds


def _path_latency(
    spec: Analysis, hops: Sequence[Mapping[str, Any]], walk: _Walk | None = None
) -> tuple[float, str | None, float | None, list[str]]:
    total = 0.0
    slowest: str | None = None
    slowest_p99: float | None = None
    walk = walk if walk is not None else _Walk()
    for hop in hops:
        seconds, dep, p99 = _hop_latency(spec, hop, walk)
        total += seconds
        if dep is not None and (slowest_p99 is None or p99 > slowest_p99):
            slowest, slowest_p99 = dep, p99
    return round(total, ROUND), slowest, slowest_p99, walk.unknown


def _output_latency(spec: Analysis, output: Entity) -> dict[str, Any] | None:
    hops = hop_list(output.fields.get("request_path"))
    written = output.fields.get("fallback")
    fallback: Mapping[str, Any] = written if isinstance(written, Mapping) else {}
    if not hops and not fallback:
        return None
    walk = _Walk()
    total, slowest, slowest_p99, unknown = _path_latency(spec, hops, walk)
    budgeted = _budgeted_total(spec, hops)
    timeout = field_seconds(fallback, "timeout")
    fallback_hops = hop_list(fallback.get("path"))
    fallback_unknown: list[str] = []
    if fallback_hops:
        path_total, _, _, fallback_unknown = _path_latency(spec, fallback_hops)
    else:
        entity = serving_entity(spec, fallback.get("source"))
        own = number(entity.fields.get("p99")) if entity is not None else None
        path_total = own or 0.0
        if entity is not None and own is None:
            fallback_unknown = [entity.ref]
    fallback_total = round(timeout + path_total, ROUND) if timeout is not None else None
    for gap in walk.underbudgeted:
        gap["timeout_below"] = timeout is not None and timeout < gap["p99"]
    return {
        "total": total if hops else None,
        "budgeted": budgeted if hops else None,
        "slowest": slowest,
        "slowest_p99": slowest_p99,
        "unknown": unknown,
        "underbudgeted": walk.underbudgeted,
        "fallback_timeout": timeout,
        "fallback_path": round(path_total, ROUND) if fallback else None,
        "fallback_total": fallback_total,
        "fallback_unknown": fallback_unknown,
    }


def _budgeted_total(spec: Analysis, hops: Sequence[Mapping[str, Any]]) -> float:
    """The path's latency as its hop budgets say (a hop without one, its dependency's p99),
    a parallel step costing its largest branch."""
    total = 0.0
    for hop in hops:
        branches = hop_list(hop.get("parallel"))
        if branches:
            total += max(_budgeted_total(spec, [branch]) for branch in branches)
            continue
        budget = number(hop.get("p99"))
        if budget is None:
            entity = serving_entity(spec, hop.get("dep"))
            budget = number(entity.fields.get("p99")) if entity is not None else None
        total += budget or 0.0
    return round(total, ROUND)


def latency_by_output(spec: Analysis) -> dict[str, dict[str, Any]]:
    """Output id → its latency budget (outputs with a request path or a fallback)."""
    return _per_output(spec, "lineage.latency", _output_latency)


def _per_output(
    spec: Analysis,
    key: str,
    figure: Callable[[Analysis, Entity], dict[str, Any] | None],
) -> dict[str, dict[str, Any]]:
    """``figure`` of every output that has one, computed once per analysis."""

    def compute(spec: Analysis) -> dict[str, dict[str, Any]]:
        result = {}
        for output in spec.entities("outputs"):
            found = figure(spec, output)
            if found is not None:
                result[output.id] = found
        return result

    cached: dict[str, dict[str, Any]] = spec.cached(key, compute)
    return cached
