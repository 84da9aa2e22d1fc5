"""Facts about models and what they learn from: who trains on which data, which outputs a
model's predictions reach, and the few figures the dependencies pack compares.

These are local look-ups (one or two hops), and one fold downstream for what every model's
predictions reach (consider/lineage/flow.py: linear, no walk per model); the lineage-wide
figures (worst-case staleness, feedback loops, retrain impact) live elsewhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact
from consider.fields import (
    ROUND,
    declares_new_entities,
    field_refs,
    field_seconds,
    number,
    ratio,
    refs_in,
)
from consider.lineage.delays import precompute_gaps
from consider.lineage.flow import SHOWN, Refs, first_refs, flow, fold, refs_beyond
from consider.lineage.graph import lineage_graph
from consider.lineage.reach import followers

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity

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


def _trained_by(spec: Analysis) -> dict[str, list[str]]:
    """data ref → sorted refs of the models whose `trained_on` names it."""
    found: dict[str, set[str]] = defaultdict(set)
    for model in spec.entities("models"):
        for target in refs_in(model, "trained_on"):
            found[target].add(model.ref)
    return {target: sorted(models) for target, models in found.items()}


def _models_using(spec: Analysis) -> dict[str, list[str]]:
    """data ref → sorted refs of the models that read it within two hops."""
    found: dict[str, set[str]] = defaultdict(set)
    for model in spec.entities("models"):
        ref = model.ref  # built anew each time it is read
        direct = [*refs_in(model, "trained_on"), *refs_in(model, "features")]
        for target in direct:
            found[target].add(ref)
            upstream = spec.resolve(target)
            if upstream is None:
                continue
            # One hop further: what a training dataset is derived from, what a feature is
            # computed from.
            for field in ("derived_from", "source"):
                for second in refs_in(upstream, field):
                    found[second].add(ref)
    return {target: sorted(models) for target, models in found.items()}


def _for_data(spec: Analysis, table: dict[str, list[str]], kind: str) -> dict[str, list[str]]:
    return {entity.id: table.get(entity.ref, []) for entity in spec.entities(kind)}


@fact(
    "other_models",
    kind="models",
    doc="Refs of the spec's other models, in id order: a model can take another model's "
    "predictions as input only where there is another model to take them from.",
)
def model_other_models(spec: Analysis) -> Mapping[str, Any]:
    refs = sorted(model.ref for model in spec.entities("models"))
    return {model.id: [r for r in refs if r != model.ref] for model in spec.entities("models")}


@fact(
    "unreproducible_training",
    kind="datasets",
    doc="Refs of the models trained on this dataset that are not declared reproducible "
    "(neither `reproducible: true` nor a `reproducible.data_snapshot`): while the dataset "
    "keeps no earlier versions, the `unreproducible-training` risk of those models names it.",
)
def dataset_unreproducible_training(spec: Analysis) -> Mapping[str, Any]:
    return _unreproducible_training(spec, "datasets")


@fact(
    "unreproducible_training",
    kind="sources",
    doc="Refs of the models trained directly on this source that are not declared "
    "reproducible, as for datasets: for a source whose rows change (`mutable`, or a database "
    "not said to be append-only) and keeps no snapshots, the `unreproducible-training` risk "
    "of those models names it.",
)
def source_unreproducible_training(spec: Analysis) -> Mapping[str, Any]:
    return _unreproducible_training(spec, "sources")


def _unreproducible_training(spec: Analysis, kind: str) -> dict[str, list[str]]:
    trained_by = spec.cached("models.trained_by", _trained_by)
    found: dict[str, list[str]] = {}
    for data in spec.entities(kind):
        models = [spec.resolve(ref) for ref in trained_by.get(data.ref, [])]
        found[data.id] = [m.ref for m in models if m is not None and not _reproducible(m)]
    return found


@fact(
    "unversioned_training",
    kind="models",
    doc="Ids of the data this model trains on (`trained_on`) that keeps no earlier versions: "
    "datasets without `versioned: true`, and sources whose rows change (`mutable: true`, or a "
    "database not said to be append-only) without it; in written order. An append-only "
    "source keeps its own history.",
)
def model_unversioned_training(spec: Analysis) -> Mapping[str, Any]:
    result: dict[str, list[str]] = {}
    for model in spec.entities("models"):
        found = []
        for target in refs_in(model, "trained_on"):
            data = spec.resolve(target)
            if data is None or data.fields.get("versioned") is True:
                continue
            if data.kind == "datasets" or _changes(data):
                found.append(data.id)
        result[model.id] = found
    return result


def _changes(source: Entity) -> bool:
    mutable = source.fields.get("mutable")
    return mutable is True or (source.fields.get("kind") == "internal_db" and mutable is not False)


@fact(
    "training_ages_out",
    kind="models",
    doc="The data this model trains on (`trained_on`, datasets or sources) that keeps less "
    "than the model's `lookback` and no earlier versions (a dataset with `versioned: true` "
    "keeps them): each `{ref, retention}` (seconds), in written order. Empty without a "
    "lookback.",
)
def model_training_ages_out(spec: Analysis) -> Mapping[str, Any]:
    result: dict[str, list[dict[str, Any]]] = {}
    for model in spec.entities("models"):
        lookback = number(model.fields.get("lookback"))
        found: list[dict[str, Any]] = []
        for target in refs_in(model, "trained_on") if lookback is not None else []:
            data = spec.resolve(target)
            if data is None or data.fields.get("versioned") is True:
                continue
            retention = number(data.fields.get("retention"))
            if lookback is not None and retention is not None and retention < lookback:
                found.append({"ref": data.ref, "retention": retention})
        result[model.id] = found
    return result


def _reproducible(model: Entity) -> bool:
    declared = model.fields.get("reproducible")
    if isinstance(declared, dict):
        return bool(declared.get("data_snapshot"))
    return declared is True


@fact(
    "trained_by",
    kind="datasets",
    doc="Refs of the models whose `trained_on` names this dataset, in id order.",
)
def dataset_trained_by(spec: Analysis) -> Mapping[str, Any]:
    return _for_data(spec, spec.cached("models.trained_by", _trained_by), "datasets")


@fact(
    "trained_by",
    kind="sources",
    doc="Refs of the models whose `trained_on` names this source, in id order.",
)
def source_trained_by(spec: Analysis) -> Mapping[str, Any]:
    return _for_data(spec, spec.cached("models.trained_by", _trained_by), "sources")


@fact(
    "joined_for_training",
    kind="datasets",
    doc="Refs of the models that train on this dataset joined with other data: their "
    "`trained_on` names more than this, or they read `features`; in id order. Each training "
    "row is then matched to values from elsewhere, which may have changed since its event.",
)
def dataset_joined_for_training(spec: Analysis) -> Mapping[str, Any]:
    return _for_data(spec, spec.cached("models.joined", _joined_for_training), "datasets")


@fact(
    "joined_for_training",
    kind="sources",
    doc="Refs of the models that train directly on this source joined with other data (as "
    "for datasets), in id order.",
)
def source_joined_for_training(spec: Analysis) -> Mapping[str, Any]:
    return _for_data(spec, spec.cached("models.joined", _joined_for_training), "sources")


def _joined_for_training(spec: Analysis) -> dict[str, list[str]]:
    joined: dict[str, set[str]] = defaultdict(set)
    for model in spec.entities("models"):
        trained_on = refs_in(model, "trained_on")
        if len(trained_on) > 1 or refs_in(model, "features"):
            for target in trained_on:
                joined[target].add(model.ref)
    return {target: sorted(models) for target, models in joined.items()}


@fact(
    "models_using",
    kind="datasets",
    doc="Refs of the models that read this dataset within two hops: they train on it or "
    "use a feature of it, or train on a dataset derived from it, in id order.",
)
def dataset_models_using(spec: Analysis) -> Mapping[str, Any]:
    return _for_data(spec, spec.cached("models.models_using", _models_using), "datasets")


@fact(
    "models_using",
    kind="sources",
    doc="Refs of the models that read this source within two hops: they train on it or "
    "use a feature computed from it, or train on a dataset derived from it, in id order.",
)
def source_models_using(spec: Analysis) -> Mapping[str, Any]:
    return _for_data(spec, spec.cached("models.models_using", _models_using), "sources")


@fact(
    "feeds_outputs",
    kind="models",
    doc="Refs of the outputs this model's predictions reach: outputs that depend on it, "
    "directly or through other models, datasets or features built on it (feedback "
    f"edges left out), in id order, at most the first {SHOWN} (a longer list is cut there). "
    "Empty when the model serves nothing.",
)
def model_feeds_outputs(spec: Analysis) -> Mapping[str, Any]:
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
    doc="The outputs whose served results are logged into the datasets or sources this "
    "model trains on (`logged_from_outputs`), each with its fields and `_id`, in id order: "
    "what its own predictions may feed back into.",
)
def model_logged_outputs(spec: Analysis) -> Mapping[str, Any]:
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
def feature_materialize_cycle(spec: Analysis) -> Mapping[str, Any]:
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
def feature_checked_training_data(spec: Analysis) -> Mapping[str, Any]:
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
def feature_disallowed_matches(spec: Analysis) -> Mapping[str, Any]:
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


# -- models: age, triggers, re-runs -----------------------------------------------------------


@fact(
    "model_age",
    kind="models",
    doc="How old the serving model can get: `worst` (seconds: retrain cadence + retrain "
    "duration + deploy duration), `max_age` (the tolerance), `ratio` (worst / max_age), "
    "`unknown` (which of duration and deploy are not stated, counted as 0). Present "
    "when the model states a retrain cadence.",
)
def model_age(spec: Analysis) -> Mapping[str, Any]:
    result = {}
    for model in spec.entities("models"):
        cadence = field_seconds(model.fields, "retrain", "cadence")
        if cadence is None:
            continue
        training = field_seconds(model.fields, "retrain", "duration")
        deploy = field_seconds(model.fields, "deploy", "duration")
        worst = round(cadence + (training or 0.0) + (deploy or 0.0), ROUND)
        max_age = field_seconds(model.fields, "max_age")
        result[model.id] = {
            "worst": worst,
            "max_age": max_age,
            "ratio": ratio(worst, max_age),
            "unknown": [
                name
                for name, value in (("retrain.duration", training), ("deploy.duration", deploy))
                if value is None
            ],
        }
    return result


_DATA_TRIGGERS = frozenset({"new_data", "schema_change", "drift"})


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
def model_missing_retrain_triggers(spec: Analysis) -> Mapping[str, Any]:
    result = {}
    for model in spec.entities("models"):
        cadence = field_seconds(model.fields, "retrain", "cadence")
        triggers = set(field_refs(model.fields, "retrain", "triggers"))
        missing: list[dict[str, Any]] = []
        if cadence is not None and not triggers & _DATA_TRIGGERS:
            for ref in field_refs(model.fields, "trained_on"):
                dataset = spec.resolve(ref)
                if dataset is None or dataset.kind != "datasets":
                    continue
                interval = field_seconds(dataset.fields, "refresh", "interval")
                if interval is None or cadence <= interval:
                    continue
                if model.ref in field_refs(dataset.fields, "on_change", "retrain"):
                    reason = "on_change"
                    because = f"its on_change.retrain lists {model.ref}"
                elif (
                    declares_new_entities(dataset.fields.get("new_entities"))
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


@fact(
    "rerun_after_retrain",
    kind="models",
    doc="What must re-run after this model retrains, derived from the graph, against what "
    "its `on_retrain.rerun` declares: `derived` (refs of direct consumers that hold "
    "results computed with the old model: datasets derived from it, models taking "
    "`inputs_from` it, precomputed or hybrid outputs depending on it; in ref order), "
    "`declared`, `missing` (derived but not declared), and `stale`: those of `missing` "
    "that really serve the old model's results too long: models that take its predictions "
    "as input, and precomputed outputs whose next scheduled run (the longest gap between "
    "runs, plus the run) comes later than their tightest freshness promise allows. An "
    "output without a schedule or a freshness promise is left to the questions about them; "
    "a dataset of logged predictions is history, not stale.",
)
def model_rerun_after_retrain(spec: Analysis) -> Mapping[str, Any]:
    from consider.facts.serving import output_tightest_freshness

    graph = lineage_graph(spec)
    freshness = output_tightest_freshness(spec)
    result = {}
    for model in spec.entities("models"):
        derived = followers(graph, graph.nodes[model.ref], "on_retrain.rerun")
        declared = field_refs(model.fields, "on_retrain", "rerun")
        missing = [ref for ref in derived if ref not in declared]
        result[model.id] = {
            "derived": derived,
            "declared": declared,
            "missing": missing,
            "stale": [ref for ref in missing if _stays_stale(spec, ref, freshness)],
        }
    return result


def _stays_stale(spec: Analysis, ref: str, freshness: Mapping[str, Any]) -> bool:
    """Whether a consumer keeps serving the old model's results past what it promises."""
    entity = spec.resolve(ref)
    if entity is None or entity.kind == "datasets":
        return False
    if entity.kind == "models":
        return True
    promise = freshness.get(entity.id)
    gaps = precompute_gaps(entity.fields)
    if promise is None or gaps is None:
        return False
    runtime = field_seconds(entity.fields, "precompute", "runtime") or 0.0
    return bool(gaps[1] + runtime > promise["max_staleness"])
