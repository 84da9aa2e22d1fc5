"""SLO facts read over the serving path and the SLO's own figures: availability against
the extra-nine rule, the latency budget, the error budget and planned downtime."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact
from consider.facts.serving import AVAILABILITY_DOC, LATENCY_DOC
from consider.fields import (
    ROUND,
    ROUND_AVAILABILITY,
    ROUND_RATIO,
    field_seconds,
    number,
    ratio,
    slo_output,
)
from consider.lineage.serving import availability_by_output, latency_by_output, needed_availability

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
