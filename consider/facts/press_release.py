"""Press-release facts: the timing the Working Backwards press release promises, found by
the packs' phrase tables and compared with what the spec states."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact
from consider.fields import ROUND, at, field_seconds, slo_output
from consider.lazyre import LazyPattern
from consider.lineage.delays import precompute_gaps, scheduled_finish
from consider.phrases import (
    ALPHANUMERIC,
    MAX_MATCHES,
    NUMBER_WORDS,
    PHRASES_KEY,
    PROMISE_KINDS,
    Phrase,
    loaded_phrases,
)
from consider.units import format_clock, format_duration, time_of_day

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity


def _press_release_texts(product: Mapping[str, Any]) -> list[tuple[str, str]]:
    release = product.get("working_backwards")
    if not isinstance(release, Mapping):
        return []
    texts: list[tuple[str, str]] = []
    for key in (
        "headline",
        "subheading",
        "solution",
        "customer_quote",
        "leader_quote",
        "getting_started",
    ):
        if isinstance(release.get(key), str):
            texts.append((f"working_backwards.{key}", release[key]))
    benefits = release.get("benefits")
    if isinstance(benefits, list):
        texts.extend(
            (f"working_backwards.benefits[{i}]", b)
            for i, b in enumerate(benefits)
            if isinstance(b, str)
        )
    external = at(release, "faq", "external")
    if isinstance(external, list):
        texts.extend(
            (f"working_backwards.faq.external[{i}].a", item["a"])
            for i, item in enumerate(external)
            if isinstance(item, Mapping) and isinstance(item.get("a"), str)
        )
    return texts


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


Backing = dict[str, "tuple[float, str] | None"]


def _backing(spec: Analysis) -> dict[str, Backing]:
    """For each output (by ref), the tightest figure stated for each promise kind, with
    where it is stated: its SLOs' freshness and latency, its precompute schedule."""
    best: dict[str, Backing] = {
        output.ref: dict.fromkeys(PROMISE_KINDS) for output in spec.entities("outputs")
    }

    def offer(ref: str, kind: str, seconds: float | None, where: str) -> None:
        current = best[ref][kind]
        if seconds is not None and (current is None or seconds < current[0]):
            best[ref][kind] = (seconds, where)

    for slo in spec.entities("slos"):
        output = slo_output(spec, slo)
        if output is None or output.ref not in best:
            continue
        staleness = field_seconds(slo.fields, "freshness", "max_staleness")
        offer(output.ref, "freshness", staleness, f"slo {slo.id}")
        latency = field_seconds(slo.fields, "latency", "p99")
        if latency is None:
            latency = field_seconds(slo.fields, "latency", "p999")
        offer(output.ref, "latency", latency, f"slo {slo.id}")
        offer(output.ref, "schedule", staleness, f"slo {slo.id}")
        offer(
            output.ref, "deadline", time_of_day(at(slo.fields, "deadline", "time")), f"slo {slo.id}"
        )
    for output in spec.entities("outputs"):
        gaps = precompute_gaps(output.fields)
        if gaps is not None:
            offer(output.ref, "schedule", gaps[1], f"the precompute schedule of {output.ref}")
        finishing = scheduled_finish(output.fields)
        if finishing is not None:
            where = f"the precompute schedule of {output.ref}, at the latest"
            offer(output.ref, "deadline", finishing.finish, where)
    return best


# Words that say which kind of timing a sentence promises, when its phrase could be either
# ("instantly": an answer within a second, or data ten seconds old). Without one of them, or
# with both kinds, the phrase keeps every kind its row gives.
_KIND_CUES = {
    "freshness": frozenset(
        [
            "update",
            "updates",
            "updated",
            "refresh",
            "refreshes",
            "refreshed",
            "reflect",
            "reflects",
            "reflected",
            "fresh",
            "current",
            "latest",
            "sync",
            "synced",
            "synchronised",
            "synchronized",
            "change",
            "changes",
            "changed",
        ]
    ),
    "latency": frozenset(
        [
            "load",
            "loads",
            "loaded",
            "respond",
            "responds",
            "response",
            "answer",
            "answers",
            "answered",
            "decided",
            "wait",
            "waiting",
            "fast",
            "faster",
            "quick",
            "quickly",
        ]
    ),
}


