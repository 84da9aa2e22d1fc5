"""The project config: found, validated with exact messages, applied, and overridden by flags."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES

from consider import config

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with two example specs as the working directory."""
    shutil.copy(EXAMPLES / "checkout-fraud.yaml", tmp_path / "fraud.yaml")
    shutil.copy(EXAMPLES / "sound-search-ranking.yaml", tmp_path / "search.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _risks(out: str) -> list[tuple[str, str, str | None, int]]:
    return [
        (Path(f["file"]).name, x["rule"], x["severity"], x["line"])
        for f in json.loads(out)["files"]
        for x in f["findings"]
        if x["kind"] != "question"
    ]


FRAUD_RISKS = [
    ("fraud.yaml", "no-error-budget-policy", "info", 98),
    ("fraud.yaml", "label-delay-exceeds-retrain-cadence", "warning", 123),
    ("fraud.yaml", "pii-without-retention-or-erasure", "warning", 199),
    ("fraud.yaml", "rate-limit-insufficient", "error", 227),
]


def test_without_config_the_defaults_hold(repo: Path, run_cli: Run) -> None:
    code, out, _ = run_cli("check", "fraud.yaml", "--format", "json")
    assert (code, _risks(out)) == (1, FRAUD_RISKS)


def test_rule_severity_and_off_apply(repo: Path, run_cli: Run) -> None:
    (repo / ".consider.yaml").write_text(
        "rules:\n  rate-limit-insufficient: warning\n  no-error-budget-policy: off\n"
    )
    code, out, _ = run_cli("check", "fraud.yaml", "--format", "json")
    assert code == 0
    assert _risks(out) == [
        ("fraud.yaml", "label-delay-exceeds-retrain-cadence", "warning", 123),
        ("fraud.yaml", "pii-without-retention-or-erasure", "warning", 199),
        ("fraud.yaml", "rate-limit-insufficient", "warning", 227),
    ]


def test_severity_setting_wins_over_escalate(repo: Path, run_cli: Run) -> None:
    # rate-limit-insufficient escalates to error for tier 1: the config's severity wins.
    (repo / ".consider.yaml").write_text("rules:\n  rate-limit-insufficient:\n    severity: info\n")
    code, out, _ = run_cli("check", "fraud.yaml", "--format", "json", "--fail-on", "warning")
    assert code == 1  # the warnings still fail at --fail-on warning
    assert ("fraud.yaml", "rate-limit-insufficient", "info", 227) in _risks(out)


def test_config_is_found_walking_up_and_the_nearer_wins(repo: Path, run_cli: Run) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.consider]\nfail_on = "never"\n'
    )
    sub = repo / "team"
    sub.mkdir()
    shutil.copy(repo / "fraud.yaml", sub / "fraud.yaml")
    assert run_cli("check", "fraud.yaml")[0] == 0  # pyproject.toml: never fails
    (sub / ".consider.yaml").write_text("fail_on: warning\n")
    import os

    os.chdir(sub)
    assert run_cli("check", "fraud.yaml")[0] == 1  # the nearer file: fails on warnings
    assert config.find(sub) == (sub / ".consider.yaml").resolve()


def test_yaml_wins_over_pyproject_in_one_folder(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.consider]\n")
    (repo / ".consider.yaml").write_text("{}\n")
    assert config.find(repo) == (repo / ".consider.yaml").resolve()


