"""Baselines: written deterministically and atomically, surviving inserted lines, turning a
changed entity into a new finding, reporting stale entries, never clobbering user files."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLES

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs").mkdir()
    path = tmp_path / "specs" / "fraud.yaml"
    shutil.copy(EXAMPLES / "checkout-fraud.yaml", path)
    return path


def _risks(out: str) -> list[tuple[str, int, str | None]]:
    return [
        (f["rule"], f["line"], (f["suppression"] or {}).get("kind"))
        for file in json.loads(out)["files"]
        for f in file["findings"]
        if f["kind"] != "question"
    ]


BASELINED = [
    ("no-error-budget-policy", 98, "baseline"),
    ("label-delay-exceeds-retrain-cadence", 123, "baseline"),
    ("pii-without-retention-or-erasure", 199, "baseline"),
    ("rate-limit-insufficient", 227, "baseline"),
]


def test_write_baseline_records_findings_sorted_and_relative(spec: Path, run_cli: Run) -> None:
    code, out, err = run_cli("check", "--no-config", "specs", "--write-baseline", "base.json")
    assert (code, out, err) == (0, "", "consider: wrote 4 finding(s) of 1 file(s) to base.json\n")
    written = json.loads(Path("base.json").read_text())
    assert written["tool"] == "consider" and written["baseline"] == 1
    assert list(written["files"]) == ["specs/fraud.yaml"]
    assert [(e["rule"], e["pointer"]) for e in written["files"]["specs/fraud.yaml"]] == [
        ("label-delay-exceeds-retrain-cadence", "/models/fraud-gbm/label_delay"),
        ("no-error-budget-policy", "/slos/fraud-score-serving/availability"),
        ("rate-limit-insufficient", "/sources/device-reputation/rate_limit"),
        ("pii-without-retention-or-erasure", "/sources/payment-events/pii"),
    ]
    first = Path("base.json").read_bytes()
    run_cli("check", "--no-config", "specs", "--write-baseline", "base.json")
    assert Path("base.json").read_bytes() == first  # deterministic
    assert not list(Path().glob(".base.json.*"))  # no temporary file left behind


def test_a_baseline_survives_inserted_lines_and_a_changed_value_is_new(
    spec: Path, run_cli: Run
) -> None:
    run_cli("check", "--no-config", "specs", "--write-baseline", "base.json")
    code, out, _ = run_cli(
        "check", "--no-config", "specs", "--baseline", "base.json", "--format", "json"
    )
    assert (code, _risks(out)) == (0, BASELINED)
    # lines inserted above every finding: still baselined, at their new lines
    text = spec.read_text().replace("consider: 1\n", "consider: 1\n# a\n# b\n# c\n", 1)
    spec.write_text(text)
    code, out, _ = run_cli(
        "check", "--no-config", "specs", "--baseline", "base.json", "--format", "json"
    )
    assert (code, _risks(out)) == (0, [(r, line + 3, k) for r, line, k in BASELINED])
    # the entity the error is about changes: the finding is new and fails; its entry is stale
    spec.write_text(text.replace('rate_limit: "5000/h"', 'rate_limit: "4000/h"'))
    code, out, _ = run_cli(
        "check", "--no-config", "specs", "--baseline", "base.json", "--format", "json"
    )
    assert code == 1
    assert _risks(out) == [
        ("no-error-budget-policy", 101, "baseline"),
        ("label-delay-exceeds-retrain-cadence", 126, "baseline"),
        ("pii-without-retention-or-erasure", 202, "baseline"),
        ("baseline-stale", 230, None),  # same place: sorted by rule
        ("rate-limit-insufficient", 230, None),
    ]
    stale = json.loads(out)["files"][0]["findings"]
    stale_messages = [f["message"] for f in stale if f["rule"] == "baseline-stale"]
    assert stale_messages == [
        "the baseline base.json records rate-limit-insufficient at "
        "/sources/device-reputation/rate_limit, which no longer fires here (fixed, or the "
        "entity changed); write the baseline again to drop it"
    ]


def test_stale_entries_never_fail_the_gate(spec: Path, run_cli: Run) -> None:
    run_cli("check", "--no-config", "specs", "--write-baseline", "base.json")
    shutil.copy(EXAMPLES / "sound-search-ranking.yaml", spec)  # every finding gone
    code, out, _ = run_cli(
        "check", "--no-config", "specs", "--baseline", "base.json", "--format", "json",
        "--fail-on", "info",
    )  # fmt: skip
    assert code == 0
    assert [r for r, _, _ in _risks(out)] == ["baseline-stale"] * 4


def test_baseline_from_the_config_and_the_flag_overrides_it(spec: Path, run_cli: Run) -> None:
    run_cli("check", "--no-config", "specs", "--write-baseline", "base.json")
    Path("empty.json").write_text('{"tool": "consider", "baseline": 1, "files": {}}\n')
    Path(".consider.yaml").write_text("baseline: base.json\n")
    assert run_cli("check", "specs")[0] == 0
    assert run_cli("check", "specs", "--baseline", "empty.json")[0] == 1


def test_rewriting_keeps_entries_of_specs_not_checked(spec: Path, run_cli: Run) -> None:
    shutil.copy(EXAMPLES / "home-recommender.yaml", spec.parent / "home.yaml")
    run_cli("check", "--no-config", "specs", "--write-baseline", "base.json")
    before = json.loads(Path("base.json").read_text())["files"]
    spec.write_text(spec.read_text().replace('rate_limit: "5000/h"', 'rate_limit: "50000/h"'))
    run_cli("check", "--no-config", "specs/fraud.yaml", "--write-baseline", "base.json")
    after = json.loads(Path("base.json").read_text())["files"]
    assert after["specs/home.yaml"] == before["specs/home.yaml"]
    assert len(after["specs/fraud.yaml"]) == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "keep me\n",
            "base.json:1:1: not a consider baseline: Expecting value",
        ),
        (
            '{"a": 1}\n',
            'base.json: not a consider baseline (it needs "tool": "consider", "baseline": 1 '
            'and "files"); write one with `consider check --write-baseline FILE`',
        ),
    ],
)
def test_write_baseline_never_overwrites_a_file_that_is_not_a_baseline(
    spec: Path, run_cli: Run, content: str, message: str
) -> None:
    Path("base.json").write_text(content)
    code, out, err = run_cli("check", "--no-config", "specs", "--write-baseline", "base.json")
    assert (code, out, err) == (2, "", f"consider: {message}\n")
    assert Path("base.json").read_text() == content


def test_write_baseline_refuses_when_a_file_cannot_be_checked(spec: Path, run_cli: Run) -> None:
    Path("bad.yaml").write_text("consider: 1\nproduct: [\n")
    code, _, err = run_cli(
        "check", "--no-config", "specs", "bad.yaml", "--write-baseline", "base.json"
    )
    assert code == 2
    assert err.startswith(
        "consider: base.json: the baseline is not written: 1 file(s) could not be checked "
        "(bad.yaml); fix them first so that no entry is lost"
    )
    assert not Path("base.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--baseline", "missing.json"),
            "missing.json: baseline file not found; write it with "
            "`consider check --write-baseline FILE`",
        ),
        (
            ("--baseline", "specs/fraud.yaml"),
            "specs/fraud.yaml:1:1: not a consider baseline: Expecting value",
        ),
    ],
)
def test_bad_baselines_exit_2(
    spec: Path, run_cli: Run, args: tuple[str, ...], message: str
) -> None:
    code, out, err = run_cli("check", "--no-config", "specs", *args)
    assert (code, out, err) == (2, "", f"consider: {message}\n")


def test_write_baseline_into_a_missing_folder_is_an_error(spec: Path, run_cli: Run) -> None:
    code, out, err = run_cli("check", "--no-config", "specs", "--write-baseline", "no/base.json")
    assert (code, out, err) == (
        2,
        "",
        "consider: no/base.json: the baseline's folder does not exist; create it or name "
        "another file\n",
    )
