"""The bundled examples: the sound one stays quiet, the others show what the tool finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES

from consider.check import check_file
from consider.engine import RuleSet
from consider.findings import Kind, Severity

SOUND = "sound-search-ranking.yaml"
ALL = sorted(EXAMPLES.glob("*.yaml"))


def test_there_are_at_least_four_examples() -> None:
    assert len(ALL) >= 4


def test_the_sound_example_has_no_risk_above_info(builtin_rules: RuleSet) -> None:
    result = check_file(EXAMPLES / SOUND, builtin_rules)
    loud = [
        f
        for f in result.findings
        if f.kind is not Kind.QUESTION and f.severity is not Severity.INFO
    ]
    assert loud == []


@pytest.mark.parametrize("path", [p for p in ALL if p.name != SOUND], ids=lambda p: p.name)
def test_each_other_example_shows_risks_from_three_packs(
    path: Path, builtin_rules: RuleSet
) -> None:
    result = check_file(path, builtin_rules)
    assert not [f for f in result.findings if f.kind is Kind.SCHEMA], "examples are valid specs"
    packs = {f.pack for f in result.findings if f.kind is Kind.RISK}
    assert len(packs) >= 3, packs
