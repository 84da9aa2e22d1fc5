"""SLO facts read over the serving path and the SLO's own figures: availability against
the extra-nine rule, the latency budget, the error budget and planned downtime."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact
from consider.facts.links import slos_by_output
from consider.facts.serving import AVAILABILITY_DOC, LATENCY_DOC
from consider.fields import (
    ROUND,
    ROUND_AVAILABILITY,
    ROUND_RATIO,
    at,
    calls,
    field_seconds,
    number,
    ratio,
    refs_in,
    slo_output,
)
from consider.lineage.delays import DATA, MODEL, scheduled_finish
from consider.lineage.flow import SHOWN
from consider.lineage.graph import lineage_graph
from consider.lineage.serving import availability_by_output, latency_by_output, needed_availability
from consider.lineage.staleness import skipped_edge, staleness_layout
from consider.records import Record
from consider.units import format_clock, format_count, format_duration, format_rate, time_of_day

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity

DEFAULT_WINDOW = 30 * 86400.0
"""The SLO window assumed for planned downtime when an SLO states none (30 days)."""


def _with_output_figure(
    spec: Analysis, by_output: Mapping[str, dict[str, Any]]
) -> Iterator[tuple[Entity, dict[str, Any]]]:
    """Each SLO whose output has a figure in ``by_output``, with that figure."""
    for slo in spec.entities("slos"):
        output = slo_output(spec, slo)
        found = by_output.get(output.id) if output is not None else None
        if found is not None:
            yield slo, found


@fact(
    "availability",
    kind="slos",
    doc=AVAILABILITY_DOC.format(
        what="the SLO's output",
        extra=" Also `target` (the SLO's availability), `needed` (what each critical dependency "
        "needs: one extra nine, 1-(1-target)/10) and `missing_nine` (critical dependencies "
        "not covered by the fallback whose availability is below `needed`).",
    ),
)
def slo_availability(spec: Analysis) -> Mapping[str, Any]:
    result = {}
    for slo, found in _with_output_figure(spec, availability_by_output(spec)):
        target = number(slo.fields.get("availability"))
        needed = needed_availability(target) if target is not None else None
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


@fact(
    "latency",
    kind="slos",
    doc=LATENCY_DOC.format(
        what="the SLO's output",
        extra=" Also `budget` (the SLO's `latency.p99`), `ratio` (total / budget) and "
        "`fallback_ratio` (fallback_total / budget).",
    ),
)
def slo_latency(spec: Analysis) -> Mapping[str, Any]:
    result = {}
    for slo, found in _with_output_figure(spec, latency_by_output(spec)):
        budget = field_seconds(slo.fields, "latency", "p99")
        result[slo.id] = {
            **found,
            "budget": budget,
            "ratio": ratio(found["total"], budget),
            "fallback_ratio": ratio(found["fallback_total"], budget),
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
def slo_error_budget(spec: Analysis) -> Mapping[str, Any]:
    result = {}
    for slo in spec.entities("slos"):
        availability = number(slo.fields.get("availability"))
        window = number(slo.fields.get("window"))
        if availability is None or window is None:
            continue
        share = round(1 - availability, ROUND_AVAILABILITY)
        result[slo.id] = {
            "seconds": round(window * share, ROUND),
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
def slo_planned_downtime(spec: Analysis) -> Mapping[str, Any]:
    result = {}
    for slo in spec.entities("slos"):
        entries = slo.fields.get("planned_downtime")
        availability = number(slo.fields.get("availability"))
        if not isinstance(entries, list) or not entries or availability is None:
            continue
        stated = number(slo.fields.get("window"))
        window = stated if stated is not None else DEFAULT_WINDOW
        total = 0.0
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            every, duration = number(entry.get("every")), number(entry.get("duration"))
            if every is None or duration is None or every <= 0:
                continue
            total += math.ceil(round(window / every, ROUND_RATIO)) * duration
        budget = round(window * (1 - availability), ROUND)
        result[slo.id] = {
            "total": round(total, ROUND),
            "budget": budget,
            "ratio": ratio(total, budget),
            "window": window,
            "window_assumed": stated is None,
        }
    return result


# -- what an SLO covers: its siblings, third parties, capacity, event time ------------------


@fact(
    "sibling_slos",
    kind="slos",
    doc="The other SLOs that apply to the same output, each with its fields and `_id`, in "
    "id order: a question answered by one of them need not be asked of this one.",
)
def slo_siblings(spec: Analysis) -> Mapping[str, Any]:
    by_output = slos_by_output(spec)
    result: dict[str, list[dict[str, Any]]] = {}
    for slo in spec.entities("slos"):
        target = slo.fields.get("applies_to")
        output = target.partition(":")[2] if isinstance(target, str) else ""
        result[slo.id] = [other.view() for other in by_output.get(output, []) if other.id != slo.id]
    return result


@fact(
    "first_of_output",
    kind="slos",
    doc="Whether this SLO is the first, in id order, of those that apply to its output: a "
    "question about the output as a whole is asked of that one only.",
)
def slo_first_of_output(spec: Analysis) -> Mapping[str, Any]:
    first = {output: slos[0].id for output, slos in slos_by_output(spec).items() if slos}
    result: dict[str, bool] = {}
    for slo in spec.entities("slos"):
        output = slo_output(spec, slo)
        result[slo.id] = output is not None and first.get(output.id) == slo.id
    return result


@fact(
    "first_serving_of_output",
    kind="slos",
    doc="Whether this SLO is the first, in id order, of its output's SLOs that promise "
    "`availability` or `latency` (the serving ones), or, where none does, the first of them "
    "all: a question about serving the output (its peak load) is asked of that one only.",
)
def slo_first_serving_of_output(spec: Analysis) -> Mapping[str, Any]:
    first: dict[str, str] = {}
    for output_id, slos in slos_by_output(spec).items():
        serving = [s for s in slos if _serving(s)]
        if slos:
            first[output_id] = (serving or slos)[0].id
    result: dict[str, bool] = {}
    for slo in spec.entities("slos"):
        output = slo_output(spec, slo)
        result[slo.id] = output is not None and first.get(output.id) == slo.id
    return result


def _serving(slo: Entity) -> bool:
    return slo.fields.get("availability") is not None or slo.fields.get("latency") is not None


def _is_critical(hop: Mapping[str, Any], dependency: Entity) -> bool:
    return hop.get("critical") is not False and dependency.fields.get("critical") is not False


@fact(
    "third_party_on_path",
    kind="slos",
    doc="The third-party APIs (services of kind `third_party_api`) called on the request "
    "path of the SLO's output, parallel branches included: each `{dep, availability, "
    "critical, covered}`, where `covered` says the output's fallback covers it. "
    "`availability` is absent when the service states none.",
)
def slo_third_party_on_path(spec: Analysis) -> Mapping[str, Any]:
    result: dict[str, list[dict[str, Any]]] = {}
    for slo in spec.entities("slos"):
        output = slo_output(spec, slo)
        found: dict[str, dict[str, Any]] = {}
        if output is not None:
            fallback = output.fields.get("fallback")
            covers = fallback.get("covers") if isinstance(fallback, dict) else None
            covered = set(covers) if isinstance(covers, list) else set()
            for hop in calls(output.fields.get("request_path")):
                dependency = spec.resolve(hop["dep"])
                if dependency is None or dependency.kind != "services":
                    continue
                if dependency.fields.get("kind") != "third_party_api":
                    continue
                entry = found.setdefault(
                    hop["dep"],
                    {"dep": hop["dep"], "critical": False, "covered": hop["dep"] in covered},
                )
                entry["critical"] = entry["critical"] or _is_critical(hop, dependency)
                availability = number(dependency.fields.get("availability"))
                if availability is not None:
                    entry["availability"] = availability
        result[slo.id] = list(found.values())
    return result


@fact(
    "third_party_below_slo",
    kind="slos",
    doc="Those of `third_party_on_path` that are critical and promise less availability "
    "than the SLO, or state none: each `{dep, availability, critical, covered}`. "
    "Empty when the SLO states no availability.",
)
def slo_third_party_below(spec: Analysis) -> Mapping[str, Any]:
    on_path = slo_third_party_on_path(spec)
    result: dict[str, list[dict[str, Any]]] = {}
    for slo in spec.entities("slos"):
        target = number(slo.fields.get("availability"))
        result[slo.id] = (
            []
            if target is None
            else [
                entry
                for entry in on_path[slo.id]
                if entry["critical"] and entry.get("availability", -1.0) < target
            ]
        )
    return result


@fact(
    "capacity_shortfall",
    kind="slos",
    doc="The critical services on the request path of the SLO's output whose `capacity` is below "
    "the traffic they must take, `throughput.peak` times (1 + `throughput.headroom`): each "
    "`{dep, capacity, needed, below_peak}` in requests per second, `below_peak` true "
    "when even the peak does not fit. Empty without a stated peak.",
)
def slo_capacity_shortfall(spec: Analysis) -> Mapping[str, Any]:
    result: dict[str, list[dict[str, Any]]] = {}
    for slo in spec.entities("slos"):
        throughput = slo.fields.get("throughput")
        throughput = throughput if isinstance(throughput, dict) else {}
        peak = number(throughput.get("peak"))
        output = slo_output(spec, slo)
        found: dict[str, dict[str, Any]] = {}
        if peak is not None and output is not None:
            needed = peak * (1.0 + (number(throughput.get("headroom")) or 0.0))
            for hop in calls(output.fields.get("request_path")):
                dependency = spec.resolve(hop["dep"])
                if dependency is None or dependency.kind != "services":
                    continue  # a store's capacity is a size, not a rate
                if not _is_critical(hop, dependency):
                    continue  # may be skipped or shed without failing the request
                capacity = number(dependency.fields.get("capacity"))
                if capacity is not None and capacity < needed and hop["dep"] not in found:
                    found[hop["dep"]] = {
                        "dep": hop["dep"],
                        "capacity": capacity,
                        "needed": needed,
                        "below_peak": capacity < peak,
                    }
        result[slo.id] = list(found.values())
    return result


@fact(
    "request_peak",
    kind="services",
    doc="The calls a second this service must take at peak when it is called once per "
    "request: the largest `throughput.peak` among the SLOs of the outputs whose "
    "`request_path`, or whose fallback (its `path` or `source`, which takes every request "
    "when the main path fails), calls it, times (1 + `throughput.headroom`): `{peak, "
    "needed, slo, output, via}` (calls a second; ids and ref; `via` is `request_path` or "
    "`fallback`). Absent when no such SLO states a peak.",
)
def service_request_peak(spec: Analysis) -> Mapping[str, Any]:
    result: dict[str, dict[str, Any]] = {}
    for slo in spec.entities("slos"):
        throughput = slo.fields.get("throughput")
        throughput = throughput if isinstance(throughput, dict) else {}
        peak = number(throughput.get("peak"))
        output = slo_output(spec, slo)
        if peak is None or output is None:
            continue
        needed = round(peak * (1.0 + (number(throughput.get("headroom")) or 0.0)), ROUND)
        for ref, via in _called_per_request(output.fields):
            service = spec.resolve(ref)
            if service is None or service.kind != "services":
                continue
            current = result.get(service.id)
            if current is None or needed > current["needed"]:
                result[service.id] = {
                    "peak": peak,
                    "needed": needed,
                    "slo": slo.id,
                    "output": output.ref,
                    "via": via,
                }
    return result


def _called_per_request(fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(ref, via) of what an output calls once per request: its request path, then its
    fallback's path or source, which take every request at once when the main path fails."""
    found = [(hop["dep"], "request_path") for hop in calls(fields.get("request_path"))]
    fallback = fields.get("fallback")
    if isinstance(fallback, Mapping):
        found += [(hop["dep"], "fallback") for hop in calls(fallback.get("path"))]
        if isinstance(fallback.get("source"), str):
            found.append((fallback["source"], "fallback"))
    return found


