"""Facts about how data is collected and framed: what a source feeds (counts, event-time
windows, per-request outputs, backfills, retraining), and the pull capacity of rate-limited APIs.

What a source feeds is found by following data downstream through datasets, features, models
and outputs along the references the spec writes. Each fact is computed for every source at
once, as one fold over a topological order (consider/lineage/flow.py): linear in entities plus
references (and, for `lateness`, one more fold per distinct freshness `scope`, over what lies
downstream of it), with no walk per source and no path ever enumerated. A list of refs keeps the
first few in id order; a figure keeps the largest or smallest and what sets it. The
lineage-wide figures (worst-case staleness along every path, composite availability) live
in facts/staleness.py and facts/serving.py.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact
from consider.fields import ROUND, ROUND_RATIO, number, ratio
from consider.lazyre import LazyPattern
from consider.lineage.delays import closes_windows, event_window
from consider.lineage.flow import (
    SHOWN,
    Refs,
    beyond,
    first_refs,
    flow,
    fold,
    least,
    refs_beyond,
    region,
    within,
)

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity

# Reference fields along which data flows from the target to the referrer. Left out on
# purpose: `on_change`/`on_retrain` (instructions that point downstream), `logged_from_outputs`
# (the feedback edge), stores, SLOs and request paths (not data).
_DERIVED = "datasets.derived_from"
_FEATURE_SOURCE = "features.source"
_TRAINED_ON = "models.trained_on"
_MODEL_FEATURES = "models.features"
_INPUTS_FROM = "models.inputs_from"
_DEPENDS_ON = "outputs.depends_on"
_FLOW = (_DERIVED, _FEATURE_SOURCE, _TRAINED_ON, _MODEL_FEATURES, _INPUTS_FROM, _DEPENDS_ON)
# Data to data: how raw records become datasets and features.
_DATA = (_DERIVED, _FEATURE_SOURCE)
# What reaches an answer while it is served, as opposed to through retraining.
_SERVING = tuple(label for label in _FLOW if label != _TRAINED_ON)


def _event_time_window(spec: Analysis, feature: Entity) -> float | None:
    """The size of the feature's event-time window in seconds (0 if unsized), or None: as
    the staleness walk reads it (consider/lineage/delays.py), a window with no `kind` over
    data that declares an event-time field follows event time."""
    source = feature.fields.get("source")
    upstream = spec.resolve(source) if isinstance(source, str) else None
    return event_window(feature, upstream)


def _source_refs(
    spec: Analysis,
    labels: tuple[str, ...],
    wanted: Callable[[Entity], bool],
    stop: Callable[[Entity], bool] | None = None,
) -> dict[str, list[str]]:
    """Per source: the first refs in id order of the ``wanted`` entities it reaches along
    ``labels`` (a reached entity marked by ``stop`` is counted, but not gone past)."""
    graph = flow(spec)
    stops = None if stop is None else [stop(entity) for entity in graph.entities]
    succ = graph.successors(labels, stops)
    own: list[Refs | None] = [
        (entity.ref,) if wanted(entity) else None for entity in graph.entities
    ]
    value = fold(succ, own, first_refs)
    return {
        source.id: refs_beyond(succ, value, graph.nodes[source.ref])
        for source in spec.entities("sources")
    }


# -- sources: what they feed ------------------------------------------------------------------


@fact(
    "aggregated_by",
    kind="sources",
    doc="Refs of the features that count or sum this source's records (`aggregation` set), "
    "built on it directly or through datasets and features derived from it; id order, "
    f"at most the first {SHOWN} (a longer list is cut there).",
)
def source_aggregated_by(spec: Analysis) -> Mapping[str, Any]:
    def wanted(entity: Entity) -> bool:
        return entity.kind == "features" and entity.fields.get("aggregation") not in (
            None,
            False,
            "",
        )

    return _source_refs(spec, _DATA, wanted)


_UPDATE_STAMP = LazyPattern(r"updat|modif|chang|last_?seen|sync", re.IGNORECASE)


@fact(
    "update_pull",
    kind="sources",
    doc="The update-timestamp field of a source pulled in batches by what changed since the "
    "last run: its `event_time_field` names an update (`updated_at`, `last_modified`...) "
    "and it is neither pushed, streamed nor refreshed in full (`deletes: full_refresh`). "
    "Such a pull sees inserts and updates, never a deleted row. Absent otherwise.",
)
def source_update_pull(spec: Analysis) -> Mapping[str, Any]:
    result: dict[str, Any] = {}
    for source in spec.entities("sources"):
        fields = source.fields
        stamp = fields.get("event_time_field")
        if (
            isinstance(stamp, str)
            and _UPDATE_STAMP.search(stamp)
            and fields.get("method") != "stream"
            and fields.get("direction") != "push"
            and fields.get("deletes") != "full_refresh"
        ):
            result[source.id] = stamp
    return result


@fact(
    "event_time_windows",
    kind="sources",
    doc="Refs of the features that aggregate this source's records over event-time windows "
    "(`window.kind: event_time`, or a window with no `kind` over data that declares an "
    "`event_time_field`), directly or through derived data; id order, at most the "
    f"first {SHOWN} (a longer list is cut there).",
)
def source_event_time_windows(spec: Analysis) -> Mapping[str, Any]:
    def wanted(entity: Entity) -> bool:
        return entity.kind == "features" and _event_time_window(spec, entity) is not None

    return _source_refs(spec, _DATA, wanted)


def _has_online_store(entity: Entity) -> bool:
    return entity.kind in ("features", "datasets") and bool(entity.fields.get("online_store"))


@fact(
    "realtime_outputs",
    kind="sources",
    doc="Refs of the online or hybrid outputs that read this source while serving with no "
    "online store in between: the walk stops at features and datasets that declare an "
    "`online_store`, at outputs, and does not follow `trained_on`; id order, at most the "
    f"first {SHOWN} (a longer list is cut there).",
)
def source_realtime_outputs(spec: Analysis) -> Mapping[str, Any]:
    def wanted(entity: Entity) -> bool:
        return entity.kind == "outputs" and entity.fields.get("mode") in ("online", "hybrid")

    def stop(entity: Entity) -> bool:
        return entity.kind == "outputs" or _has_online_store(entity)

    return _source_refs(spec, _SERVING, wanted, stop)


@fact(
    "monitors",
    kind="sources",
    doc="The monitors the source turns on (`volume`, `freshness`, `schema`, `completeness`), "
    "whether written as a list or as flags; sorted. Empty when none.",
)
def source_monitors(spec: Analysis) -> Mapping[str, Any]:
    result = {}
    for source in spec.entities("sources"):
        written = source.fields.get("monitors")
        if isinstance(written, dict):
            names = [k for k, v in written.items() if v is True and not k.startswith("x-")]
        elif isinstance(written, list):
            names = [m for m in written if isinstance(m, str)]
        else:
            names = []
        result[source.id] = sorted(set(names))
    return result


# -- lateness against freshness ---------------------------------------------------------------

# The tightest freshness limit a feature's data meets downstream: (max_staleness, output ref,
# SLO id), least first.
Limit = tuple[float, str, str]


def _feature_limits(spec: Analysis, windowed: dict[int, float]) -> dict[int, Limit]:
    """For each feature in ``windowed``: the tightest freshness SLO whose output it reaches,
    while serving or, for an SLO that `includes` `model`, through retraining too, and whose
    scope (if any) names the feature or something upstream of it.

    The unscoped SLOs take one fold over the whole graph; the SLOs of each distinct scope,
    one fold over what lies downstream of that scope (the only place their features can be).
    """
    graph = flow(spec)
    groups: dict[tuple[str, ...] | None, list[tuple[int, Limit, bool]]] = defaultdict(list)
    for slo in spec.entities("slos"):
        freshness = slo.fields.get("freshness") or {}
        limit = number(freshness.get("max_staleness"))
        output = slo.fields.get("applies_to")
        node = graph.nodes.get(output) if isinstance(output, str) else None
        if limit is None or node is None:
            continue
        includes = freshness.get("includes") or ["data"]
        scope = freshness.get("scope")
        key = None
        if isinstance(scope, list) and scope:
            key = tuple(sorted({s for s in scope if isinstance(s, str)}))
        groups[key].append((node, (limit, str(output), slo.id), "model" in includes))
    best: dict[int, Limit] = {}
    if not windowed or not groups:
        return best
    serving = graph.successors(_SERVING)
    retraining = graph.successors(_FLOW)
    for key, slos in groups.items():
        if key is None:
            nodes = list(range(graph.size))
            local_serving, local_retraining = serving, retraining
        else:
            nodes = region(retraining, (graph.nodes[r] for r in key if r in graph.nodes))
            local_serving, local_retraining = within(serving, nodes), within(retraining, nodes)
        place = {node: i for i, node in enumerate(nodes)} if key is not None else None
        data: list[Limit | None] = [None] * len(nodes)
        model: list[Limit | None] = [None] * len(nodes)
        for node, tightest, with_model in slos:
            at = node if place is None else place.get(node)
            if at is not None:
                own = model if with_model else data
                own[at] = least(own[at], tightest)
        by_serving = fold(local_serving, data, least)
        with_models = any(with_model for *_, with_model in slos)
        by_retraining = fold(local_retraining, model, least) if with_models else None
        for at, feature in enumerate(nodes):
            if feature not in windowed:
                continue
            found = beyond(local_serving, by_serving, at, least)
            if by_retraining is not None:
                found = least(found, beyond(local_retraining, by_retraining, at, least))
            if found is not None:
                best[feature] = least(best.get(feature), found)
    return best


@fact(
    "lateness",
    kind="sources",
    doc="The worst event-time window fed by this source (of a feature that emits a window "
    "when it closes: computed on a stream, or with no `compute` or `materialize` stated) "
    "against the freshness SLOs of the outputs it reaches: `{allowed_lateness, window, "
    "delay, feature, output, slo, max_staleness}` in seconds, where `delay` = the "
    "source's `late_data.allowed_lateness` "
    "(0 when unset) + the wait of the feature's window (its `window.slide`, else its "
    "`size`). The pair with the least margin "
    "(`max_staleness - delay`) is kept; on a tie, the first feature, output and SLO in id "
    "order. An output counts when the feature reaches it "
    "while serving, or through retraining when the SLO `includes` `model`; an SLO with a "
    "`scope` counts when the scope names the feature or anything upstream of it. Absent "
    "when no such pair exists.",
)
def source_lateness(spec: Analysis) -> Mapping[str, Any]:
    graph = flow(spec)
    windows: dict[int, float] = {}
    for node, entity in enumerate(graph.entities):
        if entity.kind == "features" and closes_windows(entity):
            window = _event_time_window(spec, entity)
            if window is not None:
                windows[node] = window
    limits = _feature_limits(spec, windows)
    # Per feature: (margin before lateness, feature ref, output ref, SLO id, window, limit).
    own: list[tuple[float, str, str, str, float, float] | None] = [None] * graph.size
    for node, (limit, output, slo) in limits.items():
        window = windows[node]
        own[node] = (limit - window, graph.entities[node].ref, output, slo, window, limit)
    data = graph.successors(_DATA)
    value = fold(data, own, least)
    result: dict[str, Any] = {}
    for source in spec.entities("sources"):
        best = beyond(data, value, graph.nodes[source.ref], least)
        if best is None:
            continue
        late = source.fields.get("late_data")
        lateness = number(late.get("allowed_lateness")) if isinstance(late, dict) else None
        lateness = lateness or 0.0
        _, feature, output, slo, window, limit = best
        result[source.id] = {
            "allowed_lateness": lateness,
            "window": window,
            "delay": lateness + window,
            "feature": feature,
            "output": output,
            "slo": slo,
            "max_staleness": limit,
        }
    return result


# -- retention against what must be rebuilt ---------------------------------------------------

# What needs the longest history: (-need, 0 for a backfill and 1 for a lookback, ref, field),
# least first, so the longest need wins, then a dataset's backfill, then the first ref.
Need = tuple[float, int, str, str]


def _lookbacks(
    spec: Analysis, labels: tuple[str, ...]
) -> tuple[list[list[int]], list[Need | None]]:
    """The ``labels`` edges, and per node the longest `lookback` of the models it reaches
    along them (itself included)."""
    graph = flow(spec)
    own: list[Need | None] = [None] * graph.size
    for node, entity in enumerate(graph.entities):
        lookback = number(entity.fields.get("lookback")) if entity.kind == "models" else None
        if lookback is not None:
            own[node] = (-lookback, 1, entity.ref, "lookback")
    succ = graph.successors(labels)
    return succ, fold(succ, own, least)


def _need(best: Need | None) -> dict[str, Any] | None:
    if best is None:
        return None
    return {"need": -best[0], "by": best[2], "field": best[3]}


@fact(
    "replay_need",
    kind="sources",
    doc="The longest history anything downstream may need to rebuild from this source's raw "
    "data: `{need, by, field}`, the largest `backfill_window` of the datasets derived from "
    "it (at any depth) or `lookback` of the models trained on it or on data derived from "
    "it, with the ref that needs it and which field says so (on a tie, a backfill before "
    "a lookback, then the first ref in id order). Absent when none.",
)
def source_replay_need(spec: Analysis) -> Mapping[str, Any]:
    graph = flow(spec)
    training, models = _lookbacks(spec, (_TRAINED_ON, _MODEL_FEATURES))
    own: list[Need | None] = [None] * graph.size
    for node, entity in enumerate(graph.entities):
        backfill = (
            number(entity.fields.get("backfill_window")) if entity.kind == "datasets" else None
        )
        mine = None if backfill is None else (-backfill, 0, entity.ref, "backfill_window")
        # The models trained on this node: it is the source itself or data derived from it.
        own[node] = least(mine, beyond(training, models, node, least))
    data = graph.successors(_DATA)
    value = fold(data, own, least)
    result: dict[str, Any] = {}
    for source in spec.entities("sources"):
        # A source's own figure is what its trainers need; no edge of `data` leads back to it.
        need = _need(value[graph.nodes[source.ref]])
        if need is not None:
            result[source.id] = need
    return result


@fact(
    "replay_need",
    kind="datasets",
    doc="The longest `lookback` of the models trained directly on this dataset: "
    "`{need, by, field}` (on a tie, the first model in id order), or absent when none "
    "declares one.",
)
def dataset_replay_need(spec: Analysis) -> Mapping[str, Any]:
    graph = flow(spec)
    training, models = _lookbacks(spec, (_TRAINED_ON,))
    result: dict[str, Any] = {}
    for dataset in spec.entities("datasets"):
        need = _need(beyond(training, models, graph.nodes[dataset.ref], least))
        if need is not None:
            result[dataset.id] = need
    return result


# -- the press release and FAQ ----------------------------------------------------------------


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
def source_pull_capacity(spec: Analysis) -> Mapping[str, Any]:
    result = {}
    for source in spec.entities("sources"):
        fields = source.fields
        rate = number(fields.get("rate_limit"))
        page = number(fields.get("page_size"))
        count = number(fields.get("entity_count"))
        if rate is None or page is None or count is None or page <= 0 or rate <= 0:
            continue
        needed = math.ceil(round(count / page, ROUND_RATIO))
        interval = number(fields.get("interval"))
        allowed = math.floor(round(rate * interval, ROUND_RATIO)) if interval else None
        result[source.id] = {
            "calls_needed": needed,
            "calls_allowed": allowed,
            "ratio": ratio(needed, allowed) if allowed else None,
            "refresh_duration": round(needed / rate, ROUND),
            "interval": interval,
        }
    return result
