"""The open questions of a spec as a questionnaire: collected from the packs, with progress,
recommendations and an order by impact; rendered as text, Markdown or JSON.

Everything here is driven by the packs (custom packs included): a question's ``when``,
``answered_by``, ``choices`` and ``recommend`` decide what is asked, and the risk conditions
decide which answers matter most.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from consider import engine
from consider.engine import Question, RuleSet
from consider.errors import UsageError
from consider.findings import Status
from consider.model import Spec
from consider.report import printable
from consider.rules import Pack, Recommendation
from consider.vocabulary import PREFIX_OF, PRODUCT

PRESS_RELEASE_PACK = "working-backwards"

# Impact ranks, most urgent first.
FRAME, RISKY, NICE = 0, 1, 2
_IMPACT_NAMES = {FRAME: "frames the product", RISKY: "a risk reads it", NICE: "nice to know"}


@dataclass(frozen=True, slots=True)
class Item:
    """One open question about one entity (or the product)."""

    question: Question
    kind: str
    entity: str
    pointer: str
    """JSON pointer of the entity (``/product`` for the product)."""
    ask: str
    status: Status
    recommended: Recommendation | None
    impact: int
    line: int
    column: int

    @property
    def target(self) -> str:
        """What the question is asked of: ``product`` or a typed reference."""
        return (
            PRODUCT
            if self.kind == PRODUCT
            else f"{PREFIX_OF.get(self.kind, self.kind[:-1])}:{self.entity}"
        )

    @property
    def field(self) -> str:
        """The field an answer is written to: the question's first ``answered_by`` path that
        names a field rather than a list item (``benefits``, not ``benefits[0]``)."""
        return answer_field(self.question)


@dataclass(frozen=True, slots=True)
class Progress:
    """How many of a pack's applicable questions the spec answers."""

    pack: str
    answered: int
    applicable: int

    def line(self) -> str:
        """``collection 14/18 answered``."""
        return f"{self.pack} {self.answered}/{self.applicable} answered"


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """A spec's questions: the open and acknowledged ones, and progress pack by pack."""

    file: str
    items: tuple[Item, ...]
    progress: tuple[Progress, ...]

    def open(self) -> list[Item]:
        """The questions nothing answers yet (not even ``tbd``)."""
        return [item for item in self.items if item.status is Status.OPEN]

    def acknowledged(self) -> list[Item]:
        """The questions answered ``tbd``: known, not decided yet."""
        return [item for item in self.items if item.status is Status.ACKNOWLEDGED]


def answer_field(question: Question) -> str:
    """Where an answer to ``question`` is written: its first ``answered_by`` path without a
    list index, or the first path with its indexes dropped."""
    plain = [path for path in question.answered_by if "[" not in path]
    return plain[0] if plain else re.sub(r"\[\d+\]", "", question.answered_by[0])


def collect(spec: Spec, rules: RuleSet) -> Questionnaire:
    """Every applicable question of ``rules`` over ``spec``: open, acknowledged or answered.

    Answered means: the question applies (its ``when`` holds) and one of its
    ``answered_by`` paths is present. Folded questions are listed too: a questionnaire
    shows every open question, whatever risk it also explains.
    """
    reads = _risk_reads(rules)
    framing = _lacks_press_release(spec)
    items: list[Item] = []
    counts = {pack.id: [0, 0] for pack in rules.packs}
    for kind, ident, pointer, raw, data in _contexts(spec, rules):
        for question in rules.questions.get(kind, ()):
            if question.when is not None and not engine.truthy(question.when.search(data)):
                continue
            counts[question.pack][1] += 1
            found = engine.ask(spec, question, pointer, raw, data)
            if found is None:
                counts[question.pack][0] += 1
                continue
            items.append(
                Item(
                    question=question,
                    kind=kind,
                    entity=ident,
                    pointer=pointer,
                    ask=found.message,
                    status=found.status or Status.OPEN,
                    recommended=_recommendation(question, data),
                    impact=_impact(question, kind, reads, framing),
                    line=found.line,
                    column=found.column,
                )
            )
    progress = tuple(Progress(p, a, n) for p, (a, n) in counts.items() if n)
    return Questionnaire(spec.document.path, tuple(items), progress)


def by_impact(items: Sequence[Item]) -> list[Item]:
    """Most urgent first: the press release for a spec without one, then the questions a
    risk reads, then the rest; within a rank, in the order of the spec."""
    position = {id(item): i for i, item in enumerate(items)}
    return sorted(items, key=lambda item: (item.impact, position[id(item)]))


