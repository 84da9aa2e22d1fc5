"""Reverse links: what points at an entity (an output's SLOs, a dataset's consumers)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact
from consider.vocabulary import PREFIX_OF

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity


def _referrers(spec: Analysis) -> dict[str, dict[str, list[str]]]:
    """target ref → field name of the referring entity's kind → sorted referrer refs."""
    found: dict[str, dict[str, set[str]]] = {}
    # Each referring entity's ref, once: a ref is built anew each time it is read, and an
    # entity writes many references, one after another.
    last: Entity | None = None
    ref = ""
    for reference in spec.references:
        if reference.resolved is None:
            continue
        source, path = reference.source, reference.path
        if source is not last:
            last, ref = source, source.ref
        label = f"{source.kind}.{path[0]}" if path else f"{source.kind}."
        by_field = found.get(reference.target)
        if by_field is None:
            by_field = found[reference.target] = {}
        referring = by_field.get(label)
        if referring is None:
            by_field[label] = {ref}
        else:
            referring.add(ref)
    return {
        target: {k: sorted(v) for k, v in by_field.items()} for target, by_field in found.items()
    }


def referrers(spec: Analysis) -> dict[str, dict[str, list[str]]]:
    """Shared, computed once per spec: who refers to whom, through which field."""
    result: dict[str, dict[str, list[str]]] = spec.cached("referrers", _referrers)
    return result


@fact(
    "slos", kind="outputs", doc="Ids of the SLOs whose `applies_to` names this output, in id order."
)
def output_slos(spec: Analysis) -> Mapping[str, Any]:
    by_output: dict[str, list[str]] = defaultdict(list)
    for slo in spec.entities("slos"):
        target = slo.fields.get("applies_to")
        if isinstance(target, str) and target.startswith("output:"):
            by_output[target.partition(":")[2]].append(slo.id)
    return {output.id: sorted(by_output.get(output.id, [])) for output in spec.entities("outputs")}


@fact(
    "slo_list",
    kind="outputs",
    doc="The SLOs that apply to this output, each with its fields and `_id`.",
)
def output_slo_list(spec: Analysis) -> Mapping[str, Any]:
    slos = {slo.id: slo for slo in spec.entities("slos")}
    return {ident: [slos[s].view() for s in ids] for ident, ids in output_slos(spec).items()}


def slos_by_output(spec: Analysis) -> dict[str, list[Entity]]:
    """Output id → the SLOs that apply to it, in the order written."""
    slos = {slo.id: slo for slo in spec.entities("slos")}
    return {
        output: [slos[ident] for ident in idents] for output, idents in output_slos(spec).items()
    }


def _users(spec: Analysis, kind: str) -> dict[str, list[str]]:
    links = referrers(spec)
    prefix = PREFIX_OF[kind]
    result = {}
    for entity in spec.entities(kind):
        by_field = links.get(f"{prefix}:{entity.id}", {})
        result[entity.id] = sorted({ref for refs in by_field.values() for ref in refs})
    return result


@fact(
    "consumers",
    kind="datasets",
    doc="Refs of every entity that references this dataset (models training on it, "
    "datasets derived from it, features built on it, outputs depending on it).",
)
def dataset_consumers(spec: Analysis) -> Mapping[str, Any]:
    return _users(spec, "datasets")


@fact("consumers", kind="sources", doc="Refs of every entity that references this source.")
def source_consumers(spec: Analysis) -> Mapping[str, Any]:
    return _users(spec, "sources")


@fact(
    "consumers",
    kind="features",
    doc="Refs of every entity that references this feature (models using it, ...).",
)
def feature_consumers(spec: Analysis) -> Mapping[str, Any]:
    return _users(spec, "features")


@fact(
    "consumers",
    kind="models",
    doc="Refs of every entity that references this model (outputs, other models).",
)
def model_consumers(spec: Analysis) -> Mapping[str, Any]:
    return _users(spec, "models")


@fact(
    "users",
    kind="services",
    doc="Refs of every entity that references this service (outputs on whose path it is).",
)
def service_users(spec: Analysis) -> Mapping[str, Any]:
    return _users(spec, "services")


@fact("users", kind="stores", doc="Refs of every entity that references this store.")
def store_users(spec: Analysis) -> Mapping[str, Any]:
    return _users(spec, "stores")
