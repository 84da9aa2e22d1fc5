"""Shared fixtures: the built-in rules, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from consider.engine import RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def builtin_rules() -> RuleSet:
    return load_rules()