# Reference fields along which data flows into an entity; `models.trained_on` and
# `models.inputs_from` count only when the freshness promise includes the model.


def _is_raw(entity: Entity) -> bool:
    """A source, or a dataset derived from nothing."""
    if entity.kind == "sources":
        return True
    return entity.kind == "datasets" and not refs_in(entity, "derived_from")


@fact(
    "inputs_without_event_time",
    kind="slos",
    doc="Refs of the raw inputs (sources, and datasets derived from nothing) in the lineage "
    "the SLO's freshness promise covers that name no `event_time_field`, in id order, at "
    f"most the first {SHOWN} (a longer list is cut there). The lineage is the staleness "
    "walk's (consider/lineage/staleness.py): upstream of its `freshness.scope`, else of the "
    "output, along every edge that walk follows (the request path's calls included; "
    "training data only when `includes` lists `model`). Empty without a freshness promise.",
)
def slo_inputs_without_event_time(spec: Analysis) -> Mapping[str, Any]:
    result: dict[str, list[str]] = {}
    for slo in spec.entities("slos"):
        freshness = slo.fields.get("freshness")
        output = slo_output(spec, slo)
        if not isinstance(freshness, dict) or output is None:
            result[slo.id] = []
            continue
        scope = freshness.get("scope")
        starts = (
            [s for s in scope if isinstance(s, str)] if isinstance(scope, list) else [output.ref]
        )
        includes = freshness.get("includes")
        upstream = _untimed_upstream(
            spec, MODEL if isinstance(includes, list) and "model" in includes else DATA
        )
        mask = 0
        for ref in starts:
            mask |= upstream.masks.get(ref, 0)
        found: list[str] = []
        while mask and len(found) < SHOWN:  # the lowest bits: the first refs in id order
            lowest = mask & -mask
            found.append(upstream.refs[lowest.bit_length() - 1])
            mask ^= lowest
        result[slo.id] = found
    return result


