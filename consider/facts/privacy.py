"""Facts about personal data that follows the lineage: which sources' PII a dataset,
feature or model carries, and whether a dataset keeps copies that outlive the source's
deletes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact
from consider.fields import at, calls, number
from consider.lazyre import LazyPattern
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
    # One empty mapping shared by every node PII does not reach (most, in most specs): none
    # is changed once made, so none needs a copy of its own.
    nothing: dict[str, list[str]] = {}
    carried: list[dict[str, list[str]]] = [nothing] * graph.size
    for node in graph.order:
        entity = graph.entities[node]
        own = _declared(entity)
        if entity.kind == "sources":
            if own:
                carried[node] = {entity.ref: own}
            continue
        if own == []:
            continue  # anonymised here: nothing personal flows on
        found: dict[str, list[str]] | None = None
        for upstream, kind in graph.up[node]:
            reached = carried[upstream]
            if not reached or kind not in _DATA_EDGES:
                continue
            if found is None:
                found = dict(reached)
            else:
                for source, fields in reached.items():
                    found.setdefault(source, fields)
        if found is not None:
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
    "store it lives in, nor a way that reaches every copy such as tokens or snapshots) and "
    "`uncovered_fields` (the personal fields those sources carry), `kept` (how it outlives "
    "the source, in words). "
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
            "uncovered_fields": sorted({f for ref in uncovered for f in reached.get(ref, [])}),
            "kept": (
                "in earlier versions (versioned: true)"
                if versioned
                else f"for {format_duration(retention or 0.0)}, longer than the source's "
                f"{format_duration(source_retention or 0.0)}"
            ),
        }
    return result


# -- opt-outs -------------------------------------------------------------------------------

_OPT_OUT = LazyPattern(
    r"\bopt(?:s|ed|ing)?[- ]?out\b|\bunsubscrib\w*"
    r"|\b(?:turn|switch)(?:s|ed|ing)?\s+(?:[\w-]+\s+){0,2}?off\b",
    re.IGNORECASE,
)
"""Words that offer a person a way out: opt out, unsubscribe, turn (it) off."""
_DENIED = LazyPattern(r"\b(?:cannot|can't|can not|unable|not possible|no way)\b", re.IGNORECASE)
_MESSAGES = LazyPattern(
    r"\b(?:e-?mails?|newsletters?|notifications?|messages?|sms|texts?|push|digests?|mailings?)\b",
    re.IGNORECASE,
)
"""Words that make an opt-out one of messages (unsubscribe from the emails, turn off
notifications): kept where the messages are sent, not on a request path."""
_NO = LazyPattern(r"^\W*no\b", re.IGNORECASE)
_SENTENCE = LazyPattern(r"[^.!?;]+")
_NOT_PERSONALISATION = ("approve", "filter")
"""Decisions that rest on other grounds than a person's choice (fraud prevention, credit
rules, safety filtering): an opt-out of personalisation does not switch them off."""

_RELEASE_FIELDS = ("headline", "subheading", "solution", "getting_started", "customer_quote")


def _short(text: str, limit: int = 90) -> str:
    """A quotation cut at a word to about ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " ..."


def _offers(text: str) -> bool:
    """Whether a text offers an opt-out: a sentence with opt-out words and no denial."""
    return any(
        _OPT_OUT.search(sentence)
        and not _DENIED.search(sentence)
        and not _MESSAGES.search(sentence)
        for sentence in _SENTENCE.findall(text)
    )


def _release_promise(release: Mapping[str, Any]) -> dict[str, str] | None:
    """The first place the press release or its external FAQ offers an opt-out."""
    for name in _RELEASE_FIELDS:
        text = release.get(name)
        if isinstance(text, str) and _offers(text):
            return {"offer": f"The press release ({name}) offers an opt-out", "text": text}
    benefits = release.get("benefits")
    for text in benefits if isinstance(benefits, list) else ():
        if isinstance(text, str) and _offers(text):
            return {"offer": "The press release (benefits) offers an opt-out", "text": text}
    external = at(release, "faq", "external")
    for item in external if isinstance(external, list) else ():
        if not isinstance(item, Mapping):
            continue
        question, answer = item.get("q"), item.get("a")
        if not isinstance(answer, str) or _NO.search(answer):
            continue  # unanswered, or "No, ...": nothing is offered
        asked = question if isinstance(question, str) else ""
        if _offers(answer) or _offers(asked):
            return {
                "offer": "The external FAQ offers an opt-out",
                "text": f"{asked} {answer}".strip(),
            }
    return None


def _promise(spec: Analysis) -> dict[str, str] | None:
    release = spec.product.get("working_backwards")
    return _release_promise(release) if isinstance(release, Mapping) else None


@fact(
    "opt_out",
    kind="outputs",
    doc="For an output served on a request path from personal data (PII declared on a source "
    "; not one that approves or filters, which rests on other grounds than consent"
    "reaches what it `depends_on` or calls on the path), when the press release or "
    "external FAQ offers an opt-out (opt out, unsubscribe, turn it off; not in a sentence"
    " that denies it or that is about messages, such as unsubscribing from emails, which "
    "are kept where they are sent; nor in an FAQ answer that starts with no) or the output "
    "declares `opt_out` itself: `offer` (where, with the words quoted and clipped), `fields` and"
    " `sources` (the personal data it serves from), `calls` (refs on its request path), "
    "`checked_by`, `enforced` (true when `opt_out` is written in words, or its "
    "`checked_by` is a call on the request path) and `gap` (what is missing, in words). "
    "Absent for other outputs, or with no promise.",
)
def output_opt_out(spec: Analysis) -> Mapping[str, Any]:
    released = _promise(spec)
    table: dict[str, dict[str, list[str]]] = spec.cached("privacy.carried", _carried)
    result: dict[str, Any] = {}
    for output in spec.entities("outputs"):
        path = [hop["dep"] for hop in calls(output.fields.get("request_path"))]
        if not path or output.fields.get("mode") == "precomputed":
            continue
        if output.fields.get("decision") in _NOT_PERSONALISATION:
            continue
        depends = output.fields.get("depends_on")
        used = [r for r in depends if isinstance(r, str)] if isinstance(depends, list) else []
        reached: dict[str, list[str]] = {}
        for ref in [*used, *path]:  # what it is built from, and what it calls per request
            for source, fields in table.get(ref, {}).items():
                reached.setdefault(source, fields)
        declared = output.fields.get("opt_out")
        promise = released
        if promise is None and declared is not None:
            promise = {"offer": f"{output.id} declares an opt-out", "text": ""}
        if not reached or promise is None:
            continue
        checked_by = declared.get("checked_by") if isinstance(declared, Mapping) else None
        calls_ = list(dict.fromkeys(path))
        enforced = isinstance(declared, str) or (
            isinstance(checked_by, str) and checked_by in calls_
        )
        if isinstance(checked_by, str) and not enforced:
            gap = f"says it is checked by {checked_by}, which its request path does not call"
        else:
            gap = (
                "does not say which call on its request path reads it (opt_out.checked_by; "
                f"it calls {', '.join(calls_)})"
            )
        result[output.id] = {
            "offer": promise["offer"]
            + (f' ("{_short(promise["text"])}")' if promise["text"] else ""),
            "fields": sorted({f for fields in reached.values() for f in fields}),
            "sources": sorted(reached),
            "calls": calls_,
            "checked_by": checked_by,
            "enforced": enforced,
            "gap": gap,
        }
    return result
