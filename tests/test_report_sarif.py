"""The SARIF report, validated against the official SARIF 2.1.0 schema.

The schema is read from ``../shared/formats/sarif-schema-2.1.0.json`` beside the checkout, as
CI lays it out; it is never copied into the project. Where it is absent, these tests skip and
say so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from test_report_formats import HOSTILE_SPEC, PACK, waived_result

from consider.report import View, formatter

RunCli = Callable[..., tuple[int, str, str]]
ROOT = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = ROOT.parent / "shared" / "formats" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"the official SARIF schema is not at {SARIF_SCHEMA} (CI lays it there)")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def _valid(validator: jsonschema.Draft4Validator, text: str) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(text)
    assert [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)] == []
    return log


@pytest.fixture(autouse=True)
def _at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_the_golden_spec_with_an_unreadable_file(
    run_cli: RunCli, validator: jsonschema.Draft4Validator
) -> None:
    out = run_cli(
        "check",
        "--pack",
        PACK,
        "--no-builtin-packs",
        "--format",
        "sarif",
        "tests/specs/golden.yaml",
        "tests/specs/missing.yaml",
    )[1]
    log = _valid(validator, out)
    (run,) = log["runs"]
    assert [r["ruleId"] for r in run["results"]] == [
        "golden-product-owner",
        "golden-online-without-fallback",
        "golden-depends-on-unvalidated-model",
        "dangling-reference",
        "golden-output-fallback",
        "golden-output-mode",
        "golden-retrain-slower-than-cadence",
        "golden-source-delivery",
        "invalid-value",
    ]
    first = run["results"][1]
    assert first["level"] == "error"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "tests/specs/golden.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 8, "startColumn": 5},
    }
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == first["ruleId"]
    assert set(first["partialFingerprints"]) == {"consider/v1"}
    assert run["results"][0]["level"] == "note"  # a question
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"] == {
        "text": "file not found; check the path"
    }


@pytest.mark.parametrize("view", [View(), View(quiet=True), View(questions=False)])
def test_waived_findings_validate(validator: jsonschema.Draft4Validator, view: View) -> None:
    _valid(validator, formatter("sarif")(waived_result(), view))


def test_every_example_with_the_builtin_packs_validates(
    run_cli: RunCli, validator: jsonschema.Draft4Validator
) -> None:
    examples = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples").glob("*.yaml"))
    code, out, err = run_cli("check", "--format", "sarif", "--fail-on", "never", *examples)
    assert (code, err) == (0, "")
    log = _valid(validator, out)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    assert all(r["help"]["text"] for r in rules)


def test_hostile_strings_validate(
    run_cli: RunCli, validator: jsonschema.Draft4Validator, tmp_path: Path
) -> None:
    spec = tmp_path / "a,b:c%25 ü.yaml"
    spec.write_text(HOSTILE_SPEC, encoding="utf-8")
    code, out, _ = run_cli("check", "--pack", PACK, "--no-builtin-packs", "--format", "sarif", spec)
    assert code == 1
    log = _valid(validator, out)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": spec.as_uri()}


def test_rule_help_in_markdown_escapes_pack_text_and_links_only_web_addresses() -> None:
    import cmarkgfm
    from cmarkgfm.cmark import Options
    from test_report_formats import _finding

    from consider.result import FileResult, Result

    finding = _finding(
        "r",
        1,
        why="Why *this* <b>",
        fix="Do [that](javascript:x)",
        references=("https://example.org/a_b", "javascript:alert(1)", "https://x.y/a)b"),
    )
    log = json.loads(formatter("sarif")(Result((FileResult("spec.yaml", (finding,)),))))
    help_markdown = log["runs"][0]["tool"]["driver"]["rules"][0]["help"]["markdown"]
    html = cmarkgfm.github_flavored_markdown_to_html(
        help_markdown, options=Options.CMARK_OPT_UNSAFE
    )
    assert html == (
        "<p><strong>Why.</strong> Why *this* &lt;b&gt;</p>\n"
        "<p><strong>Fix.</strong> Do [that](javascript:x)</p>\n"
        "<p><strong>References</strong></p>\n"
        "<ul>\n"
        '<li><a href="https://example.org/a_b">https://example.org/a_b</a></li>\n'
        "<li>javascript:alert(1)</li>\n"
        "<li>https://x.y/a)b</li>\n"
        "</ul>\n"
    )