def select(
    items: Sequence[Item], *, pack: str | None = None, entity: str | None = None
) -> list[Item]:
    """The items of one pack and/or one entity (a typed reference, its id alone, or product)."""
    chosen = list(items)
    if pack is not None:
        chosen = [item for item in chosen if item.question.pack == pack]
    if entity is not None:
        chosen = [item for item in chosen if entity in (item.target, item.entity)]
    return chosen


def check_filters(spec: Spec, rules: RuleSet, *, pack: str | None, entity: str | None) -> None:
    """Refuse a filter that names no loaded pack, or no entity of the spec (a typo would
    otherwise read as "nothing left to answer")."""
    packs = [p.id for p in rules.packs]
    if pack is not None and pack not in packs:
        raise UsageError(
            f"--only-pack: there is no pack '{pack}'; the packs are: {', '.join(packs)}"
        )
    if entity is None or entity == PRODUCT:
        return
    refs = [e.ref if e.kind in PREFIX_OF else f"{e.kind[:-1]}:{e.id}" for e in spec.all_entities()]
    if entity not in refs and entity not in {ref.partition(":")[2] for ref in refs}:
        raise UsageError(
            f"--entity: {spec.document.path} has no entity '{entity}'; write product or a "
            "typed reference such as output:ID"
        )


# -- what the packs say -----------------------------------------------------------------------


def _contexts(spec: Spec, rules: RuleSet) -> Iterator[tuple[str, str, str, Any, dict[str, Any]]]:
    """(kind, id, pointer, raw, condition data) for the product and every entity that a
    question is asked of, in order, as the engine builds them for a check."""
    asked = {kind for kind, questions in rules.questions.items() if questions}
    return engine.contexts(spec, rules, asked)


def _recommendation(question: Question, data: dict[str, Any]) -> Recommendation | None:
    for item in question.recommend:
        if item.when is None or engine.truthy(item.when.search(data)):
            return item
    return None


def _risk_reads(rules: RuleSet) -> frozenset[tuple[str, str]]:
    """(kind, field path) pairs that some risk reads: its condition, an escalation, or a
    question it folds (a risk that fires because the field is absent)."""
    return _reads_of(rules.packs)


def _reads_of(packs: tuple[Pack, ...]) -> frozenset[tuple[str, str]]:
    from consider.pack_names import root_chains

    found: set[tuple[str, str]] = set()
    folded: set[str] = set()
    for pack in packs:
        for risk in pack.risks:
            folded.update(risk.folds)
            expressions = [risk.when, *(step.when for step in risk.escalate)]
            for expression in expressions:
                if expression is None:
                    continue
                for chain in root_chains(expression.parsed):
                    for kind in risk.kinds:
                        found.update(_chain_fields(kind, chain))
    for pack in packs:
        for question in pack.questions:
            if question.id in folded:
                found.update(
                    (kind, path) for kind in question.kinds for path in question.answered_by
                )
    return frozenset(found)


def _chain_fields(kind: str, chain: list[str]) -> Iterator[tuple[str, str]]:
    """The field path a chain of names reads, attributed to the kind whose field it is."""
    if chain[0] in ("_facts", "_id", "_kind", "_refs") or chain[0].startswith("x-"):
        return
    if chain[0] == "_product":
        kind, chain = PRODUCT, chain[1:]
    if chain:
        yield kind, ".".join(chain)


def _impact(question: Question, kind: str, reads: frozenset[tuple[str, str]], framing: bool) -> int:
    if framing and question.pack == PRESS_RELEASE_PACK:
        return FRAME
    # A risk reads the answer when it reads the answered field or a field inside it; one that
    # reads a whole section (all of working_backwards, say) does not make each field urgent.
    for path in question.answered_by:
        clean = re.sub(r"\[\d+\]", "", path)
        if any(k == kind and (r == clean or r.startswith(clean + ".")) for k, r in reads):
            return RISKY
    return NICE


def _lacks_press_release(spec: Spec) -> bool:
    written = spec.product_raw.get("working_backwards") if spec.product_raw else None
    return not written


# -- rendering --------------------------------------------------------------------------------


def render(questionnaire: Questionnaire, output_format: str) -> str:
    """The questionnaire as ``text``, ``markdown`` or ``json``."""
    if output_format == "json":
        return _json(questionnaire)
    if output_format == "markdown":
        return _markdown(questionnaire)
    return _text(questionnaire)


