"""``consider rules test``: test specs whose comments say what must be reported.

A test spec is an ordinary spec with comments that mark expectations::

    outputs:
      home-rows:              # expect: realtime-without-fallback col=3 severity=error
        mode: online          # expect-not: output-mode

``expect: RULE`` says a finding of RULE is reported on that line; ``expect-not: RULE`` says
none is. A comment alone on its line applies to the next line that holds YAML, as in
Semgrep's test files, for lines too long to carry one. An expectation may pin the column
(``col=3``), the severity (``severity=warning``) and the exact message (``message="..."``,
with ``\\"`` and ``\\\\`` for a quote and a backslash). Several rules may share a comment:
``expect-not: a, b``, or ``expect: a; expect: b col=5``.

Every rule a file names is tested over the whole file: each of its findings must be expected,
and each expectation met. Other rules' findings are left alone, so a test spec stays small.
Questions folded into a risk count as reported, at their own place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from consider.check import Target, check_target, expand
from consider.findings import Finding, Kind, reported
from consider.rules import RuleSet
from consider.text import did_you_mean

_DIRECTIVE = re.compile(r"(?:^|\s)#.*?\b(expect-not|expect):\s*")
_START = re.compile(r"\b(expect-not|expect):\s*")
_OPTION = re.compile(r'\s*([a-z]+)=("(?:[^"\\]|\\.)*"|\S+)')
_RULE = re.compile(r"\s*([A-Za-z0-9_.-]+)\s*(,)?")
_OPTIONS = ("col", "severity", "message")
ENGINE_RULES = (
    "duplicate-key",
    "dangling-reference",
    "unknown-key",
    "invalid-type",
    "invalid-value",
    "missing-required-field",
)
"""The engine's own (schema) rules, which a test spec may expect as well as a pack's."""


@dataclass(frozen=True, slots=True)
class Expectation:
    """One ``expect`` or ``expect-not`` of a test spec."""

    rule: str
    line: int
    present: bool
    column: int | None = None
    severity: str | None = None
    message: str | None = None
    written_at: int = 0
    """The line the comment is written on (``line`` is the one it is about)."""

    def describe(self) -> str:
        """The expectation as its comment would say it."""
        parts = [f"{'expect' if self.present else 'expect-not'}: {self.rule}"]
        if self.column is not None:
            parts.append(f"col={self.column}")
        if self.severity is not None:
            parts.append(f"severity={self.severity}")
        if self.message is not None:
            parts.append(f"message={quote(self.message)}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Problem:
    """What a test spec says and the run does not: a missed or unexpected finding, or a
    comment that cannot be read."""

    kind: str  # missed, unexpected, unknown-rule, bad-comment, no-expectations, error
    file: str
    line: int
    column: int
    rule: str
    detail: str

    def text(self) -> str:
        """``file:line:col: kind: rule detail``."""
        rule = f" {self.rule}" if self.rule else ""
        return f"{self.file}:{self.line}:{self.column}: {self.kind}:{rule} {self.detail}".rstrip()

    def as_json(self) -> dict[str, Any]:
        """The problem for ``--format json``."""
        return {
            "kind": self.kind,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """A whole ``rules test`` run."""

    files: int
    expectations: int
    problems: tuple[Problem, ...]

    @property
    def passed(self) -> bool:
        """Whether every expectation was met and nothing unexpected reported."""
        return not self.problems


def quote(text: str) -> str:
    """A message as ``message="..."`` writes it."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1]) if text.startswith('"') else text


class CommentError(ValueError):
    """A directive that cannot be read."""


def parse_comments(text: str) -> list[Expectation]:
    """Every expectation written in a test spec's comments, in line order."""
    lines = text.splitlines()
    found: list[Expectation] = []
    pending: list[tuple[int, str]] = []  # comment-only lines waiting for their line
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        match = _DIRECTIVE.search(line)
        if stripped.startswith("#") or not stripped:
            if match:
                pending.append((number, line[match.start(1) :]))
            continue
        targets = [*pending, *([(number, line[match.start(1) :])] if match else [])]
        pending = []
        for written_at, comment in targets:
            found.extend(_directives(comment, about=number, written_at=written_at))
    if pending:
        raise CommentError(f"line {pending[0][0]}: an expectation with no line of YAML after it")
    return found


def _directives(comment: str, *, about: int, written_at: int) -> Iterable[Expectation]:
    starts = list(_START.finditer(comment))
    for index, start in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(comment)
        body = comment[start.end() : end].rstrip().rstrip(";#").rstrip()
        yield from _one(start[1] == "expect", body, about=about, written_at=written_at)


def _one(present: bool, body: str, *, about: int, written_at: int) -> Iterable[Expectation]:
    rules: list[str] = []
    position = 0
    while True:
        match = _RULE.match(body, position)
        if not match or "=" in body[match.end() : match.end() + 1]:
            break
        rules.append(match[1])
        position = match.end()
        if not match[2]:
            break
    if not rules:
        raise CommentError(f"line {written_at}: name the rule after 'expect:' or 'expect-not:'")
    options: dict[str, str] = {}
    while position < len(body):
        match = _OPTION.match(body, position)
        if not match:
            rest = body[position:].strip()
            if not rest:
                break
            raise CommentError(
                f"line {written_at}: cannot read {rest!r}; options are "
                'col=N, severity=LEVEL and message="..."'
            )
        name, value = match[1], match[2]
        if name not in _OPTIONS:
            raise CommentError(
                f"line {written_at}: no option '{name}'{did_you_mean(name, _OPTIONS)}"
            )
        options[name] = _unquote(value)
        position = match.end()
    column = options.get("col")
    if column is not None and not column.isdigit():
        raise CommentError(f"line {written_at}: col={column} is not a column number")
    for rule in rules:
        yield Expectation(
            rule,
            about,
            present,
            int(column) if column is not None else None,
            options.get("severity"),
            options.get("message"),
            written_at,
        )


