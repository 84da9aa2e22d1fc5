"""``consider ask``: the open questions, one at a time, in a terminal.

Each answer is checked as it is typed, written into the spec at once (so quitting or Ctrl-C
keeps what was answered), logged in ``clarifications``, and followed by the risks it raised
or cleared. Reading and writing the terminal are passed in, so the walk itself does no I/O
of its own and tests can drive it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consider.answers import TBD, Answer, Editor, Field, field
from consider.engine import RuleSet, evaluate
from consider.findings import Finding, Kind
from consider.loader import parse
from consider.model import Spec, build
from consider.questionnaire import Item, by_impact, collect, select
from consider.report import printable
from consider.schema import validate

SKIP, QUIT = "skip", "quit"

Read = Callable[[str], str]
Write = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Filters:
    """Which questions one sitting walks through."""

    limit: int | None = None
    pack: str | None = None
    entity: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a sitting ended."""

    asked: int
    written: int
    left: int
    interrupted: bool


def walk(
    path: Path,
    text: str,
    rules: RuleSet,
    *,
    today: str,
    filters: Filters,
    read: Read,
    write: Write,
) -> Outcome:
    """Ask the open questions of the spec ``text`` (read from ``path``) by impact, writing
    each answer back; stops at the end, on ``quit``, at end of input, or on Ctrl-C."""
    editor = Editor(path, text)
    spec = _reread(path, text)
    chosen = _open(spec, rules, filters)
    if not chosen:
        known = len(
            select(collect(spec, rules).acknowledged(), pack=filters.pack, entity=filters.entity)
        )
        write(f"{path}: no open questions here ({known} acknowledged as tbd); nothing to ask")
        return Outcome(0, 0, 0, interrupted=False)
    write(
        f"{path}: {len(chosen)} open question{'s' if len(chosen) != 1 else ''}, "
        "most urgent first. Type an answer, or skip, tbd (known, not decided yet) or quit."
    )
    asked = written = 0
    risks = _risks(spec, rules)
    current = spec
    seen: set[tuple[str, str]] = set()
    try:
        while filters.limit is None or asked < filters.limit:
            # Asked afresh after every answer: an answer can settle other questions, or make
            # new ones apply (precompute questions once an output is precomputed).
            waiting = [i for i in _open(current, rules, filters) if _key(i) not in seen]
            if not waiting:
                break
            item = waiting[0]
            seen.add(_key(item))
            asked += 1
            total = asked + len(waiting) - 1
            if filters.limit is not None:
                total = min(total, filters.limit)
            value = _ask_one(item, current, asked, total, read, write)
            if value is QUIT:
                break
            if value is SKIP:
                continue
            answer = Answer(
                kind=item.kind,
                entity=item.entity,
                field=item.field,
                value=value,
                question=item.question.id,
                target=item.target,
                date=today,
            )
            while True:
                try:
                    editor.write(answer)
                    break
                except ValueError as error:
                    write(printable(f"  not written: {error}"))
                    value = _ask_one(item, current, asked, total, read, write, again=True)
                    if value is QUIT or value is SKIP:
                        break
                    answer = _with(answer, value)
            if value is QUIT:
                break
            if value is SKIP:
                continue
            written += 1
            write(printable(f"  wrote {item.field}: {_shown(answer.value)} to {path}"))
            current = _reread(path, editor.text)
            after = _risks(current, rules)
            for line in _changes(risks, after):
                write(printable(line))
            risks = after
    except (KeyboardInterrupt, EOFError) as stop:
        left = len(collect(_reread(path, editor.text), rules).open())
        write("")
        if isinstance(stop, KeyboardInterrupt):
            write(f"interrupted: {_kept(written, path)}; {left} open questions left")
            return Outcome(asked, written, left, interrupted=True)
    left = len(collect(_reread(path, editor.text), rules).open())
    write(f"{_kept(written, path)}; {left} open questions left: consider questions {path}")
    return Outcome(asked, written, left, interrupted=False)


def _open(spec: Spec, rules: RuleSet, filters: Filters) -> list[Item]:
    found = collect(spec, rules).open()
    return by_impact(select(found, pack=filters.pack, entity=filters.entity))