# -- deadlines of scheduled outputs ------------------------------------------------------------


@fact(
    "deadline",
    kind="slos",
    doc="Whether a scheduled output is ready by the SLO's `deadline` (a time of day): "
    "`start` (the latest start time of its cron `precompute.schedule`, seconds after "
    "midnight, read in the deadline's zone), `skew` (`precompute.max_start_skew`), `run` "
    "(`max_duration`, else `runtime`) and `run_from` (which), `delivery` (seconds to reach "
    "everyone: `cardinality.entities` / `delivery.rate`, 0 without a delivery) and "
    "`delivery_rate`, `finish` (start + skew + run + delivery), `deadline` (seconds after "
    "midnight; the next day when it is not after the start), `allowed` (deadline - start), "
    "`ratio` (finish - start over allowed), `on_failure` (the output's `precompute.on_failure`) "
    "and `summary` (the sum in words). Absent without "
    "a deadline time or a cron schedule with a start.",
)
def slo_deadline(spec: Analysis) -> Mapping[str, Any]:
    result: dict[str, Any] = {}
    for slo in spec.entities("slos"):
        block = slo.fields.get("deadline")
        due = time_of_day(block.get("time")) if isinstance(block, Mapping) else None
        output = slo_output(spec, slo)
        if due is None or output is None:
            continue
        finishing = scheduled_finish(output.fields)
        if finishing is None:
            continue
        start, skew, run, run_from, send, entities, rate = finishing
        deadline = due if due > start else due + 86400.0
        finish = start + skew + run + send
        allowed = deadline - start
        parts = [f"starts at {format_clock(start)}"]
        if skew:
            parts.append(f"may start {format_duration(skew)} late")
        parts.append(f"runs up to {format_duration(run)} ({run_from})")
        if send and entities and rate:
            parts.append(
                f"then sends {format_count(entities)} at {format_rate(rate)} "
                f"({format_duration(send)})"
            )
        result[slo.id] = {
            "start": start,
            "skew": skew,
            "run": run,
            "run_from": run_from,
            "delivery": send,
            "delivery_rate": rate,
            "finish": round(finish, ROUND),
            "deadline": deadline,
            "allowed": allowed,
            "ratio": ratio(finish - start, allowed),
            "summary": f"{', '.join(parts)}: done by {format_clock(finish)}",
            "on_failure": at(output.fields, "precompute", "on_failure"),
            "finish_clock": format_clock(finish),
            "deadline_clock": format_clock(deadline),
        }
    return result


