"""``consider check --output FORMAT=FILE``: more reports from one run, beside the terminal's."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
from junitparser import JUnitXml
from test_report_formats import waived_result

from consider.report import formatter
from consider.resources import schema as published_schema

RunCli = Callable[..., tuple[int, str, str]]
ROOT = Path(__file__).resolve().parent.parent
PACK = str(ROOT / "tests" / "specs" / "golden-pack.yaml")
SPEC = str(ROOT / "tests" / "specs" / "golden.yaml")


def _check(run_cli: RunCli, *args: str) -> tuple[int, str, str]:
    return run_cli("check", "--pack", PACK, "--no-builtin-packs", *args)


def test_reports_are_written_while_the_terminal_gets_its_format(
    run_cli: RunCli, tmp_path: Path
) -> None:
    sarif, junit, text = tmp_path / "r.sarif", tmp_path / "r.xml", tmp_path / "r.txt"
    code, out, err = _check(
        run_cli,
        "--format",
        "concise",
        "--output",
        f"sarif={sarif}",
        "--output",
        f"junit={junit}",
        "--output",
        f"text={text}",
        SPEC,
    )
    assert (code, err) == (1, "")
    assert out == _check(run_cli, "--format", "concise", SPEC)[1]
    assert text.read_text(encoding="utf-8") == _check(run_cli, SPEC)[1]
    assert len(json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]) == 9
    assert JUnitXml.fromfile(str(junit)).failures == 3


def test_a_bad_output_format_is_a_usage_error(run_cli: RunCli, tmp_path: Path) -> None:
    for value in ("xml=r.xml", "sarif", "sarif=", "=r.sarif"):
        code, out, err = _check(run_cli, "--output", value, SPEC)
        assert (code, out) == (2, "")
        assert err == (
            f"consider check: Invalid value for '--output': {value!r} is not FORMAT=FILE with "
            "a FORMAT of text, json, sarif, junit, github, markdown, concise; write it like "
            "sarif=consider.sarif; see 'consider check --help'\n"
        )


def test_an_unwritable_output_file_exits_2_naming_it(run_cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "r.sarif"
    code, _, err = _check(run_cli, "--output", f"sarif={target}", SPEC)
    assert code == 2
    assert err == (
        f"consider: {target}: cannot write the report (no such file or directory); check that "
        "the folder exists and is writable\n"
    )
    code, _, err = _check(run_cli, "--output", f"json={tmp_path}", SPEC)
    assert code == 2
    assert err.startswith(f"consider: {tmp_path}: cannot write the report (is a directory)")


def test_the_json_report_of_waived_findings_validates() -> None:
    report = json.loads(formatter("json")(waived_result()))
    validator = jsonschema.Draft7Validator(published_schema("report"))
    assert [e.message for e in validator.iter_errors(report)] == []
    broken = json.loads(json.dumps(report))
    broken["files"][0]["findings"][1]["suppression"]["kind"] = "ignored"
    assert list(validator.iter_errors(broken))


def test_quiet_and_no_questions_leave_the_written_reports_whole(
    run_cli: RunCli, tmp_path: Path
) -> None:
    written = {name: tmp_path / f"r.{name}" for name in ("text", "markdown", "sarif", "junit")}
    outputs = [arg for name, path in written.items() for arg in ("--output", f"{name}={path}")]
    code, out, _ = _check(run_cli, "--quiet", "--no-questions", *outputs, SPEC)
    assert code == 1
    assert out != _check(run_cli, SPEC)[1]  # the terminal's report is the short one
    for name, path in written.items():
        full = _check(run_cli, "--format", name, SPEC)[1]
        assert path.read_text(encoding="utf-8") == full, name