def _key(item: Item) -> tuple[str, str]:
    return (item.question.id, item.pointer)


def _kept(written: int, path: Path) -> str:
    return f"{written} answer{'s' if written != 1 else ''} written to {path}"


def _with(answer: Answer, value: Any) -> Answer:
    return Answer(
        answer.kind, answer.entity, answer.field, value, answer.question, answer.target, answer.date
    )


def _ask_one(
    item: Item,
    spec: Spec,
    number: int,
    total: int,
    read: Read,
    write: Write,
    *,
    again: bool = False,
) -> Any:
    """Show one question and read answers until one is valid; the value, SKIP or QUIT."""
    accepts = field(item.kind, item.field, lambda ref: spec.resolve(ref) is not None)
    choices = item.question.choices or accepts.choices
    recommended = item.recommended
    if not again:
        question = item.question
        write("")
        write(printable(f"[{number}/{total}] {question.pack} · {item.target} · {question.id}"))
        write(printable(item.ask))
        write(printable(f"  why: {' '.join(question.why.split())}"))
        if recommended is not None:
            write(
                printable(
                    f"  recommended: {_shown(recommended.choice)}: "
                    f"{' '.join(recommended.because.split())} (press Enter to accept)"
                )
            )
        for n, choice in enumerate(choices, 1):
            mark = (
                " (recommended)" if recommended is not None and choice == recommended.choice else ""
            )
            write(printable(f"  {n}) {_shown(choice)}{mark}"))
        write(printable(f"  {_expects(accepts, choices, item.field)}"))
    while True:
        typed = read("> ").strip()
        lowered = typed.lower()
        if lowered in (SKIP, QUIT):
            return SKIP if lowered == SKIP else QUIT
        if lowered == TBD:
            return TBD
        if not typed:
            if recommended is not None:
                return recommended.choice
            write("  type an answer, or skip, tbd or quit")
            continue
        try:
            return _value(typed, choices, accepts)
        except ValueError as error:
            write(printable(f"  {error}; {_expects(accepts, choices, item.field)}"))


def _expects(accepts: Field, choices: Sequence[Any], path: str) -> str:
    if choices:
        return f"answer with a number from 1 to {len(choices)} or the choice's name"
    if accepts.parse is None:
        return (
            f"{path} is a block that is written in the file (see docs/spec.md); "
            "here: tbd, skip or quit"
        )
    return f"answer with {accepts.form}"


def _value(typed: str, choices: Sequence[Any], accepts: Field) -> Any:
    if choices:
        if typed.isdigit() and 1 <= int(typed) <= len(choices):
            return choices[int(typed) - 1]
        for choice in choices:
            if typed.lower() == _shown(choice).lower():
                return choice
        raise ValueError(f"'{typed}' is not one of the choices")
    if accepts.parse is None:
        raise ValueError("this answer cannot be typed on one line")
    return accepts.parse(typed)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    return str(value)


def _reread(path: Path, text: str) -> Spec:
    document = parse(text, path=str(path))
    return build(document, validate(document))


def _risks(spec: Spec, rules: RuleSet) -> dict[tuple[str, str], Finding]:
    """Risks and schema findings by rule and entity (where a finding points inside its
    entity moves as fields are written; the entity does not)."""
    return {
        (f.rule, _entity_of(f.pointer)): f
        for f in evaluate(spec, rules)
        if f.kind is not Kind.QUESTION
    }


def _entity_of(pointer: str) -> str:
    parts = pointer.split("/")
    return "/".join(parts[:2]) if parts[1:2] == ["product"] else "/".join(parts[:3])


def _changes(
    before: dict[tuple[str, str], Finding], after: dict[tuple[str, str], Finding]
) -> list[str]:
    lines = [
        f"  raised: {f.severity.value if f.severity else ''} {f.rule}: {f.message}"
        for key, f in after.items()
        if key not in before
    ]
    lines += [f"  cleared: {f.rule}: {f.message}" for key, f in before.items() if key not in after]
    return lines or ["  no risk raised or cleared"]
