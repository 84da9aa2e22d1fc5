"""The pack cache: a poisoned entry cannot run code, and any broken entry is a miss."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from consider import cache
from consider.engine import RuleSet, load_rules


class _Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo pwned > pwned.txt",))


def test_a_poisoned_entry_is_refused_and_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSIDER_CACHE_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules-x.pickle").write_bytes(pickle.dumps(_Evil()))
    assert cache.read("rules-x", frozenset({("consider.engine", "RuleSet")})) is None
    assert not (tmp_path / "pwned.txt").exists()


def test_a_real_rule_set_round_trips_through_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSIDER_CACHE_DIR", str(tmp_path))
    first = load_rules()  # a miss: compiled and written
    assert list(tmp_path.glob("rules-*.pickle"))
    again = load_rules()  # a hit: read back with only the allowed classes
    assert isinstance(again, RuleSet)
    assert [r.id for r in again.rules()] == [r.id for r in first.rules()]
