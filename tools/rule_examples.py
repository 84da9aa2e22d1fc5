"""Examples for the rule reference, taken from the test specs: for each rule, the shortest
spec in which it is reported and the shortest in which it is under test but stays quiet.

A test spec says which rules it tests either with an ``x-test`` header (tests/cases/ today)
or with ``# expect:`` / ``# expect-not:`` comments (``consider rules test``); both are read.
The spec is shown as a reader would write it: the header and the expect comments left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from consider.check import check_file
from consider.findings import reported
from consider.rule_tests import parse_comments
from consider.rules import RuleSet
from tools.cases_to_comments import ConversionError, x_test_block

_DIRECTIVE_START = "# expect"


@dataclass(frozen=True, slots=True)
class Example:
    """A spec that shows a rule: where it comes from, its text, and where the rule reports."""

    source: str
    text: str
    line: int = 0
    message: str = ""


@dataclass(frozen=True, slots=True)
class Examples:
    """The chosen example of each rule, reported and quiet, by rule id."""

    firing: dict[str, Example] = field(default_factory=dict)
    quiet: dict[str, Example] = field(default_factory=dict)


def collect(folders: list[Path], rules: RuleSet, root: Path) -> Examples:
    """The shortest firing and quiet example of every rule tested under ``folders``."""
    found = Examples()
    for path in sorted(p for folder in folders for p in folder.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        scope = _scope(text)
        if not scope:
            continue
        shown, where = _shown(text)
        source = path.relative_to(root).as_posix()
        findings = reported(check_file(path, rules, display=source).findings)
        for rule in sorted(scope):
            mine = [f for f in findings if f.rule == rule]
            if mine:
                first = mine[0]
                example = Example(source, shown, where.get(first.line, first.line), first.message)
                _keep(found.firing, rule, example)
            else:
                _keep(found.quiet, rule, Example(source, shown))
    return found


def _keep(chosen: dict[str, Example], rule: str, example: Example) -> None:
    current = chosen.get(rule)
    if current is None or example.text.count("\n") < current.text.count("\n"):
        chosen[rule] = example


def _scope(text: str) -> set[str]:
    if "x-test:" in text:
        data = yaml.safe_load(text)
        header = data.get("x-test") if isinstance(data, dict) else None
        return set(header.get("rules") or []) if isinstance(header, dict) else set()
    return {e.rule for e in parse_comments(text)}


def _shown(text: str) -> tuple[str, dict[int, int]]:
    """The spec without its test header and expect comments, and where each original line
    went."""
    lines = text.splitlines()
    try:
        start, end = x_test_block(lines)
    except ConversionError:
        start = end = len(lines)
    kept: list[str] = []
    where: dict[int, int] = {}
    for number, line in enumerate(lines, start=1):
        if start < number <= end:
            continue
        cut = line.find(_DIRECTIVE_START)
        if cut >= 0 and (cut == 0 or line[:cut].endswith(" ") or not line[:cut].strip()):
            if not line[:cut].strip():
                continue  # a comment line holding only expectations
            line = line[:cut].rstrip()
            if line.endswith("#"):
                line = line[:-1].rstrip()
        kept.append(line)
        where[number] = len(kept)
    return "\n".join(kept).rstrip() + "\n", where
