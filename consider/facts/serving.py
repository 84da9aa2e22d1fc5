"""Facts about serving, for outputs, services and stores: what an output's SLOs promise at
their tightest, what its request path calls, the local figures the realtime and sla packs
compare, and, from the serving-path analysis (consider/lineage/serving.py), composite
availability, the latency budget, the extra nine and precompute capacity.

The SLOs' own facts are in facts/slos.py; worst-case staleness in facts/staleness.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact
from consider.facts.links import slos_by_output
from consider.fields import (
    ROUND,
    at,
    calls,
    declares_new_entities,
    field_seconds,
    number,
    product_of,
    ratio,
    refs_in,
    slo_output,
)
from consider.lineage.delays import precompute_gaps
from consider.lineage.serving import availability_by_output, latency_by_output, needed_availability

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity

SLOW_CALL_SHARE = 0.01
"""The share of slow calls assumed per backend for fan-out, as in "The Tail at Scale"."""


# -- helpers ----------------------------------------------------------------------------------


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _tightest(spec: Analysis, path: tuple[str, str], name: str) -> dict[str, Any]:
    """Per output: the smallest value at ``path`` among its SLOs, and the SLO that sets it."""
    result: dict[str, Any] = {}
    for output, slos in slos_by_output(spec).items():
        best: tuple[float, str] | None = None
        for slo in slos:
            block = slo.fields.get(path[0])
            value = number(block.get(path[1])) if isinstance(block, dict) else None
            if value is not None and (best is None or value < best[0]):
                best = (value, slo.id)
        if best is not None:
            result[output] = {name: best[0], "slo": best[1]}
    return result


# -- outputs ----------------------------------------------------------------------------------


@fact(
    "tightest_freshness",
    kind="outputs",
    doc="The tightest freshness promise among the output's SLOs: `{max_staleness, slo}` "
    "(seconds, and the id of the SLO that makes it). Absent when no SLO states one.",
)
def output_tightest_freshness(spec: Analysis) -> Mapping[str, Any]:
    return _tightest(spec, ("freshness", "max_staleness"), "max_staleness")


@fact(
    "tightest_p99",
    kind="outputs",
    doc="The tightest p99 latency target among the output's SLOs: `{p99, slo}` (seconds, "
    "and the id of the SLO that sets it). Absent when no SLO states a p99.",
)
def output_tightest_p99(spec: Analysis) -> Mapping[str, Any]:
    return _tightest(spec, ("latency", "p99"), "p99")


@fact(
    "request_path_deps",
    kind="outputs",
    doc="Refs of everything the output's `request_path` calls, parallel branches "
    "included, in written order, each once.",
)
def output_request_path_deps(spec: Analysis) -> Mapping[str, Any]:
    return {
        output.id: _unique([hop["dep"] for hop in calls(output.fields.get("request_path"))])
        for output in spec.entities("outputs")
    }


@fact(
    "fanout_slow_share",
    kind="outputs",
    doc="The share of requests held up by at least one slow call when one request calls "
    "`fanout.count` backends and 1% of calls are slow: 1 - 0.99^count (a fraction, to "
    "three decimals). "
    "Absent without a fan-out count.",
)
def output_fanout_slow_share(spec: Analysis) -> Mapping[str, Any]:
    result: dict[str, float] = {}
    for output in spec.entities("outputs"):
        fanout = output.fields.get("fanout")
        count = number(fanout.get("count")) if isinstance(fanout, dict) else None
        if count is not None and count >= 1:
            # Three decimals: the figure is an order of magnitude, not a measurement.
            result[output.id] = round(1.0 - (1.0 - SLOW_CALL_SHARE) ** count, 3)
    return result


def _is_offline(entity: Entity | None) -> bool:
    if entity is None or entity.kind not in ("features", "datasets"):
        return False
    if entity.kind == "features" and entity.fields.get("compute") == "on_demand":
        return False  # computed at request time: nothing to look up
    return not entity.fields.get("online_store")


@fact(
    "offline_inputs",
    kind="outputs",
    doc="Refs of the features and datasets the output must read while serving that have no "
    "`online_store` (features computed `on_demand` excepted), in id order. Read while "
    "serving: every feature or dataset on its `request_path` and, for an `online` "
    "output, the features in `depends_on` and the `features` of the models in "
    "`depends_on`, and the datasets in `depends_on` when no `request_path` says what a "
    "request reads (a described path is the truth of serving: a dataset off it is lineage, "
    "served from the stores the path names). "
    "(A `hybrid` output's other inputs may feed only its precomputed part.)",
)
def output_offline_inputs(spec: Analysis) -> Mapping[str, Any]:
    result: dict[str, list[str]] = {}
    for output in spec.entities("outputs"):
        path = output.fields.get("request_path")
        read = [hop["dep"] for hop in calls(path)]
        if output.fields.get("mode") == "online":
            for target in refs_in(output, "depends_on"):
                upstream = spec.resolve(target)
                if upstream is not None and upstream.kind == "models":
                    read.extend(refs_in(upstream, "features"))
                elif not path or upstream is None or upstream.kind != "datasets":
                    read.append(target)
        result[output.id] = sorted({ref for ref in read if _is_offline(spec.resolve(ref))})
    return result


def _has_new_entities(entity: Entity | None) -> bool:
    if entity is None or entity.kind != "datasets":
        return False
    return declares_new_entities(entity.fields.get("new_entities"))


@fact(
    "new_entity_inputs",
    kind="outputs",
    doc="Refs of the datasets that declare `new_entities` among the output's inputs within "
    "two hops: datasets in `depends_on`, the datasets its features are computed from, "
    "and the datasets its models train on or read features from; in id order.",
)
def output_new_entity_inputs(spec: Analysis) -> Mapping[str, Any]:
    result: dict[str, list[str]] = {}
    for output in spec.entities("outputs"):
        seen: set[str] = set()
        for target in refs_in(output, "depends_on"):
            seen.add(target)
            upstream = spec.resolve(target)
            if upstream is None:
                continue
            fields = {"features": ("source",), "models": ("trained_on", "features")}
            for field in fields.get(upstream.kind, ()):
                for second in refs_in(upstream, field):
                    seen.add(second)
                    feature = spec.resolve(second)
                    if feature is not None and feature.kind == "features":
                        seen.update(refs_in(feature, "source"))
        result[output.id] = sorted(ref for ref in seen if _has_new_entities(spec.resolve(ref)))
    return result


@fact(
    "cold_start_wait",
    kind="outputs",
    doc="How long a new user or item may wait for an answer of its own: `{wait, via, "
    "retrain, work, run}` in seconds. For each model in `depends_on` that learns entity "
    "ids: its `retrain.cadence` (`retrain`), then its training and deploy time (`work`); "
    "then, for a precomputed or hybrid output, the wait for its next run: the longest gap "
    "between runs plus the run (`run`; a cron schedule's longest gap). `wait` is the sum "
    "for the slowest model (`via` its ref), or the run alone (`via: precompute`). Absent "
    "when none applies or none is known.",
)
def output_cold_start_wait(spec: Analysis) -> Mapping[str, Any]:
    result: dict[str, Any] = {}
    for output in spec.entities("outputs"):
        run = 0.0
        if output.fields.get("mode") in ("precomputed", "hybrid"):
            gaps = precompute_gaps(output.fields)
            if gaps is not None:
                run = gaps[1] + (field_seconds(output.fields, "precompute", "runtime") or 0.0)
        best: dict[str, Any] | None = (
            {"wait": run, "via": "precompute", "retrain": 0.0, "work": 0.0, "run": run}
            if run
            else None
        )
        for target in refs_in(output, "depends_on"):
            model = spec.resolve(target)
            if model is None or model.kind != "models":
                continue
            if model.fields.get("uses_entity_id_features") is not True:
                continue
            cadence = field_seconds(model.fields, "retrain", "cadence")
            if cadence is None:
                continue
            work = (field_seconds(model.fields, "retrain", "duration") or 0.0) + (
                field_seconds(model.fields, "deploy", "duration") or 0.0
            )
            wait = round(cadence + work + run, ROUND)
            if best is None or best["via"] == "precompute" or wait > best["wait"]:
                best = {
                    "wait": wait,
                    "via": model.ref,
                    "retrain": cadence,
                    "work": work,
                    "run": run,
                }
        if best is not None:
            result[output.id] = best
    return result


# -- services and stores ----------------------------------------------------------------------


def _callers(spec: Analysis) -> dict[str, list[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for output in spec.entities("outputs"):
        fallback = output.fields.get("fallback")
        paths = [
            output.fields.get("request_path"),
            fallback.get("path") if isinstance(fallback, dict) else None,
        ]
        for path in paths:
            for hop in calls(path):
                found[hop["dep"]].add(output.ref)
    return {target: sorted(outputs) for target, outputs in found.items()}


@fact(
    "called_by",
    kind="services",
    doc="Refs of the outputs whose `request_path` or `fallback.path` calls this service, "
    "in id order.",
)
def service_called_by(spec: Analysis) -> Mapping[str, Any]:
    callers = spec.cached("serving.callers", _callers)
    return {service.id: callers.get(service.ref, []) for service in spec.entities("services")}


@fact(
    "called_by",
    kind="stores",
    doc="Refs of the outputs whose `request_path` or `fallback.path` reads this store, in "
    "id order.",
)
def store_called_by(spec: Analysis) -> Mapping[str, Any]:
    callers = spec.cached("serving.callers", _callers)
    return {store.id: callers.get(store.ref, []) for store in spec.entities("stores")}


@fact(
    "called_by",
    kind="models",
    doc="Refs of the outputs whose `request_path` or `fallback.path` calls this model per "
    "request, in id order.",
)
def model_called_by(spec: Analysis) -> Mapping[str, Any]:
    callers = spec.cached("serving.callers", _callers)
    return {model.id: callers.get(model.ref, []) for model in spec.entities("models")}


# -- availability, latency and precompute, from the serving-path analysis ---------------------

AVAILABILITY_DOC = (
    "Composite availability of the critical serial dependencies on {what}'s `request_path` "
    "(parallel branches all needed; a hop or dependency with `critical: false` left out; "
    "independent failures assumed, so optimistic): `composite` (fraction), `with_fallback` "
    "(the dependencies the fallback `covers`, taken as a group, credited as "
    "1-(1-A_group)(1-A_fallback)), `dependencies` (each `{{ref, availability, covered}}`), "
    "`covered` (credited), `shared` (covered refs the fallback needs itself: no credit), "
    "`source_on_path` (the fallback's source when the main path needs it too, it is not "
    "covered, and it is a third-party API or strictly the least available critical call), "
    "`unknown` (refs with no stated availability, counted as 1), `weakest` (ref) "
    "and `weakest_availability`, `fallback_availability`, and `fallback_note` (the credit in "
    "words, such as '99.99% with the fallback's credit for service:ranker'). A fallback "
    "source or hop that is a precomputed output counts as the store it is served from.{extra}"
)


LATENCY_DOC = (
    "The latency budget of {what}'s `request_path` (a pessimistic bound: percentiles do not "
    "add): `total` (seconds: serial hops added, a parallel step costing its slowest branch, "
    "each hop the larger of its `p99` budget and its dependency's own `p99`), `budgeted` "
    "(the same sum from the hop budgets alone), `slowest` (ref) and `slowest_p99`, "
    "`underbudgeted` (hops whose budget is below the dependency's own p99, each `{{dep, "
    "budget, p99, ratio, note, timeout_below}}`; `timeout_below` when the fallback timeout "
    "is below that p99 too), "
    "`unknown` (deps with no p99 anywhere, counted as 0), `fallback_timeout`, "
    "`fallback_path` (its hops added, else the fallback source's own p99), `fallback_total` "
    "(timeout + fallback path) and `fallback_unknown`.{extra}"
)


@fact("availability", kind="outputs", doc=AVAILABILITY_DOC.format(what="the output", extra=""))
def output_availability(spec: Analysis) -> Mapping[str, Any]:
    return availability_by_output(spec)


def _extra_nine(spec: Analysis, kind: str) -> dict[str, Any]:
    by_output = availability_by_output(spec)
    strictest: dict[str, dict[str, Any]] = {}
    for slo in spec.entities("slos"):
        target = number(slo.fields.get("availability"))
        output = slo_output(spec, slo)
        if target is None or output is None or output.id not in by_output:
            continue
        needed = needed_availability(target)
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
def service_extra_nine(spec: Analysis) -> Mapping[str, Any]:
    return _extra_nine(spec, "services")


@fact("extra_nine", kind="stores", doc=_EXTRA_NINE_DOC.format(what="store"))
def store_extra_nine(spec: Analysis) -> Mapping[str, Any]:
    return _extra_nine(spec, "stores")


@fact("extra_nine", kind="models", doc=_EXTRA_NINE_DOC.format(what="model served per request"))
def model_extra_nine(spec: Analysis) -> Mapping[str, Any]:
    return _extra_nine(spec, "models")


@fact("latency", kind="outputs", doc=LATENCY_DOC.format(what="the output", extra=""))
def output_latency(spec: Analysis) -> Mapping[str, Any]:
    return latency_by_output(spec)


# -- precompute -------------------------------------------------------------------------------


def _store_capacity(spec: Analysis, output: Entity) -> tuple[str | None, float | None]:
    for path in (("precompute", "store"), ("storage", "store")):
        ref = at(output.fields, *path)
        entity = spec.resolve(ref) if isinstance(ref, str) else None
        if entity is not None:
            capacity = number(entity.fields.get("capacity"))
            if capacity is not None:
                return entity.ref, capacity
    capacity = field_seconds(output.fields, "storage", "capacity")
    return None, capacity


def _entries(output: Entity) -> float | None:
    cardinality = output.fields.get("cardinality")
    if not isinstance(cardinality, Mapping):
        return None
    values = [
        number(cardinality.get(k)) for k in ("entities", "items_per_entity", "bytes_per_item")
    ]
    if any(v is None for v in values):
        return None
    return product_of(v for v in values if v is not None)


@fact(
    "precompute",
    kind="outputs",
    doc="Precompute runs and their store: `shortest_gap` and `longest_gap` (seconds "
    "between runs; equal for a periodic schedule, computed over a week or the calendar "
    "for a cron one), `runtime`, `ratio` (runtime / shortest_gap: at 1 or more, runs "
    "overlap), `needed` (bytes: entities * items_per_entity * bytes_per_item), `store` "
    "(ref, when the capacity comes from a store entity), `capacity` (bytes), "
    "`store_needed` (bytes every output writing to that store needs), "
    "`capacity_ratio` (store_needed / capacity), `max_duration` (seconds) and "
    "`duration_ratio` (runtime / max_duration: how much of the allowed run a typical "
    "run takes). Present when the output states a "
    "precompute schedule or a cardinality.",
)
def output_precompute(spec: Analysis) -> Mapping[str, Any]:
    outputs = list(spec.entities("outputs"))
    per_store: dict[str, float] = {}
    facts: dict[str, dict[str, Any]] = {}
    for output in outputs:
        gaps = precompute_gaps(output.fields)
        needed = _entries(output)
        if gaps is None and needed is None:
            continue
        runtime = field_seconds(output.fields, "precompute", "runtime")
        max_duration = field_seconds(output.fields, "precompute", "max_duration")
        store, capacity = _store_capacity(spec, output)
        if store is not None and needed is not None:
            per_store[store] = per_store.get(store, 0.0) + needed
        facts[output.id] = {
            "shortest_gap": gaps[0] if gaps else None,
            "longest_gap": gaps[1] if gaps else None,
            "runtime": runtime,
            "ratio": ratio(runtime, gaps[0]) if gaps else None,
            "needed": needed,
            "store": store,
            "capacity": capacity,
            "max_duration": max_duration,
            "duration_ratio": ratio(runtime, max_duration),
        }
    for found in facts.values():
        store_needed = per_store.get(found["store"]) if found["store"] else found["needed"]
        found["store_needed"] = store_needed
        found["capacity_ratio"] = ratio(store_needed, found["capacity"])
    return facts