_ALL_CUES = frozenset().union(*_KIND_CUES.values())
_USER_MAY = frozenset({"can", "may", "allowed", "able"})
"""Words that make a time phrase a window for what users may do ("authors can appeal within
24 hours", "cancel any time within 14 days"), not a promise of the product's timing, unless
a cue of freshness or answer time says otherwise in the same clause."""


def _around(text: str, start: int, end: int, marks: str) -> str:
    """The part of ``text`` around the span ``start:end`` between two of ``marks``."""
    head = max(text.rfind(mark, 0, start) for mark in marks)
    tails = [i for i in (text.find(mark, end) for mark in marks) if i != -1]
    return text[head + 1 : min(tails) if tails else len(text)]


def _words_around(text: str, start: int, end: int) -> tuple[set[str], set[str]]:
    """The words of the clause and of the sentence the span sits in."""
    clause = set(ALPHANUMERIC.findall(_around(text, start, end, ".!?;,")))
    sentence = set(ALPHANUMERIC.findall(_around(text, start, end, ".!?;")))
    return clause, sentence


def _kinds_meant(words: set[str], figures: tuple[tuple[str, float], ...]) -> tuple[str, ...]:
    kinds = tuple(kind for kind, _ in figures)
    cued = [kind for kind, cues in _KIND_CUES.items() if kind in kinds and words & cues]
    return (cued[0],) if len(cued) == 1 else kinds


def _output_named(words: set[str], outputs: list[Entity]) -> Entity | None:
    """The one output whose id the sentence names: every word of the id (a plural counts),
    or, failing that, the output with most of its id's words there, when it is the only one."""
    scored = []
    for output in outputs:
        parts = [part for part in re.split(r"[-_.]+", output.id.lower()) if part]
        present = sum(1 for part in parts if part in words or f"{part}s" in words)
        if parts and present * 2 >= len(parts) and present:
            scored.append((present == len(parts), present, output))
    if not scored:
        return None
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    if len(scored) > 1 and scored[0][:2] == scored[1][:2]:
        return None
    return scored[0][2]


def _candidates(kinds: tuple[str, ...], outputs: list[Entity]) -> list[Entity]:
    """Outputs a promise of these kinds could be about: a schedule is kept by outputs that
    run on one, an answer time by outputs that answer requests; freshness by any."""
    wanted: list[Entity] = []
    for output in outputs:
        mode = output.fields.get("mode")
        scheduled = precompute_gaps(output.fields) is not None or mode == "precomputed"
        serving = mode in ("online", "hybrid")
        if (
            "freshness" in kinds
            or (("schedule" in kinds or "deadline" in kinds) and scheduled)
            or ("latency" in kinds and serving)
        ):
            wanted.append(output)
    return wanted or outputs


_KIND_WORDS = {
    "freshness": "data at most {} old",
    "latency": "answers within {}",
    "schedule": "a run at least every {}",
    "deadline": "ready by {}",
}


def _figure(kind: str, seconds: float) -> str:
    return format_clock(seconds) if kind == "deadline" else format_duration(seconds)


