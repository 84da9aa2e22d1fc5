"""Facts about models and what they learn from: who trains on which data, which outputs a
model's predictions reach, and the few figures the dependencies pack compares.

These are local look-ups (one or two hops), and one fold downstream for what every model's
predictions reach (consider/facts/_flow.py: linear, no walk per model); the lineage-wide
figures (worst-case staleness, feedback loops, retrain impact) live elsewhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact
from consider.facts._common import number, refs_in
from consider.facts._flow import SHOWN, Refs, first_refs, flow, fold, refs_beyond

if TYPE_CHECKING:
    from consider.model import Entity, Spec

# Reference fields along which data or predictions flow from the target to the referrer.
# Left out on purpose: `on_change`/`on_retrain` (instructions, pointing downstream),
# `logged_from_outputs` (the feedback edge, reported by the feedback-loop check),
# `applies_to` and `request_path` (SLOs and serving dependencies, not data).
_DATA_FLOW = (
    "outputs.depends_on",
    "outputs.fallback",
    "models.inputs_from",
    "models.trained_on",
    "models.features",
    "datasets.derived_from",
    "features.source",
)


def _trained_by(spec: Spec) -> dict[str, list[str]]:
    """data ref → sorted refs of the models whose `trained_on` names it."""
    found: dict[str, set[str]] = defaultdict(set)
    for model in spec.entities("models"):
        for target in refs_in(model, "trained_on"):
            found[target].add(model.ref)
    return {target: sorted(models) for target, models in found.items()}


def _models_using(spec: Spec) -> dict[str, list[str]]:
    """data ref → sorted refs of the models that read it within two hops."""
    found: dict[str, set[str]] = defaultdict(set)
    for model in spec.entities("models"):
        direct = [*refs_in(model, "trained_on"), *refs_in(model, "features")]
        for target in direct:
            found[target].add(model.ref)
            upstream = spec.resolve(target)
            if upstream is None:
                continue
            # One hop further: what a training dataset is derived from, what a feature is
            # computed from.
            for field in ("derived_from", "source"):
                for second in refs_in(upstream, field):
                    found[second].add(model.ref)
    return {target: sorted(models) for target, models in found.items()}


def _for_data(spec: Spec, table: dict[str, list[str]], kind: str) -> dict[str, list[str]]:
    return {entity.id: table.get(entity.ref, []) for entity in spec.entities(kind)}


@fact(
    "trained_by",
    kind="datasets",
    doc="Refs of the models whose `trained_on` names this dataset, in id order.",
)
def dataset_trained_by(spec: Spec) -> Mapping[str, Any]:
    return _for_data(spec, spec.cached("models.trained_by", _trained_by), "datasets")


@fact(
    "trained_by",
    kind="sources",
    doc="Refs of the models whose `trained_on` names this source, in id order.",
)
def source_trained_by(spec: Spec) -> Mapping[str, Any]:
    return _for_data(spec, spec.cached("models.trained_by", _trained_by), "sources")


@fact(
    "models_using",
    kind="datasets",
    doc="Refs of the models that read this dataset within two hops: they train on it or "
    "use a feature of it, or train on a dataset derived from it, in id order.",
)
def dataset_models_using(spec: Spec) -> Mapping[str, Any]:
    return _for_data(spec, spec.cached("models.models_using", _models_using), "datasets")


@fact(
    "models_using",
    kind="sources",
    doc="Refs of the models that read this source within two hops: they train on it or "
    "use a feature computed from it, or train on a dataset derived from it, in id order.",
)
def source_models_using(spec: Spec) -> Mapping[str, Any]:
    return _for_data(spec, spec.cached("models.models_using", _models_using), "sources")


@fact(
    "feeds_outputs",
    kind="models",
    doc="Refs of the outputs this model's predictions reach: outputs that depend on it, "
    "directly or through other models, datasets or features built on it (feedback "
    f"edges left out), in id order, at most the first {SHOWN} (a longer list is cut there). "
    "Empty when the model serves nothing.",
)
def model_feeds_outputs(spec: Spec) -> Mapping[str, Any]:
    graph = flow(spec)
    succ = graph.successors(_DATA_FLOW)
    own: list[Refs | None] = [
        (entity.ref,) if entity.kind == "outputs" else None for entity in graph.entities
    ]
    value = fold(succ, own, first_refs)
    return {
        model.id: refs_beyond(succ, value, graph.nodes[model.ref])
        for model in spec.entities("models")
    }


@fact(
    "logged_outputs",
    kind="models",
    doc="The outputs whose served results are logged into the datasets this model trains "
    "on (`logged_from_outputs`), each with its fields and `_id`, in id order: what its "
    "own predictions may feed back into.",
)
def model_logged_outputs(spec: Spec) -> Mapping[str, Any]:
    result: dict[str, list[dict[str, Any]]] = {}
    for model in spec.entities("models"):
        outputs: dict[str, Entity] = {}
        for target in refs_in(model, "trained_on"):
            dataset = spec.resolve(target)
            if dataset is None:
                continue
            for logged in refs_in(dataset, "logged_from_outputs"):
                output = spec.resolve(logged)
                if output is not None:
                    outputs[output.id] = output
        result[model.id] = [outputs[ident].view() for ident in sorted(outputs)]
    return result


@fact(
    "materialize_cycle",
    kind="features",
    doc="Seconds between two writes of the same key to the online store in the worst case: "
    "`materialize.interval` plus `materialize.runtime` (0 when not given). Absent "
    "without an interval.",
)
def feature_materialize_cycle(spec: Spec) -> Mapping[str, Any]:
    result: dict[str, float] = {}
    for feature in spec.entities("features"):
        materialize = feature.fields.get("materialize")
        if not isinstance(materialize, dict):
            continue
        interval = number(materialize.get("interval"))
        if interval is None:
            continue
        runtime = number(materialize.get("runtime")) or 0.0
        result[feature.id] = interval + runtime
    return result


@fact(
    "checked_training_data",
    kind="features",
    doc="Refs of the datasets that declare `checks` among those the models using this "
    "feature are trained on, in id order.",
)
def feature_checked_training_data(spec: Spec) -> Mapping[str, Any]:
    users: dict[str, set[str]] = defaultdict(set)
    for model in spec.entities("models"):
        training = [t for t in refs_in(model, "trained_on") if _has_checks(spec.resolve(t))]
        for feature in refs_in(model, "features"):
            users[feature].update(training)
    return {feature.id: sorted(users.get(feature.ref, ())) for feature in spec.entities("features")}


@fact(
    "disallowed_matches",
    kind="features",
    doc="The product's `disallowed_data` entries whose words appear, in order, in this "
    "feature's id or in the id of its source, such as `precise location` in "
    "`user-precise-location-7d`. A name match only: an explicit `approved: true` is "
    "for the pack to weigh.",
)
def feature_disallowed_matches(spec: Spec) -> Mapping[str, Any]:
    entries = spec.product.get("disallowed_data")
    terms = [(entry, _words(entry)) for entry in entries or () if isinstance(entry, str)]
    terms = [(entry, words) for entry, words in terms if words]
    result: dict[str, list[str]] = {}
    for feature in spec.entities("features"):
        names = [_words(feature.id)]
        names.extend(_words(target.partition(":")[2]) for target in refs_in(feature, "source"))
        result[feature.id] = [
            entry for entry, words in terms if any(_contains(name, words) for name in names)
        ]
    return result


def _has_checks(entity: Entity | None) -> bool:
    return entity is not None and entity.kind == "datasets" and bool(entity.fields.get("checks"))


_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


def _contains(haystack: Iterable[str], needle: tuple[str, ...]) -> bool:
    words = tuple(haystack)
    size = len(needle)
    return any(words[i : i + size] == needle for i in range(len(words) - size + 1))
