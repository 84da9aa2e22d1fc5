"""Writing a user's file whole: links followed, permissions kept or made as usual, nothing
left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from consider.atomic import replace_file


def test_a_symlink_stays_a_link_and_its_target_is_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("old\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    replace_file(link, "new\n")
    assert link.is_symlink()
    assert real.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.yaml", "real.yaml"]


def test_an_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("old\n")
    spec.chmod(0o640)
    replace_file(spec, "new\n")
    assert stat.S_IMODE(spec.stat().st_mode) == 0o640


def test_a_new_file_gets_the_permissions_the_umask_gives(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        replace_file(tmp_path / "new.yaml", "text\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o644


def test_a_failed_write_leaves_the_original_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("old\n")

    def refuse(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        replace_file(spec, "new\n")
    assert spec.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["spec.yaml"]


def test_consider_init_makes_a_file_others_can_read(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    previous = os.umask(0o022)
    try:
        code, _, err = run_cli("init", str(tmp_path / "spec.yaml"))
    finally:
        os.umask(previous)
    assert (code, err) == (0, "")
    assert stat.S_IMODE((tmp_path / "spec.yaml").stat().st_mode) == 0o644
