"""Facts about personal data that follows the lineage: which sources' PII a dataset,
feature or model carries, and whether a dataset keeps copies that outlive the source's
deletes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact
from consider.fields import number
from consider.lineage.graph import lineage_graph
from consider.units import format_duration

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity

_DATA_EDGES = frozenset({"derived_from", "source", "trained_on", "features"})
"""Edges along which rows (and the personal fields in them) are copied."""


_STORAGE_WORDS: dict[str, tuple[str, ...]] = {
    "warehouse": ("warehouse",),
    "log": ("log", "stream", "topic"),
    "object_store": ("object store", "bucket", "lake", "archive"),
    "key_value": ("key-value", "key value", "feature store", "cache"),
    "oltp": ("database", " db"),
}
_EVERYWHERE = (
    "token",
    "pseudonym",
    "anonymi",
    "every copy",
    "all copies",
    "everywhere",
    "downstream",
    "snapshot",
    "derived",
)
"""Words in a source's `erasure` that say the data downstream is covered, or not personal."""


def _covers(erasure: str, dataset: Entity) -> bool:
    """Whether a source's erasure text reaches the dataset, as its team wrote it: it names
    the dataset, the kind of store the dataset lives in, or a way that covers every copy."""
    text = erasure.lower()
    if dataset.id.lower() in text or any(word in text for word in _EVERYWHERE):
        return True
    storage = dataset.fields.get("storage")
    kind = storage.get("kind") if isinstance(storage, Mapping) else None
    return isinstance(kind, str) and any(w in text for w in _STORAGE_WORDS.get(kind, ()))


def _declared(entity: Entity) -> list[str] | None:
    """The PII an entity declares itself: its fields (``true`` as one unnamed field), ``[]``
    when it says it holds none (anonymised), None when it says nothing."""
    pii = entity.fields.get("pii")
    if pii is True:
        return ["personal data"]
    if pii is False:
        return []
    if isinstance(pii, list):
        return [str(item) for item in pii]
    return None


def _carried(spec: Analysis) -> dict[str, dict[str, list[str]]]:
    """ref → {source ref: its PII fields} for every entity PII reaches, in one pass over
    the topological order (an entity that declares none stops it)."""
    graph = lineage_graph(spec)
    carried: list[dict[str, list[str]]] = [{} for _ in range(graph.size)]
    for node in graph.order:
        entity = graph.entities[node]
        own = _declared(entity)
        if entity.kind == "sources":
            if own:
                carried[node] = {entity.ref: own}
            continue
        if own == []:
            continue  # anonymised here: nothing personal flows on
        found: dict[str, list[str]] = {}
        for upstream, kind in graph.up[node]:
            if kind in _DATA_EDGES:
                for source, fields in carried[upstream].items():
                    found.setdefault(source, fields)
        carried[node] = found
    return {graph.refs[n]: carried[n] for n in range(graph.size) if carried[n]}


@fact(
    "carried_pii",
    kind="datasets",
    doc="Personal data that reaches this dataset from upstream sources that declare `pii` "
    "(through `derived_from`, features and models; an entity with `pii: []` or `false` "
    "stops it): `sources` (refs), `fields`, `versioned`, `retention` (seconds), "
    "`source_retention` (the longest retention among those sources) and `outlives` (true "
    "when the dataset keeps earlier versions, or keeps data longer than any of those "
    "sources: copies a delete at the source does not reach), `uncovered` (refs of those "
    "sources whose `erasure` says how they erase but neither names this dataset, the kind of "
    "store it lives in, nor a way that reaches every copy such as tokens or snapshots), "
    "`kept` (how it outlives the source, in words). "
    "Absent when none reaches it.",
)
def dataset_carried_pii(spec: Analysis) -> Mapping[str, Any]:
    table: dict[str, dict[str, list[str]]] = spec.cached("privacy.carried", _carried)
    result: dict[str, Any] = {}
    for dataset in spec.entities("datasets"):
        reached = table.get(dataset.ref)
        if not reached:
            continue
        retentions = []
        uncovered = []
        for ref in reached:
            source = spec.resolve(ref)
            if source is None:
                continue
            kept = number(source.fields.get("retention"))
            if kept is not None:
                retentions.append(kept)
            erasure = source.fields.get("erasure")
            if isinstance(erasure, str) and not _covers(erasure, dataset):
                uncovered.append(ref)
        retention = number(dataset.fields.get("retention"))
        source_retention = max(retentions) if retentions else None
        versioned = dataset.fields.get("versioned") is True
        longer = (
            retention is not None and source_retention is not None and retention > source_retention
        )
        result[dataset.id] = {
            "sources": sorted(reached),
            "fields": sorted({f for fields in reached.values() for f in fields}),
            "versioned": versioned,
            "retention": retention,
            "source_retention": source_retention,
            "outlives": versioned or longer,
            "uncovered": sorted(uncovered),
            "kept": (
                "in earlier versions (versioned: true)"
                if versioned
                else f"for {format_duration(retention or 0.0)}, longer than the source's "
                f"{format_duration(source_retention or 0.0)}"
            ),
        }
    return result
