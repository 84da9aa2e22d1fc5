"""The pack cache cannot lie: an entry is used only from a private folder, only when it is a
regular file, and only when what it holds matches the packs it claims to be; anything else
is ignored and rebuilt. Failed or killed writes leave nothing behind."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from consider import cache, packs
from consider.engine import RuleSet, load_rules
from consider.findings import Severity

RISK = {
    "id": "r",
    "title": "R",
    "for": "outputs",
    "when": "mode == 'online'",
    "message": "m",
    "severity": "error",
    "why": "w",
    "fix": "f",
}


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CONSIDER_CACHE_DIR", str(folder))
    monkeypatch.delenv("CONSIDER_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "pack.yaml"
    body = {"pack": "test", "title": "Test pack", "risks": [RISK]}
    path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return path


def _entry(cache_dir: Path) -> Path:
    (entry,) = cache_dir.glob("rules-*.pickle")
    return entry


def _counting_compiles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = packs._load_rules

    def counted(*args: Any) -> RuleSet:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(packs, "_load_rules", counted)
    return calls


def test_a_planted_empty_rule_set_is_ignored_and_rebuilt(
    cache_dir: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_rules([pack], builtin=False)
    entry = _entry(cache_dir)
    empty = first.packs[0]._replace(risks=())
    entry.write_bytes(pickle.dumps(packs.index([empty])))
    compiles = _counting_compiles(monkeypatch)
    again = load_rules([pack], builtin=False)
    assert [r.id for r in again.rules()] == ["r"]
    assert compiles == [1]
    assert [r.id for r in pickle.loads(entry.read_bytes()).rules()] == ["r"]  # rebuilt


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda r: r._replace(when=None), id="condition-removed"),
        pytest.param(
            lambda r: r._replace(when=r.when._replace(expression="`false`")), id="condition-changed"
        ),
        pytest.param(lambda r: r._replace(severity=Severity.INFO), id="severity-lowered"),
        pytest.param(lambda r: r._replace(id="other"), id="id-changed"),
    ],
)
def test_a_tampered_rule_is_ignored_and_rebuilt(
    cache_dir: Path, pack: Path, monkeypatch: pytest.MonkeyPatch, tamper: Any
) -> None:
    first = load_rules([pack], builtin=False)
    entry = _entry(cache_dir)
    packed = first.packs[0]
    forged = packed._replace(risks=(tamper(packed.risks[0]),))
    entry.write_bytes(pickle.dumps(packs.index([forged])))
    compiles = _counting_compiles(monkeypatch)
    again = load_rules([pack], builtin=False)
    assert compiles == [1]
    assert again.find("r") == first.find("r")


def test_a_tampered_index_is_not_trusted(cache_dir: Path, pack: Path) -> None:
    first = load_rules([pack], builtin=False)
    entry = _entry(cache_dir)
    entry.write_bytes(pickle.dumps(first._replace(risks={kind: () for kind in first.risks})))
    again = load_rules([pack], builtin=False)
    assert [r.id for r in again.risks["outputs"]] == ["r"]


def test_a_fifo_at_an_entry_does_not_block(
    cache_dir: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_rules([pack], builtin=False)
    entry = _entry(cache_dir)
    entry.unlink()
    os.mkfifo(entry)
    compiles = _counting_compiles(monkeypatch)
    assert [r.id for r in load_rules([pack], builtin=False).rules()] == ["r"]
    assert compiles == [1]


def test_a_symlinked_entry_is_a_miss(cache_dir: Path, pack: Path, tmp_path: Path) -> None:
    load_rules([pack], builtin=False)
    entry = _entry(cache_dir)
    target = tmp_path / "elsewhere.pickle"
    entry.rename(target)
    entry.symlink_to(target)
    assert cache.read(entry.stem, frozenset()) is None


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="no owner bits")
def test_a_folder_others_may_write_to_is_not_used(
    cache_dir: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_rules([pack], builtin=False)
    cache_dir.chmod(0o777)
    try:
        compiles = _counting_compiles(monkeypatch)
        load_rules([pack], builtin=False)
        load_rules([pack], builtin=False)
        assert compiles == [1, 1]  # never read, never written
    finally:
        cache_dir.chmod(0o700)


def test_a_new_cache_folder_is_private(cache_dir: Path, pack: Path) -> None:
    load_rules([pack], builtin=False)
    assert cache_dir.stat().st_mode & 0o077 == 0


def test_a_failed_write_leaves_no_temporary_file(
    cache_dir: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(cache, "dump", broken)
    load_rules([pack], builtin=False)
    assert list(cache_dir.iterdir()) == []


def test_a_killed_write_is_cleaned_up_by_a_later_one(cache_dir: Path, pack: Path) -> None:
    cache_dir.mkdir(mode=0o700)
    stale = cache_dir / ".tmp-killed"
    stale.write_bytes(b"x" * 1000)
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = cache_dir / ".tmp-writing-now"
    fresh.write_bytes(b"x")
    load_rules([pack], builtin=False)
    assert not stale.exists()
    assert fresh.exists()  # another run may be writing it


def test_the_text_check_finds_conditions_in_any_order() -> None:
    """Conditions are looked for from where the one before was found, then from the start:
    the order they are written in changes how long the check takes, never its answer."""
    from consider.cached_rules import _all_in

    text = b"alpha beta gamma delta"
    assert _all_in([b"alpha", b"gamma", b"delta"], text)
    assert _all_in([b"delta", b"alpha", b"gamma", b"beta"], text)
    assert _all_in([], text)
    assert not _all_in([b"beta", b"epsilon"], text)
    assert not _all_in([b"gamma", b"alphabet"], text)
