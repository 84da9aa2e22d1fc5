"""Every example in docs/config.md parses, and every config and command in it runs."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, ROOT, fenced_blocks

Run = Callable[..., tuple[int, str, str]]
DOC = ROOT / "docs" / "config.md"


def _blocks() -> list[tuple[str, str, str]]:
    """(language, file name or '', text) of every fenced block."""
    return fenced_blocks(DOC)


def _named(name: str) -> list[str]:
    return [text for _, file, text in _blocks() if file == name]


def _commands() -> list[str]:
    return [
        line[2:]
        for language, _, text in _blocks()
        if language == "console"
        for line in text.splitlines()
        if line.startswith("$ consider ")
    ]


def _without_baseline(config: str) -> str:
    """A config example without its baseline line, which names a file written later."""
    return re.sub(r"^baseline:.*\n", "", config, flags=re.MULTILINE)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository the page describes."""
    (tmp_path / "specs" / "drafts").mkdir(parents=True)
    (tmp_path / "policy").mkdir()
    shutil.copy(EXAMPLES / "home-recommender.yaml", tmp_path / "specs" / "home.yaml")
    shutil.copy(EXAMPLES / "weekly-digest.yaml", tmp_path / "specs" / "drafts" / "new-idea.yaml")
    for name in ("policy/team-pack.yaml", "policy/waivers.yaml"):
        (tmp_path / name).write_text(_named(name)[0], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_block_parses() -> None:
    blocks = _blocks()
    assert {language for language, _, _ in blocks} == {"text", "console", "yaml", "toml"}
    for language, _, text in blocks:
        if language == "yaml":
            assert yaml.safe_load(text) is not None
        elif language == "toml":
            assert tomllib.loads(text)["tool"]["consider"]


def test_every_key_is_documented() -> None:
    from consider.config import KEYS

    text = DOC.read_text(encoding="utf-8")
    assert [key for key in KEYS if f"| `{key}` |" not in text] == []
    whole = yaml.safe_load(_named(".consider.yaml")[0])
    assert sorted(whole) == sorted(KEYS)


@pytest.mark.parametrize("index", range(len(_named(".consider.yaml"))))
def test_every_yaml_config_runs(repo: Path, run_cli: Run, index: int) -> None:
    text = _without_baseline(_named(".consider.yaml")[index])
    (repo / ".consider.yaml").write_text(text, encoding="utf-8")
    code, out, err = run_cli("check", "specs", "--today", "2027-01-01", "--format", "json")
    assert (code in (0, 1), err) == (True, "")
    checked = [f["file"] for f in json.loads(out)["files"]]
    if "exclude" in text:
        assert checked == ["specs/home.yaml"]  # the draft is left out


def test_the_toml_config_runs_and_matches_the_yaml_one(repo: Path, run_cli: Run) -> None:
    (repo / "pyproject.toml").write_text(_named("pyproject.toml")[0], encoding="utf-8")
    code, toml_out, err = run_cli("check", "specs", "--today", "2027-01-01", "--format", "json")
    assert (code, err) == (1, "")
    yaml_text = _without_baseline(_named(".consider.yaml")[0])
    (repo / ".consider.yaml").write_text(yaml_text, encoding="utf-8")
    yaml_out = run_cli("check", "specs", "--today", "2027-01-01", "--format", "json")[1]
    assert yaml_out == toml_out.replace("in pyproject.toml)", "in .consider.yaml)")


def test_the_waiver_examples_waive_what_they_say(repo: Path, run_cli: Run) -> None:
    spec = repo / "specs" / "home.yaml"
    spec.write_text(spec.read_text() + _named("specs/home.yaml (appended)")[0])
    (repo / ".consider.yaml").write_text("waivers: policy/waivers.yaml\n")
    code, out, err = run_cli(
        "check", "specs/home.yaml", "--today", "2027-01-01", "--format", "json"
    )
    waived = {
        (f["rule"], f["suppression"]["owner"])
        for f in json.loads(out)["files"][0]["findings"]
        if f["suppression"]
    }
    assert waived == {
        ("third-party-in-serving-path", "home-team"),
        ("at-least-once-without-dedup", "data-platform"),
    }
    assert err == ""
    code, out, _ = run_cli("check", "specs/home.yaml", "--today", "2027-07-01", "--format", "json")
    assert code == 1
    expired = [f["rule"] for f in json.loads(out)["files"][0]["findings"]]
    assert expired.count("waiver-expired") == 2


def test_the_unknown_key_message_is_the_real_one(repo: Path, run_cli: Run) -> None:
    shown = next(t for lang, _, t in _blocks() if lang == "text" and "fail_onn" in t)
    (repo / ".consider.yaml").write_text("fail_on: error\nfail_onn: warning\n")
    assert run_cli("check", "specs")[2] == shown


def test_every_command_runs(repo: Path, run_cli: Run) -> None:
    (repo / ".consider.yaml").write_text(_named(".consider.yaml")[0], encoding="utf-8")
    commands = _commands()
    assert len(commands) >= 5
    # the config names a baseline: the commands that write it come first
    for command in sorted(commands, key=lambda c: "--write-baseline" not in c):
        code, _, err = run_cli(*shlex.split(command)[1:])
        assert code in (0, 1), (command, err)
    assert (repo / ".consider-baseline.json").is_file()