def _grouped(
    questionnaire: Questionnaire, items: Sequence[Item]
) -> Iterator[tuple[str, list[tuple[str, list[Item]]]]]:
    """Pack by pack (in pack order), then entity by entity (in spec order)."""
    packs: dict[str, dict[str, list[Item]]] = {p.pack: {} for p in questionnaire.progress}
    for item in items:
        packs.setdefault(item.question.pack, {}).setdefault(item.target, []).append(item)
    for pack, entities in packs.items():
        if entities:
            yield pack, list(entities.items())


def _summary(questionnaire: Questionnaire) -> str:
    # The same figures, in the same words, as the summary line of `consider check`.
    waiting, known = len(questionnaire.open()), len(questionnaire.acknowledged())
    total = waiting + known
    return (
        f"{questionnaire.file}: {total} open question{'s' if total != 1 else ''} "
        f"({known} acknowledged)"
    )


def _text(questionnaire: Questionnaire) -> str:
    lines = [_summary(questionnaire), ""]
    lines.extend(p.line() for p in questionnaire.progress)
    for pack, entities in _grouped(questionnaire, questionnaire.open()):
        lines.extend(["", f"== {pack}"])
        for target, items in entities:
            lines.append(f"-- {target}")
            for item in items:
                lines.append(f"  {item.line}:{item.column}  {item.question.id}: {item.ask}")
                lines.append(f"      field: {item.field}")
                lines.append(f"      why: {_one_line(item.question.why)}")
                if item.question.choices:
                    lines.append(f"      choices: {', '.join(map(_shown, item.question.choices))}")
                if item.recommended is not None:
                    lines.append(
                        f"      recommended: {_shown(item.recommended.choice)}: "
                        f"{_one_line(item.recommended.because)}"
                    )
    known = questionnaire.acknowledged()
    if known:
        lines.extend(["", "== acknowledged (tbd: known, not decided yet)"])
        for item in known:
            lines.append(
                f"  {item.line}:{item.column}  {item.target}  {item.question.id}: {item.ask}"
            )
    return printable("\n".join(lines) + "\n")


def _markdown(questionnaire: Questionnaire) -> str:
    md = markdown_escape
    lines = [f"# Questions for {md(questionnaire.file)}", "", md(_summary(questionnaire)), ""]
    lines.extend(f"- {md(p.line())}" for p in questionnaire.progress)
    for pack, entities in _grouped(questionnaire, questionnaire.open()):
        lines.extend(["", f"## {md(pack)}"])
        for target, items in entities:
            lines.extend(["", f"### {md(target)}", ""])
            for item in items:
                lines.append(
                    f"- [ ] **{md(item.ask)}** (`{item.question.id}`, field `{item.field}`)"
                )
                lines.append(f"  - Why: {md(_one_line(item.question.why))}")
                if item.question.choices:
                    choices = ", ".join(f"`{_shown(c)}`" for c in item.question.choices)
                    lines.append(f"  - Choices: {choices}")
                if item.recommended is not None:
                    lines.append(
                        f"  - Recommended: `{_shown(item.recommended.choice)}`: "
                        f"{md(_one_line(item.recommended.because))}"
                    )
    known = questionnaire.acknowledged()
    if known:
        lines.extend(["", "## Acknowledged (tbd: known, not decided yet)", ""])
        lines.extend(
            f"- {md(item.target)}: {md(item.ask)} (`{item.question.id}`)" for item in known
        )
    return "\n".join(lines) + "\n"


def _json(questionnaire: Questionnaire) -> str:
    document = {
        "file": questionnaire.file,
        "progress": [
            {"pack": p.pack, "answered": p.answered, "applicable": p.applicable}
            for p in questionnaire.progress
        ],
        "questions": [
            {
                "id": item.question.id,
                "pack": item.question.pack,
                "target": item.target,
                "field": item.field,
                "status": item.status.value,
                "ask": item.ask,
                "why": _one_line(item.question.why),
                "choices": list(item.question.choices),
                "recommended": None
                if item.recommended is None
                else {
                    "choice": item.recommended.choice,
                    "because": _one_line(item.recommended.because),
                },
                "impact": _IMPACT_NAMES[item.impact],
                "line": item.line,
                "column": item.column,
            }
            for item in questionnaire.items
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def markdown_escape(text: str) -> str:
    """``text`` safe inside a Markdown paragraph or list item: one line, no markup, no HTML;
    the review packet's escaping, so both Markdown outputs escape alike."""
    from consider.report.markdown_format import escape

    return escape(_one_line(text))
