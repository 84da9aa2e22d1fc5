"""Spec files under tests/cases/ become tests: each says which rules it is about and what
they must report, exactly (rule, severity or 'question', line:column, optionally message).

A case file is a spec with an ``x-test`` key (``x-`` keys are the user's own, so the spec
stays valid)::

    x-test:
      rules: [realtime-without-fallback, output-fallback]
      expect:
        - realtime-without-fallback error 14:5
        - finding: output-fallback question 12:3
          message: "What does home-rows serve when a dependency fails or times out?"

Only findings of the listed rules are compared, so a case can be a small spec. A rule that
a case lists but does not expect is a near-miss: the case proves it stays quiet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CASES

from consider.check import check_file
from consider.engine import RuleSet
from consider.findings import Finding, Kind, reported

CASE_FILES = sorted(CASES.rglob("*.yaml"))


def _header(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    test = data.get("x-test") if isinstance(data, dict) else None
    assert isinstance(test, dict), f"{path}: no x-test mapping"
    return test


def _describe(finding: Finding) -> str:
    label = "question" if finding.kind is Kind.QUESTION else finding.severity.value  # type: ignore[union-attr]
    return f"{finding.rule} {label} {finding.line}:{finding.column}"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: str(p.relative_to(CASES)))
def test_case(path: Path, builtin_rules: RuleSet) -> None:
    header = _header(path)
    rules = set(header["rules"])
    unknown = (
        rules
        - {r.id for r in builtin_rules.rules()}
        - {
            "duplicate-key",
            "dangling-reference",
            "unknown-key",
            "invalid-type",
            "invalid-value",
            "missing-required-field",
        }
    )
    assert not unknown, f"{path}: x-test names unknown rules {sorted(unknown)}"
    result = check_file(path, builtin_rules, display=path.name)
    # Folded questions and related findings are compared too, as they were reported inside
    # their risk.
    got = [f for f in reported(result.findings) if f.rule in rules]
    expected = header.get("expect") or []
    want = [e if isinstance(e, str) else e["finding"] for e in expected]
    assert [_describe(f) for f in got] == want
    for item, finding in zip(expected, got, strict=False):
        if isinstance(item, dict) and "message" in item:
            assert finding.message == item["message"]


def test_every_rule_has_a_firing_and_a_quiet_case(builtin_rules: RuleSet) -> None:
    fires: set[str] = set()
    quiet: set[str] = set()
    for path in CASE_FILES:
        header = _header(path)
        expected = {
            (e if isinstance(e, str) else e["finding"]).split()[0]
            for e in header.get("expect") or []
        }
        for rule in header["rules"]:
            (fires if rule in expected else quiet).add(rule)
    ids = {rule.id for rule in builtin_rules.rules()}
    assert sorted(ids - fires) == [], "rules with no case that triggers them"
    assert sorted(ids - quiet) == [], "rules with no near-miss case"
