"""Facts about how data is collected and framed: what a source feeds (counts, event-time
windows, per-request outputs, backfills, retraining), and the press release's own figures.

The walks here start at one source (or dataset) and follow data downstream through datasets,
features, models and outputs; each is a breadth-first search over the references the spec
writes, so no path is ever enumerated. The lineage-wide figures (worst-case staleness along
every path, composite availability, pull capacity) live in the lineage facts, not here.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact

if TYPE_CHECKING:
    from consider.model import Entity, Spec

# Reference fields along which data flows from the target to the referrer. Left out on
# purpose: `on_change`/`on_retrain` (instructions that point downstream), `logged_from_outputs`
# (the feedback edge), stores, SLOs and request paths (not data).
_DERIVED = "datasets.derived_from"
_FEATURE_SOURCE = "features.source"
_TRAINED_ON = "models.trained_on"
_MODEL_FEATURES = "models.features"
_INPUTS_FROM = "models.inputs_from"
_DEPENDS_ON = "outputs.depends_on"
_FLOW = frozenset(
    {_DERIVED, _FEATURE_SOURCE, _TRAINED_ON, _MODEL_FEATURES, _INPUTS_FROM, _DEPENDS_ON}
)
# Data to data: how raw records become datasets and features.
_DATA = frozenset({_DERIVED, _FEATURE_SOURCE})
# What reaches an answer while it is served, as opposed to through retraining.
_SERVING = _FLOW - {_TRAINED_ON}

CORE_PARAGRAPHS = ("customer", "problem", "solution", "benefits")
"""The press-release parts every PR/FAQ needs (Working Backwards, ch. 5)."""

REQUIRED_FAQ_CATEGORIES = ("tam", "economics", "dependencies", "feasibility")
"""The internal FAQ categories Working Backwards expects; the others are optional."""

# Fields of `working_backwards` that make up the press release itself (not the FAQ).
_PRESS_RELEASE = (
    "headline",
    "subheading",
    "customer",
    "problem",
    "existing_solutions",
    "solution",
    "benefits",
    "evidence",
    "customer_quote",
    "leader_quote",
    "getting_started",
)

Edges = dict[str, list[tuple[str, str]]]


def _downstream(spec: Spec) -> Edges:
    """ref → [(referrer ref, 'kind.field')] for every data-flow reference, written order."""
    edges: Edges = defaultdict(list)
    for reference in spec.references:
        if reference.resolved is None or not reference.path:
            continue
        label = f"{reference.source.kind}.{reference.path[0]}"
        if label in _FLOW:
            edges[reference.target].append((reference.source.ref, label))
    return dict(edges)


def _edges(spec: Spec) -> Edges:
    result: Edges = spec.cached("collection.downstream", _downstream)
    return result


def _walk(
    spec: Spec,
    start: str,
    follow: frozenset[str],
    expand: Callable[[Entity], bool] = lambda _: True,
) -> list[Entity]:
    """Entities reachable from ``start`` along ``follow`` edges, breadth first, without it.

    ``expand`` decides whether the walk goes on past an entity it reached (the entity itself
    is still returned).
    """
    edges = _edges(spec)
    seen = {start}
    queue = deque([start])
    found: list[Entity] = []
    while queue:
        here = queue.popleft()
        for target, label in edges.get(here, ()):
            if label not in follow or target in seen:
                continue
            seen.add(target)
            entity = spec.resolve(target)
            if entity is None:
                continue
            found.append(entity)
            if expand(entity):
                queue.append(target)
    return found


def _features(entities: Iterable[Entity]) -> list[Entity]:
    return [e for e in entities if e.kind == "features"]


def _sorted_refs(entities: Iterable[Entity]) -> list[str]:
    return sorted({e.ref for e in entities})


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _event_time_window(feature: Entity) -> float | None:
    """The size of the feature's event-time window in seconds (0 if unsized), or None."""
    window = feature.fields.get("window")
    if not isinstance(window, dict) or window.get("kind") != "event_time":
        return None
    return _number(window.get("size")) or 0.0


# -- sources: what they feed ------------------------------------------------------------------


@fact(
    "aggregated_by",
    kind="sources",
    doc="Refs of the features that count or sum this source's records (`aggregation` set), "
    "built on it directly or through datasets and features derived from it; id order.",
)
def source_aggregated_by(spec: Spec) -> Mapping[str, Any]:
    result = {}
    for source in spec.entities("sources"):
        reached = _features(_walk(spec, source.ref, _DATA))
        result[source.id] = _sorted_refs(
            f for f in reached if f.fields.get("aggregation") not in (None, False, "")
        )
    return result