@fact(
    "pr_promises",
    kind="product",
    doc="Timing the press release promises, found by the phrase tables of the loaded packs "
    "(their `x-phrases`) in the headline, subheading, solution, benefits, quotes, "
    "getting-started text and external FAQ answers: `found` and `unbacked` (those no "
    "SLO or schedule backs, or backs more loosely), each `{phrase, field, promise, "
    "figures, status, backing, backed_by, backing_text}` where `figures` maps freshness, "
    "latency or schedule to seconds, `status` is backed, looser or unbacked, `backing` "
    "the tightest stated figure (seconds) and `backed_by` where it is stated.",
)
def product_pr_promises(spec: Analysis) -> Mapping[str, Any]:
    phrases = loaded_phrases(spec.table(PHRASES_KEY))
    if not phrases:
        return {"product": {"found": [], "unbacked": []}}
    backing = _backing(spec)
    outputs = list(spec.entities("outputs"))
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, tuple[tuple[str, float], ...]]] = set()
    for field_name, text in _press_release_texts(spec.product):
        lowered = text.lower()
        # Positions carry over to the text as written unless lower-casing changed its length.
        shown = text if len(lowered) == len(text) else lowered
        runs = set(ALPHANUMERIC.findall(lowered))
        matches = sorted(
            (
                (match, phrase)
                for phrase in phrases
                if runs.issuperset(phrase.words)
                for match in itertools.islice(phrase.pattern.finditer(lowered), MAX_MATCHES)
            ),
            key=lambda pair: pair[0].start(),
        )
        for match, phrase in matches:
            figures = tuple(
                (
                    kind,
                    seconds
                    if kind == "deadline"
                    else round(seconds * _scale(phrase, match), ROUND),
                )
                for kind, seconds in phrase.figures
            )
            written = " ".join(shown[match.start() : match.end()].split())
            key = (written.lower(), figures)
            if key not in seen:
                seen.add(key)
                clause, sentence = _words_around(lowered, match.start(), match.end())
                if clause & _USER_MAY and not clause & _ALL_CUES:
                    continue  # "you can appeal within 24 hours": what users may do, not timing
                kinds = _kinds_meant(clause, figures)
                if kinds == tuple(kind for kind, _ in figures):
                    kinds = _kinds_meant(sentence, figures)
                meant = tuple((kind, s) for kind, s in figures if kind in kinds)
                named = _output_named(clause, outputs) or _output_named(sentence, outputs)
                found.append(_about(written, field_name, meant, named, outputs, backing))
    return {"product": {"found": found, "unbacked": [p for p in found if p["status"] != "backed"]}}


def _scale(phrase: Phrase, match: re.Match[str]) -> float:
    """The number a ``{n}`` phrase matched (``two`` is 2), else 1."""
    if not phrase.per_number:
        return 1.0
    word = next(g for g in match.groups() if g is not None).lower()
    return float(NUMBER_WORDS.get(word) or word)


_STATUS_ORDER = {"unbacked": 0, "looser": 1, "backed": 2}


def _about(
    written: str,
    field_name: str,
    figures: tuple[tuple[str, float], ...],
    named: Entity | None,
    outputs: list[Entity],
    backing: dict[str, Backing],
) -> dict[str, Any]:
    """A promise judged against the output its clause or sentence names; where none can be
    told, the strictest reading: the output, of those it could be about, that backs it
    least."""
    if not outputs:
        return _judge(written, field_name, figures, dict.fromkeys(PROMISE_KINDS), None, False)
    if named is not None:
        return _judge(written, field_name, figures, backing[named.ref], named.ref, False)
    kinds = tuple(kind for kind, _ in figures)
    candidates = _candidates(kinds, outputs)
    if len(candidates) == 1:
        only = candidates[0].ref
        judged = _judge(written, field_name, figures, backing[only], only, False)
        if len(outputs) > 1:
            judged["assumed"] = True
            judged["backing_text"] += " (the only output it can be about)"
        return judged
    judged_all = [
        _judge(written, field_name, figures, backing[output.ref], output.ref, True)
        for output in candidates
    ]
    return min(
        judged_all,
        key=lambda j: (_STATUS_ORDER[j["status"]], -(j["backing"] or 0.0)),
    )


def _judge(
    written: str,
    field_name: str,
    figures: tuple[tuple[str, float], ...],
    backing: Backing,
    output: str | None,
    assumed: bool,
) -> dict[str, Any]:
    status = "unbacked"
    closest: tuple[str, float, str] | None = None
    for kind, promised in figures:
        stated = backing[kind]
        if stated is None:
            continue
        if stated[0] <= promised:
            status, closest = "backed", (kind, stated[0], stated[1])
            break
        status = "looser"
        if closest is None:
            closest = (kind, stated[0], stated[1])
    promise = " or ".join(_KIND_WORDS[kind].format(_figure(kind, s)) for kind, s in figures)
    of = f" for {output}" if output else ""
    if status == "unbacked":
        kinds = " or ".join(kind for kind, _ in figures)
        backing_text = f"no SLO or precompute schedule states a {kinds} target{of}"
    else:
        assert closest is not None
        kind, seconds, where = closest
        backing_text = (
            f"the tightest {kind} the spec states{of} is {_figure(kind, seconds)} ({where})"
        )
    if assumed:
        backing_text += (
            f" (the sentence names no output, so it is read as about {output}, the one that"
            " backs it least)"
        )
    return {
        "phrase": written,
        "field": field_name,
        "promise": promise,
        "figures": dict(figures),
        "status": status,
        "backing": closest[1] if closest else None,
        "backed_by": closest[2] if closest else None,
        "backing_text": backing_text,
        "output": output,
        "assumed": assumed,
    }