def _label(finding: Finding) -> str:
    if finding.kind is Kind.QUESTION or finding.severity is None:
        return "question"
    return finding.severity.value


def _matches(expectation: Expectation, finding: Finding) -> bool:
    return (
        finding.rule == expectation.rule
        and finding.line == expectation.line
        and expectation.column in (None, finding.column)
        and expectation.severity in (None, _label(finding))
        and expectation.message in (None, finding.message)
    )


def compare(
    display: str, expectations: Sequence[Expectation], findings: Iterable[Finding]
) -> list[Problem]:
    """What differs between a file's expectations and its findings."""
    scope = {e.rule for e in expectations}
    got = [f for f in reported(findings) if f.rule in scope]
    problems: list[Problem] = []
    left = list(got)
    for expectation in (e for e in expectations if e.present):
        hit = next((f for f in left if _matches(expectation, f)), None)
        if hit is not None:
            left.remove(hit)
            continue
        # A finding of the rule on that line that differs (column, severity, message) is
        # the same mistake: shown once, beside what was expected.
        near = [f for f in left if f.rule == expectation.rule and f.line == expectation.line]
        wanted = expectation.describe().split(" ", 2)[2:]
        detail = "expected " + (wanted[0] if wanted else "a finding on this line")
        if near:
            left.remove(near[0])
            detail += "; reported instead: " + _shown(near[0])
        problems.append(
            Problem(
                "missed",
                display,
                expectation.line,
                expectation.column or 1,
                expectation.rule,
                detail,
            )
        )
    for finding in left:
        banned = any(
            not e.present and e.rule == finding.rule and e.line == finding.line
            for e in expectations
        )
        problems.append(
            Problem(
                "unexpected",
                display,
                finding.line,
                finding.column,
                finding.rule,
                _shown(finding) + (" (the line says expect-not)" if banned else ""),
            )
        )
    problems.sort(key=lambda p: (p.line, p.column, p.rule, p.kind))
    return problems


def _shown(finding: Finding) -> str:
    return f"{_label(finding)} col={finding.column} message={quote(finding.message)}"


def test_spec(target: Target, rules: RuleSet) -> tuple[int, list[Problem]] | None:
    """(expectations, problems) of one test spec, or None for a file passed over (no spec)."""
    display = target.display
    try:
        text = target.path.read_text(encoding="utf-8")
        expectations = parse_comments(text)
    except CommentError as error:
        line = int(str(error).split(":", 1)[0].removeprefix("line "))
        return 0, [Problem("bad-comment", display, line, 1, "", str(error).split(": ", 1)[1])]
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        return 0, [Problem("error", display, 1, 1, "", f"cannot read the file: {reason}")]
    if re.search(r"^pack:", text, re.MULTILINE) and not re.search(r"^consider:", text, re.M):
        return 0, [
            Problem(
                "error",
                display,
                1,
                1,
                "",
                "this is a rule pack, not a test spec; load it with --pack and name the "
                "test specs (or their folder) as PATH",
            )
        ]
    result = check_target(target, rules)
    if result is None:
        return None
    if result.error is not None:
        failed = result.error
        return 0, [
            Problem("error", display, failed.line or 1, failed.column or 1, "", failed.message)
        ]
    if not expectations:
        return 0, [
            Problem(
                "no-expectations",
                display,
                1,
                1,
                "",
                "no expect or expect-not comment, so this file tests nothing",
            )
        ]
    known = {rule.id for rule in rules.rules()} | set(ENGINE_RULES)
    unknown = [
        Problem(
            "unknown-rule",
            display,
            e.written_at,
            1,
            e.rule,
            f"no loaded pack has this rule{did_you_mean(e.rule, known)}",
        )
        for e in expectations
        if e.rule not in known
    ]
    return len(expectations), unknown + compare(display, expectations, result.findings)


def run(paths: Sequence[str], rules: RuleSet) -> Outcome:
    """Every test spec under ``paths`` (files, folders, globs), against ``rules``."""
    files = 0
    count = 0
    problems: list[Problem] = []
    for target in expand(paths):
        tested = test_spec(target, rules)
        if tested is None:
            continue
        files += 1
        count += tested[0]
        problems.extend(tested[1])
    return Outcome(files, count, tuple(problems))


def render(outcome: Outcome, output_format: str) -> str:
    """The outcome as text (one ``file:line:col`` line per problem, then a summary) or JSON."""
    if output_format == "json":
        import json

        return (
            json.dumps(
                {
                    "passed": outcome.passed,
                    "files": outcome.files,
                    "expectations": outcome.expectations,
                    "problems": [p.as_json() for p in outcome.problems],
                },
                indent=2,
            )
            + "\n"
        )
    lines = [p.text() for p in outcome.problems]
    counts: dict[str, int] = {}
    for problem in outcome.problems:
        counts[problem.kind] = counts.get(problem.kind, 0) + 1
    summary = f"{outcome.files} file(s), {outcome.expectations} expectation(s): "
    summary += ", ".join(f"{n} {kind}" for kind, n in counts.items()) if counts else "all met"
    return "\n".join([*lines, summary]) + "\n"