@fact(
    "event_time_windows",
    kind="sources",
    doc="Refs of the features that aggregate this source's records over event-time windows "
    "(`window.kind: event_time`), directly or through derived data; id order.",
)
def source_event_time_windows(spec: Spec) -> Mapping[str, Any]:
    result = {}
    for source in spec.entities("sources"):
        reached = _features(_walk(spec, source.ref, _DATA))
        result[source.id] = _sorted_refs(f for f in reached if _event_time_window(f) is not None)
    return result


def _has_online_store(entity: Entity) -> bool:
    return entity.kind in ("features", "datasets") and bool(entity.fields.get("online_store"))


@fact(
    "realtime_outputs",
    kind="sources",
    doc="Refs of the online or hybrid outputs that read this source while serving with no "
    "online store in between: the walk stops at features and datasets that declare an "
    "`online_store`, at outputs, and does not follow `trained_on`; id order.",
)
def source_realtime_outputs(spec: Spec) -> Mapping[str, Any]:
    def expand(entity: Entity) -> bool:
        return entity.kind != "outputs" and not _has_online_store(entity)

    result = {}
    for source in spec.entities("sources"):
        reached = [
            e
            for e in _walk(spec, source.ref, _SERVING, expand)
            if e.kind == "outputs" and e.fields.get("mode") in ("online", "hybrid")
        ]
        result[source.id] = _sorted_refs(reached)
    return result


@fact(
    "monitors",
    kind="sources",
    doc="The monitors the source turns on (`volume`, `freshness`, `schema`, `completeness`), "
    "whether written as a list or as flags; sorted. Empty when none.",
)
def source_monitors(spec: Spec) -> Mapping[str, Any]:
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


def _slos_by_output(spec: Spec) -> dict[str, list[Entity]]:
    found: dict[str, list[Entity]] = defaultdict(list)
    for slo in spec.entities("slos"):
        target = slo.fields.get("applies_to")
        if isinstance(target, str):
            found[target].append(slo)
    return found


def _upstream_closure(spec: Spec, ref: str) -> set[str]:
    """``ref`` and every ref upstream of it along the data-flow edges."""
    upstream: dict[str, list[str]] = spec.cached("collection.upstream", _upstream_index)
    seen = {ref}
    queue = deque([ref])
    while queue:
        for parent in upstream.get(queue.popleft(), ()):
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return seen


def _upstream_index(spec: Spec) -> dict[str, list[str]]:
    index: dict[str, list[str]] = defaultdict(list)
    for target, referrers in _edges(spec).items():
        for referrer, _ in referrers:
            index[referrer].append(target)
    return dict(index)


def _in_scope(slo: Entity, covered: set[str]) -> bool:
    freshness = slo.fields.get("freshness") or {}
    scope = freshness.get("scope")
    return not isinstance(scope, list) or not scope or any(s in covered for s in scope)


@fact(
    "lateness",
    kind="sources",
    doc="The worst event-time window fed by this source against the freshness SLOs of the "
    "outputs it reaches: `{allowed_lateness, window, delay, feature, output, slo, "
    "max_staleness}` in seconds, where `delay` = the source's `late_data.allowed_lateness` "
    "(0 when unset) + the feature's `window.size`. The pair with the least margin "
    "(`max_staleness - delay`) is kept. An output counts when the feature reaches it "
    "while serving, or through retraining when the SLO `includes` `model`; an SLO with a "
    "`scope` counts when the scope names the feature or anything upstream of it. Absent "
    "when no such pair exists.",
)
def source_lateness(spec: Spec) -> Mapping[str, Any]:
    slos = _slos_by_output(spec)
    result: dict[str, Any] = {}
    for source in spec.entities("sources"):
        late = source.fields.get("late_data")
        lateness = _number(late.get("allowed_lateness")) if isinstance(late, dict) else None
        lateness = lateness or 0.0
        best: dict[str, Any] | None = None
        for feature in _features(_walk(spec, source.ref, _DATA)):
            window = _event_time_window(feature)
            if window is None:
                continue
            covered = _upstream_closure(spec, feature.ref)
            serving = {e.ref for e in _walk(spec, feature.ref, _SERVING)}
            retrained = {e.ref for e in _walk(spec, feature.ref, _FLOW)}
            for output in sorted(retrained):
                for slo in slos.get(output, ()):
                    freshness = slo.fields.get("freshness") or {}
                    limit = _number(freshness.get("max_staleness"))
                    if limit is None or not _in_scope(slo, covered):
                        continue
                    includes = freshness.get("includes") or ["data"]
                    if output not in serving and "model" not in includes:
                        continue
                    delay = lateness + window
                    if best is None or limit - delay < best["max_staleness"] - best["delay"]:
                        best = {
                            "allowed_lateness": lateness,
                            "window": window,
                            "delay": delay,
                            "feature": feature.ref,
                            "output": output,
                            "slo": slo.id,
                            "max_staleness": limit,
                        }
        if best is not None:
            result[source.id] = best
    return result


# -- retention against what must be rebuilt ---------------------------------------------------