class _Untimed(Record):
    refs: list[str]
    """The untimed raw inputs' refs, in id order: bit i of a mask stands for refs[i]."""
    masks: dict[str, int]
    """Each node's ref → the untimed raw inputs it is or has upstream, as bits."""


def _untimed_upstream(spec: Analysis, mode: str) -> _Untimed:
    """For every node, the untimed raw inputs (sources and datasets derived from nothing
    with no `event_time_field`) among it and its lineage upstream along the edges a walk in
    ``mode`` follows: one pass over the strongly connected groups, upstream first, each
    group's set the union of its members' own and of its predecessors' groups' sets. Linear
    in nodes plus edges (times the bits of a set), where a search per SLO is SLOs x region."""

    def compute(spec: Analysis) -> _Untimed:
        graph = lineage_graph(spec)
        refs = sorted(
            graph.refs[node]
            for node, entity in enumerate(graph.entities)
            if _is_raw(entity) and not entity.fields.get("event_time_field")
        )
        bit = {ref: 1 << place for place, ref in enumerate(refs)}
        skip = skipped_edge(mode)
        layout = staleness_layout(spec, mode)
        of_group = [0] * len(layout.groups)
        for place, members in enumerate(layout.groups):
            mask = 0
            for here in members:
                mask |= bit.get(graph.refs[here], 0)
                for there, kind in graph.up[here]:
                    if kind != skip:
                        mask |= of_group[layout.group[there]]
            of_group[place] = mask
        masks = {graph.refs[node]: of_group[layout.group[node]] for node in range(graph.size)}
        return _Untimed(refs, masks)

    untimed: _Untimed = spec.cached(f"facts.untimed_upstream.{mode}", compute)
    return untimed
