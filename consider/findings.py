"""Findings: what a check reports, one record per problem or open question."""

from __future__ import annotations

import json
from enum import Enum
from typing import Any, NamedTuple

from consider.digest import hexdigest


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


class Finding(NamedTuple):
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

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Findings sort by file, line, column, then rule."""
        return (self.file, self.line, self.column, self.rule, self.pointer)


def fingerprint(rule: str, pointer: str, content: Any) -> str:
    """A stable id for a finding that ignores line numbers: rule, pointer and entity content."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hexdigest(rule.encode(), pointer.encode(), canonical.encode(), size=8)


def parse_threshold(name: str) -> Severity | None:
    """``--fail-on`` value → the lowest failing severity, or None for ``never``."""
    return None if name == "never" else Severity(name)


def fails(finding: Finding, threshold: Severity | None) -> bool:
    """Whether a finding counts against the gate: risks and schema findings only."""
    if threshold is None or finding.kind is Kind.QUESTION or finding.severity is None:
        return False
    return finding.severity.rank >= threshold.rank
