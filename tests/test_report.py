"""Reports: golden files of the text and JSON output, and the JSON report's published schema.

The golden files come from ``tests/specs/golden.yaml`` checked with the fixed pack
``tests/specs/golden-pack.yaml`` alone (``--no-builtin-packs``), so they do not change when the
built-in packs grow. After an intended change of output, rewrite them with
``UPDATE_GOLDEN=1 python -m pytest tests/test_report.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from consider import __version__
from consider.resources import schema as published_schema

RunCli = Callable[..., tuple[int, str, str]]
ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
PACK = "tests/specs/golden-pack.yaml"
SPEC = "tests/specs/golden.yaml"
CLEAN = "tests/specs/golden-clean.yaml"
REPORT_SCHEMA = ROOT / "schemas" / "report.schema.json"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))


@pytest.fixture(autouse=True)
def _at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # Paths in reports are as given on the command line: relative, so the goldens are portable.
    monkeypatch.chdir(ROOT)


def _compare(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing; run UPDATE_GOLDEN=1 pytest {__file__}"
    assert actual == path.read_text(encoding="utf-8"), (
        f"output differs from {path.relative_to(ROOT)}; if the change is intended, run "
        "UPDATE_GOLDEN=1 python -m pytest tests/test_report.py and review the diff"
    )


def _versionless(text: str) -> str:
    """The JSON report with the version of consider replaced, so a release needs no update."""
    report = json.loads(text)
    assert report["version"] == __version__
    report["version"] = "VERSION"
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _check(run_cli: RunCli, *args: str) -> tuple[int, str, str]:
    return run_cli("check", "--pack", PACK, "--no-builtin-packs", *args)


# -- golden files -----------------------------------------------------------------------------


def test_golden_text(run_cli: RunCli) -> None:
    code, out, err = _check(run_cli, SPEC)
    assert (code, err) == (1, "")
    _compare("check.txt", out)


def test_golden_json(run_cli: RunCli) -> None:
    code, out, err = _check(run_cli, "--format", "json", SPEC)
    assert (code, err) == (1, "")
    _compare("check.json", _versionless(out))


def test_golden_text_of_several_files_one_unreadable(run_cli: RunCli) -> None:
    code, out, err = _check(run_cli, SPEC, CLEAN, "tests/specs/missing.yaml")
    assert code == 2
    assert err == "consider: tests/specs/missing.yaml: file not found; check the path\n"
    _compare("check-files.txt", out)


def test_golden_json_of_several_files_one_unreadable(run_cli: RunCli) -> None:
    code, out, err = _check(run_cli, "--format", "json", SPEC, CLEAN, "tests/specs/missing.yaml")
    assert code == 2
    assert err == "consider: tests/specs/missing.yaml: file not found; check the path\n"
    _compare("check-files.json", _versionless(out))


# -- what the text report shows ---------------------------------------------------------------


def test_text_shows_risks_then_questions_then_the_counts(run_cli: RunCli) -> None:
    out = _check(run_cli, SPEC)[1]
    lines = out.splitlines()
    assert lines[0] == SPEC
    assert lines.index("Risks (5)") < lines.index("Unanswered questions (4, 1 marked tbd)")
    assert lines[-1] == (
        f"{SPEC}: 3 errors, 1 warning, 1 info, 0 waived, 5 open questions (1 acknowledged)"
    )
    # A folded question is shown inside its risk, not again among the questions.
    assert "  open: What does home-rows serve when a dependency fails or times out?" in out
    assert out.count("What does home-rows serve") == 1


def test_text_of_a_clean_spec(run_cli: RunCli) -> None:
    assert _check(run_cli, CLEAN) == (
        0,
        f"{CLEAN}\nno findings\n\n"
        f"{CLEAN}: 0 errors, 0 warnings, 0 info, 0 waived, 0 open questions (0 acknowledged)\n",
        "",
    )


# -- the JSON report's schema -----------------------------------------------------------------


@pytest.fixture(scope="module")
def report_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    return loaded


def test_the_report_schema_is_draft_07_and_valid(report_schema: dict[str, Any]) -> None:
    assert report_schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(report_schema)


def _property_schemas(node: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for name, body in node.get("properties", {}).items():
            yield f"{where}/properties/{name}", body
        for key, value in node.items():
            yield from _property_schemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _property_schemas(item, f"{where}/{i}")


def test_every_property_of_the_report_is_described(report_schema: dict[str, Any]) -> None:
    undescribed = [
        where
        for where, body in _property_schemas(report_schema)
        if isinstance(body, dict)
        and "$ref" not in body
        and len(body) > 1
        and not body.get("description")
    ]
    # Properties that only narrow a type inside if/then (one keyword) are exempt.
    assert undescribed == []
    for name, body in report_schema["definitions"].items():
        assert body.get("description"), f"definitions/{name} has no description"


def test_consider_schema_report_prints_the_published_schema(
    run_cli: RunCli, report_schema: dict[str, Any]
) -> None:
    code, out, err = run_cli("schema", "report")
    assert (code, err) == (0, "")
    assert json.loads(out) == report_schema == published_schema("report")


def _validate(report_schema: dict[str, Any], text: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(text)
    validator = jsonschema.Draft7Validator(report_schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(report)]
    assert errors == []
    return report


def test_json_output_validates_against_the_report_schema(
    run_cli: RunCli, report_schema: dict[str, Any]
) -> None:
    out = _check(run_cli, "--format", "json", SPEC, CLEAN, "tests/specs/missing.yaml")[1]
    report = _validate(report_schema, out)
    kinds = {f["kind"] for file in report["files"] for f in file["findings"]}
    assert kinds == {"risk", "question", "schema"}
    assert report["files"][2]["error"] == {
        "message": "file not found; check the path",
        "line": None,
        "column": None,
    }


def test_json_output_of_an_unreadable_file_with_a_position_validates(
    run_cli: RunCli, report_schema: dict[str, Any], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("consider: 1\nproduct: [\n")
    out = _check(run_cli, "--format", "json", str(bad))[1]
    report = _validate(report_schema, out)
    (file,) = report["files"]
    assert (file["error"]["line"], file["error"]["column"], file["findings"]) == (3, 1, [])


@pytest.mark.parametrize(
    "example", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name
)
def test_json_output_of_every_example_with_the_builtin_packs_validates(
    run_cli: RunCli, report_schema: dict[str, Any], example: Path
) -> None:
    code, out, err = run_cli(
        "check", "--format", "json", "--fail-on", "never", str(example.relative_to(ROOT))
    )
    assert (code, err) == (0, "")
    report = _validate(report_schema, out)
    assert report["summary"]["files"] == 1


def test_the_schema_refuses_what_the_report_never_is(report_schema: dict[str, Any]) -> None:
    out = json.loads((GOLDEN / "check.json").read_text(encoding="utf-8"))
    out["version"] = __version__
    validator = jsonschema.Draft7Validator(report_schema)
    assert not list(validator.iter_errors(out))
    findings = out["files"][0]["findings"]
    risk = next(i for i, f in enumerate(findings) if f["kind"] == "risk")
    question = next(i for i, f in enumerate(findings) if f["kind"] == "question")
    for at, change in [
        (risk, {"severity": None}),
        (risk, {"status": "open"}),
        (risk, {"line": 0}),
        (risk, {"extra": 1}),
        (risk, {"kind": "hint"}),
        (risk, {"fingerprint": "xyz"}),
        (question, {"severity": "error"}),
        (question, {"status": None}),
    ]:
        broken = json.loads(json.dumps(out))
        broken["files"][0]["findings"][at] = {**findings[at], **change}
        assert list(validator.iter_errors(broken)), change


def test_control_characters_from_a_spec_cannot_rewrite_the_terminal(
    tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    spec = tmp_path / "ctl.yaml"
    spec.write_text(
        'consider: 1\nproduct: {name: P}\n"a\\rFAKE\\u202e\\x1b[31m": 1\n', encoding="utf-8"
    )
    code, out, _ = run_cli("check", "--no-builtin-packs", spec)
    assert code == 1
    assert "\r" not in out and "\u202e" not in out and "\x1b" not in out
    assert "unknown key 'a\\x0dFAKE\\u202e\\x1b[31m' in the top level" in out