def test_pyproject_without_the_table_is_not_a_config(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    assert config.find(repo) is None or config.find(repo) != (repo / "pyproject.toml")


def test_config_option_and_no_config(repo: Path, run_cli: Run) -> None:
    (repo / ".consider.yaml").write_text("fail_on: never\n")
    (repo / "strict.yaml").write_text("fail_on: info\n")
    assert run_cli("check", "search.yaml")[0] == 0
    assert run_cli("check", "fraud.yaml")[0] == 0
    assert run_cli("check", "--no-config", "fraud.yaml")[0] == 1
    code, _, err = run_cli("check", "--config", "missing.yaml", "fraud.yaml")
    assert (code, err) == (2, "consider: missing.yaml: config file not found; check the path\n")


def test_flags_override_the_keys_they_mirror(repo: Path, run_cli: Run) -> None:
    (repo / ".consider.yaml").write_text(
        "fail_on: never\nmax_file_size: 100B\ndisable_packs: [sla]\n"
    )
    code, _, err = run_cli("check", "fraud.yaml")
    assert code == 2
    assert "larger than" in err or "100" in err
    assert run_cli("check", "fraud.yaml", "--max-file-size", "1MB")[0] == 0
    code, out, _ = run_cli(
        "check", "fraud.yaml", "--max-file-size", "1MB", "--fail-on", "error", "--format", "json"
    )
    assert code == 1  # --fail-on error wins over fail_on: never
    rules = {rule for _, rule, _, _ in _risks(out)}
    assert "no-error-budget-policy" not in rules  # the sla pack is off
    code, out, _ = run_cli("check", "fraud.yaml", "--max-file-size", "1MB", "--format", "json")
    assert code == 0


def test_packs_from_config_are_relative_to_it_and_pack_flag_replaces_them(
    repo: Path, run_cli: Run
) -> None:
    (repo / "policy").mkdir()
    (repo / "policy" / "ours.yaml").write_text(
        "pack: ours\ntitle: Ours\nrisks:\n"
        "  - id: owner-missing\n    title: No owner\n    for: product\n"
        '    when: "!owner"\n    severity: error\n    message: no owner\n'
        "    why: w\n    fix: f\n"
        "  - id: product-named\n    title: Named\n    for: product\n"
        '    when: "name"\n    severity: info\n    message: "named {name}"\n'
        "    why: w\n    fix: f\n"
    )
    (repo / "team").mkdir()
    (repo / ".consider.yaml").write_text("packs: [policy/ours.yaml]\ndisable_packs: [sla]\n")
    import os

    os.chdir(repo / "team")
    code, out, _ = run_cli("check", "../search.yaml", "--format", "json")
    assert code == 0
    assert ("search.yaml", "product-named", "info", 18) in _risks(out)
    _code, out, _ = run_cli(
        "check", "../search.yaml", "--format", "json", "--no-builtin-packs", "--pack",
        str(EXAMPLES.parent / "tests" / "specs" / "golden-pack.yaml"),
    )  # fmt: skip
    assert "product-named" not in {r for _, r, _, _ in _risks(out)}


def test_open_questions_gate(repo: Path, run_cli: Run) -> None:
    base = "rules: {rate-limit-insufficient: warning}\n"
    (repo / ".consider.yaml").write_text(base)
    assert run_cli("check", "fraud.yaml")[0] == 0  # 15 open questions, fail_on_questions: never
    (repo / ".consider.yaml").write_text(base + "fail_on_questions: any\n")
    code, out, _ = run_cli("check", "fraud.yaml", "--format", "json")
    gate = [f for f in json.loads(out)["files"][0]["findings"] if f["rule"] == "open-questions"]
    assert code == 1
    assert [(g["severity"], g["line"], g["column"], g["message"]) for g in gate] == [
        (
            "error",
            12,
            1,
            "15 open question(s), and any open question fails the gate "
            "(fail_on_questions: any in .consider.yaml); answer them, or write tbd where the "
            "answer is not known yet",
        )
    ]
    (repo / ".consider.yaml").write_text(base + "fail_on_questions: 15\n")
    assert run_cli("check", "fraud.yaml")[0] == 0
    (repo / ".consider.yaml").write_text(base + "fail_on_questions: 14\n")
    assert run_cli("check", "fraud.yaml")[0] == 1
    (repo / ".consider.yaml").write_text(base + "fail_on_questions: tier-1\n")
    assert run_cli("check", "fraud.yaml")[0] == 1  # tier 1
    text = (repo / "fraud.yaml").read_text().replace("  tier: 1 ", "  tier: 2 ")
    (repo / "fraud.yaml").write_text(text)
    assert run_cli("check", "fraud.yaml")[0] == 0
    assert run_cli("check", "search.yaml")[0] == 0  # tier 1, no open question


def test_include_and_exclude_filter_folder_mode(repo: Path, run_cli: Run) -> None:
    (repo / "drafts").mkdir()
    shutil.copy(repo / "fraud.yaml", repo / "drafts" / "wip.yaml")
    (repo / ".consider.yaml").write_text("exclude: ['drafts/**', fraud.yaml]\n")
    code, out, _ = run_cli("check", ".", "--format", "json")
    assert [f["file"] for f in json.loads(out)["files"]] == ["search.yaml"]
    # a file named on the command line is always checked
    code, out, _ = run_cli("check", "drafts/wip.yaml", "--format", "json")
    assert code == 1
    assert [f["file"] for f in json.loads(out)["files"]] == ["drafts/wip.yaml"]
    (repo / ".consider.yaml").write_text("include: ['drafts/*.yaml']\n")
    _code, out, _ = run_cli("check", ".", "--format", "json")
    assert [f["file"] for f in json.loads(out)["files"]] == ["drafts/wip.yaml"]


CONFIG_ERRORS: list[tuple[str, str, str]] = [
    (
        ".consider.yaml",
        "fail_on: never\nfail_onn: warning\n",
        ".consider.yaml:2:1: unknown key 'fail_onn' (did you mean 'fail_on'?); see docs/config.md",
    ),
    (
        ".consider.yaml",
        "fail_on: errors\n",
        ".consider.yaml:1:10: 'fail_on': 'errors' is not error, warning, info or never "
        "(did you mean 'error'?); see docs/config.md",
    ),
    (
        ".consider.yaml",
        "rules:\n  rate-limit-insufficient: warn\n",
        ".consider.yaml:2:28: 'rules.rate-limit-insufficient': 'warn' is not a rule setting; "
        "write error, warning, info or off (did you mean 'warning'?); see docs/config.md",
    ),
    (
        ".consider.yaml",
        "rules:\n  realtime-without-fallbak: warning\n",
        ".consider.yaml:2:3: 'rules' names no rule 'realtime-without-fallbak' "
        "(did you mean 'realtime-without-fallback'?)",
    ),
    (
        ".consider.yaml",
        "rules:\n  output-mode: warning\n",
        ".consider.yaml:2:3: 'output-mode' is a question, which has no severity; "
        "it can only be turned off",
    ),
    (
        ".consider.yaml",
        "disable_packs: [sla, realtim]\n",
        ".consider.yaml:1:22: 'disable_packs' names no built-in or installed pack 'realtim' "
        "(did you mean 'realtime'?)",
    ),
    (
        ".consider.yaml",
        "fail_on_questions: some\n",
        ".consider.yaml:1:20: 'fail_on_questions': 'some' is not never, any, tier-1 or a "
        "number of open questions; see docs/config.md",
    ),
    (
        ".consider.yaml",
        "max_file_size: 2 megabytes\n",
        ".consider.yaml:1:16: 'max_file_size': '2 megabytes' is not a size such as 1MB or "
        "512KiB, or a number of bytes; see docs/config.md",
    ),
    (
        ".consider.yaml",
        "- fail_on\n",
        ".consider.yaml:1:1: the config is not a mapping of keys; see docs/config.md",
    ),
    (
        ".consider.yaml",
        "fail_on: [\n",
        ".consider.yaml:2:1: config: ",
    ),
    (
        ".consider.yaml",
        "packs: [policy/nope.yaml]\n",
        ".consider.yaml:1:9: the pack file policy/nope.yaml is not found; paths in the config "
        "are relative to the config file",
    ),
    (
        ".consider.yaml",
        "baseline: base.json\n",
        ".consider.yaml:1:11: the baseline file base.json is not found; write it with "
        "`consider check --write-baseline FILE`",
    ),
    (
        ".consider.yaml",
        "waivers: nowhere.yaml\n",
        ".consider.yaml:1:10: the waivers file nowhere.yaml is not found; check the path",
    ),
    (
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.consider]\nfail_on = "never"\nexlude = ["a"]\n',
        "pyproject.toml:6:1: unknown key 'exlude' (did you mean 'exclude'?); see docs/config.md",
    ),
    (
        "pyproject.toml",
        '[tool.consider]\nfail_on = "never"\n\n[tool.consider.rules]\n'
        'rate-limit-insufficent = "off"\n',
        "pyproject.toml:5:1: 'rules' names no rule 'rate-limit-insufficent' "
        "(did you mean 'rate-limit-insufficient'?)",
    ),
    (
        "pyproject.toml",
        "[tool.consider]\nfail_on = \n",
        "pyproject.toml: not valid TOML: Invalid value (at line 2, column 11)",
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), CONFIG_ERRORS)
def test_config_errors_exit_2_naming_file_line_and_closest_name(
    repo: Path, run_cli: Run, name: str, text: str, expected: str
) -> None:
    (repo / name).write_text(text)
    code, out, err = run_cli("check", "fraud.yaml")
    assert (code, out) == (2, "")
    assert err.startswith(f"consider: {expected}")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_schema_config_is_published_and_describes_every_key(run_cli: Run) -> None:
    code, out, _ = run_cli("schema", "config")
    published: dict[str, Any] = json.loads(out)
    assert code == 0
    assert published["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert all(p.get("description") for p in published["properties"].values())
    assert sorted(published["properties"]) == sorted(config.KEYS)