# -- the press release and FAQ as written ----------------------------------------------------


def _working_backwards(spec: Analysis) -> dict[str, Any]:
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
def product_prfaq_missing_core(spec: Analysis) -> Mapping[str, Any]:
    section = _working_backwards(spec)
    return {"product": [name for name in CORE_PARAGRAPHS if not _written(section.get(name))]}


@fact(
    "faq_missing_categories",
    kind="product",
    doc="The required internal FAQ categories (`tam`, `economics`, `dependencies`, "
    "`feasibility`, in that order) that no internal FAQ entry covers.",
)
def product_faq_missing_categories(spec: Analysis) -> Mapping[str, Any]:
    faq = _working_backwards(spec).get("faq")
    internal = faq.get("internal") if isinstance(faq, dict) else None
    covered = {item.get("category") for item in internal or () if isinstance(item, dict)}
    return {"product": [c for c in REQUIRED_FAQ_CATEGORIES if c not in covered]}


_FAQ_TOPICS = {
    # What the product will not do: scope named in a question of the FAQ.
    "non_goals": LazyPattern(
        r"\b(?:out of scope|in scope|non-goals?|not (?:do|build|support|include|cover)|"
        r"won't (?:do|build|support)|will not (?:do|build|support))\b",
        re.IGNORECASE,
    ),
    # How fast a new feature or signal can be added to the models.
    "feature_lead_time": LazyPattern(
        r"\b(?:add|adding|ship|shipping)\s+(?:a\s+)?new\s+(?:feature|signal|input)s?\b",
        re.IGNORECASE,
    ),
}


@fact(
    "faq_answers",
    kind="product",
    doc="Topics an answered FAQ entry (external or internal) already covers, by the words of "
    "its question: `non_goals` (what is out of scope, what the product will not do) and "
    "`feature_lead_time` (how fast a new feature or signal is added). A question a pack "
    "would ask on such a topic is then answered in the FAQ.",
)
def product_faq_answers(spec: Analysis) -> Mapping[str, Any]:
    faq = _working_backwards(spec).get("faq")
    covered: dict[str, bool] = dict.fromkeys(_FAQ_TOPICS, False)
    if isinstance(faq, dict):
        for part in ("external", "internal"):
            for item in faq.get(part) or ():
                if not isinstance(item, dict) or not _written(item.get("a")):
                    continue
                question = item.get("q")
                for topic, pattern in _FAQ_TOPICS.items():
                    if isinstance(question, str) and pattern.search(question):
                        covered[topic] = True
    return {"product": covered}


@fact(
    "faq_unanswered",
    kind="product",
    doc="The FAQ questions (external first, then internal, as written) with no answer `a`, "
    "or a blank one.",
)
def product_faq_unanswered(spec: Analysis) -> Mapping[str, Any]:
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
def product_press_release_words(spec: Analysis) -> Mapping[str, Any]:
    section = _working_backwards(spec)
    return {"product": sum(_words(section.get(name)) for name in _PRESS_RELEASE)}


CONTRACT_KEY = "x-contract-customers"
"""The pack table of words that name a customer who buys under a contract (merchants,
developers), so that an external SLA is a question worth asking."""


@fact(
    "contract_customers",
    kind="slos",
    doc="The words of the packs' `x-contract-customers` tables found (whole-word, any case) "
    "in the press release's `customer` paragraph (the same for every SLO): a customer who "
    "buys the product as a service (merchants, developers, partners) and may hold it to an "
    "SLA. Empty when none.",
)
def slo_contract_customers(spec: Analysis) -> Mapping[str, Any]:
    customer = _working_backwards(spec).get("customer")
    text = customer.lower() if isinstance(customer, str) else ""
    words = [
        str(word)
        for _, table in spec.table(CONTRACT_KEY)
        if isinstance(table, list)
        for word in table
    ]
    found = [w for w in words if re.search(rf"\b{re.escape(w.lower())}\b", text)]
    return {slo.id: sorted(set(found)) for slo in spec.entities("slos")}