def _need(best: dict[str, Any] | None, seconds: Any, by: str, field: str) -> dict[str, Any] | None:
    value = _number(seconds)
    if value is None or (best is not None and value <= best["need"]):
        return best
    return {"need": value, "by": by, "field": field}


@fact(
    "replay_need",
    kind="sources",
    doc="The longest history anything downstream may need to rebuild from this source's raw "
    "data: `{need, by, field}`, the largest `backfill_window` of the datasets derived from "
    "it (at any depth) or `lookback` of the models trained on it or on data derived from "
    "it, with the ref that needs it and which field says so. Absent when none.",
)
def source_replay_need(spec: Spec) -> Mapping[str, Any]:
    result: dict[str, Any] = {}
    for source in spec.entities("sources"):
        best: dict[str, Any] | None = None
        data = _walk(spec, source.ref, _DATA)
        for entity in data:
            if entity.kind == "datasets":
                best = _need(
                    best, entity.fields.get("backfill_window"), entity.ref, "backfill_window"
                )
        starts = [source.ref, *(e.ref for e in data)]
        models = {
            m.ref: m
            for start in starts
            for m in _walk(spec, start, frozenset({_TRAINED_ON, _MODEL_FEATURES}))
            if m.kind == "models"
        }
        for ref in sorted(models):
            best = _need(best, models[ref].fields.get("lookback"), ref, "lookback")
        if best is not None:
            result[source.id] = best
    return result


@fact(
    "replay_need",
    kind="datasets",
    doc="The longest `lookback` of the models trained directly on this dataset: "
    "`{need, by, field}`, or absent when none declares one.",
)
def dataset_replay_need(spec: Spec) -> Mapping[str, Any]:
    result: dict[str, Any] = {}
    for dataset in spec.entities("datasets"):
        best: dict[str, Any] | None = None
        trainers = [
            e for e in _walk(spec, dataset.ref, frozenset({_TRAINED_ON})) if e.kind == "models"
        ]
        for model in sorted(trainers, key=lambda m: m.ref):
            best = _need(best, model.fields.get("lookback"), model.ref, "lookback")
        if best is not None:
            result[dataset.id] = best
    return result


# -- the press release and FAQ ----------------------------------------------------------------


def _working_backwards(spec: Spec) -> dict[str, Any]:
    section = spec.product.get("working_backwards")
    return section if isinstance(section, dict) else {}


def _written(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return any(_written(item) for item in value)
    return value is not None


def _words(value: Any) -> int:
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, list):
        return sum(_words(item) for item in value)
    if isinstance(value, dict):
        return sum(_words(v) for k, v in value.items() if not str(k).startswith("x-"))
    return 0


@fact(
    "prfaq_missing_core",
    kind="product",
    doc="The core press-release parts not written: any of `customer`, `problem`, `solution`, "
    "`benefits` (in that order) that is absent, blank or an empty list.",
)
def product_prfaq_missing_core(spec: Spec) -> Mapping[str, Any]:
    section = _working_backwards(spec)
    return {"product": [name for name in CORE_PARAGRAPHS if not _written(section.get(name))]}


@fact(
    "faq_missing_categories",
    kind="product",
    doc="The required internal FAQ categories (`tam`, `economics`, `dependencies`, "
    "`feasibility`, in that order) that no internal FAQ entry covers.",
)
def product_faq_missing_categories(spec: Spec) -> Mapping[str, Any]:
    faq = _working_backwards(spec).get("faq")
    internal = faq.get("internal") if isinstance(faq, dict) else None
    covered = {item.get("category") for item in internal or () if isinstance(item, dict)}
    return {"product": [c for c in REQUIRED_FAQ_CATEGORIES if c not in covered]}


@fact(
    "faq_unanswered",
    kind="product",
    doc="The FAQ questions (external first, then internal, as written) with no answer `a`, "
    "or a blank one.",
)
def product_faq_unanswered(spec: Spec) -> Mapping[str, Any]:
    faq = _working_backwards(spec).get("faq")
    found: list[str] = []
    if isinstance(faq, dict):
        for part in ("external", "internal"):
            for item in faq.get(part) or ():
                question = item.get("q") if isinstance(item, dict) else None
                # An entry without a question is a schema finding already.
                if isinstance(question, str) and question.strip() and not _written(item.get("a")):
                    found.append(question.strip())
    return {"product": found}


@fact(
    "press_release_words",
    kind="product",
    doc="How many words the press release has: the whitespace-separated words of "
    "`headline`, `subheading`, `customer`, `problem`, `existing_solutions`, `solution`, "
    "`benefits`, `evidence`, both quotes and `getting_started` (not the FAQ).",
)
def product_press_release_words(spec: Spec) -> Mapping[str, Any]:
    section = _working_backwards(spec)
    return {"product": sum(_words(section.get(name)) for name in _PRESS_RELEASE)}
