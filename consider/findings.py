"""Findings: what a check reports, one record per problem or open question."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import Enum
from typing import Any

from consider.digest import hexdigest
from consider.records import Record


class Severity(Enum):
    """How bad a risk or schema finding is; questions have none."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: error 3, warning 2, info 1."""
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class Kind(Enum):
    """What a finding is."""

    RISK = "risk"
    QUESTION = "question"
    SCHEMA = "schema"


class Status(Enum):
    """A question's state: nothing written (open) or written as ``tbd`` (acknowledged)."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


class Suppression(Record):
    """Why a finding does not fail the gate: a waiver (in the spec or a waivers file) or a
    baseline entry. The finding is still reported, marked with this."""

    kind: str  # "waiver" or "baseline"
    reason: str = ""
    owner: str = ""
    expires: str = ""  # an ISO date, for waivers
    source: str = ""  # where the waiver or baseline is written: "path:line" or a file path


BOOKKEEPING = frozenset({"waiver-unused", "baseline-stale"})
"""Findings about the gate's own records: reported, never failing the gate at any --fail-on."""


class Finding(Record):
    """One problem or one open question, at a place in one file."""

    kind: Kind
    rule: str
    pack: str
    severity: Severity | None
    message: str
    file: str
    line: int
    column: int
    pointer: str
    title: str = ""
    why: str = ""
    fix: str = ""
    references: tuple[str, ...] = ()
    fingerprint: str = ""
    status: Status | None = None
    choices: tuple[str | bool | float, ...] = ()
    folded: tuple[Finding, ...] = ()
    related: tuple[str, ...] = ()
    suppressed: Suppression | None = None
    subsumed: tuple[Finding, ...] = ()
    """Findings of the same cause, reported inside this one: each keeps its rule id and
    fingerprint, and can be waived or baselined on its own."""
    roots: tuple[str, ...] = ()
    """The refs of the entities this finding's cause lies in: what groups findings."""

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Findings sort by file, line, column, then rule."""
        return (self.file, self.line, self.column, self.rule, self.pointer)


def fingerprint(rule: str, pointer: str, content: Any) -> str:
    """A stable id for a finding that ignores line numbers: rule, pointer and entity content."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hexdigest(rule.encode(), pointer.encode(), canonical.encode(), size=8)


def flatten(findings: Iterable[Finding]) -> list[Finding]:
    """Every finding, the ones grouped inside a primary too, each after its primary."""
    flat: list[Finding] = []
    for finding in findings:
        flat.append(finding)
        flat.extend(flatten(finding.subsumed))
    return flat


def reported(findings: Iterable[Finding]) -> list[Finding]:
    """Every finding a report shows: each primary, then the questions folded into it and the
    findings grouped inside it (theirs too), in that order."""
    flat: list[Finding] = []
    for finding in findings:
        flat.append(finding)
        flat.extend(finding.folded)
        flat.extend(reported(finding.subsumed))
    return flat


def parse_threshold(name: str) -> Severity | None:
    """``--fail-on`` value → the lowest failing severity, or None for ``never``."""
    return None if name == "never" else Severity(name)


def fails(finding: Finding, threshold: Severity | None) -> bool:
    """Whether a finding counts against the gate: risks and schema findings only, neither
    waived nor baselined, and never the gate's own bookkeeping. A group fails as its
    primary: the findings inside it are never asked."""
    if threshold is None or finding.kind is Kind.QUESTION or finding.severity is None:
        return False
    if finding.suppressed is not None or finding.rule in BOOKKEEPING:
        return False
    return finding.severity.rank >= threshold.rank


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts for a summary: problems (a group of findings of one cause counts once, as its
    primary) by severity, waived or baselined ones apart under ``waived``; and unanswered
    questions, those shown inside a risk included (so ``check``, ``questions`` and the
    question gate count alike), with how many of them are acknowledged (``tbd``)."""
    total = {"error": 0, "warning": 0, "info": 0, "waived": 0, "questions": 0, "acknowledged": 0}
    for finding in findings:
        if finding.kind is Kind.QUESTION:
            _count_question(total, finding)
            continue
        if finding.suppressed is not None:
            total["waived"] += 1
        elif finding.severity is not None:
            total[finding.severity.value] += 1
        for question in _inner_questions(finding):
            _count_question(total, question)
    return total


def _count_question(total: dict[str, int], question: Finding) -> None:
    total["questions"] += 1
    if question.status is Status.ACKNOWLEDGED:
        total["acknowledged"] += 1


def _inner_questions(finding: Finding) -> Iterable[Finding]:
    yield from finding.folded
    for grouped in finding.subsumed:
        yield from _inner_questions(grouped)
