"""The report formats: golden files of each, hostile spec strings in each, and waived findings
listed as waived in all seven.

Goldens come from ``tests/specs/golden.yaml`` with the fixed pack (as in test_report.py) and
from a result built here with waived and baselined findings. After an intended change of
output, rewrite them with ``UPDATE_GOLDEN=1 python -m pytest tests/test_report_formats.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from junitparser import Failure, JUnitXml, Skipped

from consider import __version__
from consider.findings import Finding, Kind, Severity, Status, Suppression
from consider.report import DEFAULT_VIEW, FORMATS, View, formatter, summary_line, suppression_text
from consider.result import FileResult, Result

RunCli = Callable[..., tuple[int, str, str]]
ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
PACK = "tests/specs/golden-pack.yaml"
SPEC = "tests/specs/golden.yaml"
CLEAN = "tests/specs/golden-clean.yaml"
MISSING = "tests/specs/missing.yaml"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))
SUFFIXES = {
    "text": "txt",
    "json": "json",
    "sarif": "sarif",
    "junit": "xml",
    "github": "github.txt",
    "markdown": "md",
    "concise": "concise.txt",
}
NEW_FORMATS = ("sarif", "junit", "github", "markdown", "concise")


@pytest.fixture(autouse=True)
def _at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _compare(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing; run UPDATE_GOLDEN=1 pytest {__file__}"
    assert actual == path.read_text(encoding="utf-8"), (
        f"output differs from {path.relative_to(ROOT)}; if the change is intended, run "
        "UPDATE_GOLDEN=1 python -m pytest tests/test_report_formats.py and review the diff"
    )


def _versionless(text: str) -> str:
    """JSON and SARIF with consider's version replaced, so a release needs no update."""
    return text.replace(json.dumps(__version__), '"VERSION"')


def _render(name: str, result: Result, view: View = DEFAULT_VIEW) -> str:
    return formatter(name)(result, view)


# -- a result with waived, baselined, failing findings and questions ----------------------------

WAIVER = Suppression("waiver", "Accepted for launch", "alice", "2027-01-31", "spec.yaml:40")
FILE_WAIVER = Suppression("waiver", "Vendor SLA", "team-data", "2027-03-01", "waivers.yaml:3")
BASELINE = Suppression("baseline", source=".consider-baseline.json")


def _finding(rule: str, line: int, **fields: Any) -> Finding:
    values: dict[str, Any] = {
        "kind": Kind.RISK,
        "rule": rule,
        "pack": "realtime",
        "severity": Severity.ERROR,
        "message": f"{rule} fired",
        "file": "spec.yaml",
        "line": line,
        "column": 3,
        "pointer": "/outputs/home-rows",
        "title": "A title",
        "why": "Why it matters.",
        "fix": "What to do.",
        "references": ("https://example.org/doc", "A book"),
        "fingerprint": f"{line:016x}",
    }
    values.update(fields)
    return Finding(**values)


def waived_result() -> Result:
    """One spec: a failing error, an error waived in the spec, a warning waived by a waivers
    file, an info finding baselined, an open question and an acknowledged one."""
    findings = (
        _finding("online-without-fallback", 5),
        _finding("depends-on-unvalidated-model", 7, suppressed=WAIVER),
        _finding(
            "third-party-sla", 9, severity=Severity.WARNING, suppressed=FILE_WAIVER, pack="sla"
        ),
        _finding("retrain-slower", 11, severity=Severity.INFO, suppressed=BASELINE),
        _finding(
            "output-mode",
            13,
            kind=Kind.QUESTION,
            severity=None,
            status=Status.OPEN,
            message="Is home-rows online?",
            fix="",
        ),
        _finding(
            "source-delivery",
            15,
            kind=Kind.QUESTION,
            severity=None,
            status=Status.ACKNOWLEDGED,
            pack="collection",
            message="Is clicks delivered at least once?",
            fix="",
        ),
    )
    return Result((FileResult("spec.yaml", findings),))


# -- golden files -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NEW_FORMATS)
def test_golden_of_the_golden_spec(run_cli: RunCli, name: str) -> None:
    code, out, err = run_cli(
        "check", "--pack", PACK, "--no-builtin-packs", "--format", name, SPEC, CLEAN, MISSING
    )
    assert (code, err) == (2, f"consider: {MISSING}: file not found; check the path\n")
    _compare(f"check-files.{SUFFIXES[name]}", _versionless(out))


@pytest.mark.parametrize("name", FORMATS)
def test_golden_of_waived_findings(name: str) -> None:
    _compare(f"waived.{SUFFIXES[name]}", _versionless(_render(name, waived_result())))


def test_every_format_has_a_golden_suffix() -> None:
    assert set(SUFFIXES) == set(FORMATS)


# -- waived findings are listed as waived in all seven formats ------------------------------------


def test_waived_in_text() -> None:
    out = _render("text", waived_result())
    risks, waived = out.split("Waived (3)")
    assert "Risks (1)" in risks and "depends-on-unvalidated-model" not in risks
    assert "waived by alice until 2027-01-31: Accepted for launch" in waived
    assert "waived by team-data until 2027-03-01: Vendor SLA" in waived
    assert "baselined in .consider-baseline.json" in waived
    assert out.endswith(
        "spec.yaml: 1 error, 0 warnings, 0 info, 3 waived, 2 open questions (1 acknowledged)\n"
    )


def test_waived_in_json() -> None:
    findings = json.loads(_render("json", waived_result()))["files"][0]["findings"]
    by_rule = {f["rule"]: f["suppression"] for f in findings}
    assert by_rule["online-without-fallback"] is None
    assert by_rule["depends-on-unvalidated-model"] == {
        "kind": "waiver",
        "reason": "Accepted for launch",
        "owner": "alice",
        "expires": "2027-01-31",
        "source": "spec.yaml:40",
    }
    assert by_rule["retrain-slower"]["kind"] == "baseline"


def test_waived_in_sarif() -> None:
    results = json.loads(_render("sarif", waived_result()))["runs"][0]["results"]
    by_rule = {r["ruleId"]: r.get("suppressions") for r in results}
    assert by_rule["online-without-fallback"] is None
    assert by_rule["depends-on-unvalidated-model"] == [
        {
            "kind": "inSource",
            "status": "accepted",
            "justification": "Accepted for launch",
            "properties": {
                "consider/kind": "waiver",
                "owner": "alice",
                "expires": "2027-01-31",
                "source": "spec.yaml:40",
            },
        }
    ]
    assert by_rule["third-party-sla"][0]["kind"] == "external"
    assert by_rule["retrain-slower"][0]["kind"] == "external"


def test_waived_in_junit() -> None:
    xml = JUnitXml.fromstring(_render("junit", waived_result()))
    cases = {case.name: case for suite in xml for case in suite}
    assert [type(r) for r in cases["online-without-fallback /outputs/home-rows"].result] == [
        Failure
    ]
    (skipped,) = cases["depends-on-unvalidated-model /outputs/home-rows"].result
    assert isinstance(skipped, Skipped)
    assert skipped.message == "waived by alice until 2027-01-31: Accepted for launch"
    (baselined,) = cases["retrain-slower /outputs/home-rows"].result
    assert baselined.message == "baselined in .consider-baseline.json"
    assert cases["output-mode /outputs/home-rows"].result == []
    assert (xml.tests, xml.failures, xml.skipped, xml.errors) == (6, 1, 3, 0)


def test_waived_in_github() -> None:
    lines = _render("github", waived_result()).splitlines()
    waived = [line for line in lines if "depends-on-unvalidated-model" in line]
    assert waived == [
        "::notice file=spec.yaml,line=7,col=3,title=depends-on-unvalidated-model (waiver)%3A "
        "A title::depends-on-unvalidated-model fired%0A"
        "waived by alice until 2027-01-31: Accepted for launch"
    ]
    assert sum(line.startswith("::error ") for line in lines) == 1


def test_waived_in_markdown() -> None:
    out = _render("markdown", waived_result())
    assert "### Waived (3)" in out
    assert (
        "| spec.yaml:7:3 | depends-on-unvalidated-model | error | depends-on-unvalidated-model "
        "fired | alice | 2027-01-31 | Accepted for launch |"
    ) in out


def test_waived_in_concise() -> None:
    out = _render("concise", waived_result())
    assert (
        "spec.yaml:7:3: error depends-on-unvalidated-model depends-on-unvalidated-model fired "
        "[waived by alice until 2027-01-31: Accepted for launch]\n"
    ) in out


def test_the_summary_line_is_one_function() -> None:
    totals = {"error": 1, "warning": 2, "info": 0, "waived": 3, "questions": 1, "acknowledged": 1}
    assert summary_line(totals) == (
        "1 error, 2 warnings, 0 info, 3 waived, 1 open question (1 acknowledged)"
    )
    assert suppression_text(Suppression("waiver")) == "waived"
    assert suppression_text(Suppression("baseline")) == "baselined"


# -- views: quiet, no questions, colour ----------------------------------------------------------


def test_quiet_text_shows_only_what_fails_and_the_summary() -> None:
    out = _render("text", waived_result(), View(quiet=True))
    assert out == (
        "spec.yaml\n"
        "\n"
        "Risks (1)\n"
        "where          severity    rule                     message\n"
        "-------------  ----------  -----------------------  -----------------------------\n"
        "spec.yaml:5:3  error       online-without-fallback  online-without-fallback fired\n"
        "\n"
        "1 file: 1 error, 0 warnings, 0 info, 3 waived, 2 open questions (1 acknowledged)\n"
    )


def test_quiet_text_of_a_passing_run_is_the_summary_alone() -> None:
    out = _render("text", waived_result(), View(threshold=None, quiet=True))
    assert out == (
        "\n1 file: 1 error, 0 warnings, 0 info, 3 waived, 2 open questions (1 acknowledged)\n"
    )


@pytest.mark.parametrize("name", ["text", "concise", "github", "markdown", "sarif", "junit"])
def test_no_questions_leaves_them_out_but_counts_them(name: str) -> None:
    out = _render(name, waived_result(), View(questions=False))
    assert "Is home-rows online" not in out
    assert "output-mode" not in out
    if name in ("text", "concise", "markdown"):
        assert "2 open questions (1 acknowledged)" in out


def test_colour_only_when_asked() -> None:
    for name in ("text", "concise"):
        assert "\x1b[" not in _render(name, waived_result())
        coloured = _render(name, waived_result(), View(colour=True))
        assert "\x1b[1;31merror\x1b[0m" in coloured
        assert "\x1b[2merror\x1b[0m" in coloured  # a waived error is dimmed


# -- hostile strings ------------------------------------------------------------------------------

HOSTILE_SPEC = """\
consider: 1
product:
  name: "Evil\\n::error file=x::pwned %0A ]]> <script>alert(1)</script> **b** \\u202e ünï 𝄞"
outputs:
  "rows\\n::warning::x ]]> \\u202e\\ufffe[l](http://e.x) a@b.co | *b* _i_ www.e.x @team 𝄞 %25 `c` \
&amp; \\x01\\x85\\u2028 end":
    mode: online
"x\\r::error::cr,:y\\n# heading\\n- item": 1
"""


@pytest.fixture
def hostile(tmp_path: Path) -> str:
    path = tmp_path / "a,b:c%25 ü.yaml"
    path.write_text(HOSTILE_SPEC, encoding="utf-8")
    return str(path)


def _hostile_output(run_cli: RunCli, name: str, spec: str) -> str:
    code, out, err = run_cli("check", "--pack", PACK, "--no-builtin-packs", "--format", name, spec)
    assert (code, err) == (1, "")
    return out


def test_hostile_github_injects_no_command(run_cli: RunCli, hostile: str) -> None:
    out = _hostile_output(run_cli, "github", hostile)
    lines = out.split("\n")
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == 3  # one per finding: the question, the bad id, the unknown key
    assert [line.split(" ", 1)[0] for line in commands] == ["::notice", "::error", "::error"]
    assert lines[3:] == [
        "consider: 2 errors, 0 warnings, 0 info, 0 waived, 1 open question (0 acknowledged)",
        "",
    ]
    for line in commands:
        head = line[2:].partition("::")[0]
        properties = head.split(" ", 1)[1]
        # Property values carry no raw ',' or ':' of their own, so the runner splits them right.
        assert [p.split("=", 1)[0] for p in properties.split(",")] == [
            "file",
            "line",
            "col",
            "title",
        ]
        assert ":" not in properties
        assert "\r" not in line and "\u2028" not in line and "\x85" not in line
    assert "file=" + hostile.replace("%", "%25").replace(",", "%2C").replace(":", "%3A") in out
    assert "Evil%0A::error file=x::pwned %250A" in out


def test_hostile_concise_is_one_line_per_finding(run_cli: RunCli, hostile: str) -> None:
    lines = _hostile_output(run_cli, "concise", hostile).splitlines()
    assert len(lines) == 4
    assert all(line.startswith(f"{hostile}:") for line in lines[:3])
    assert lines[0].endswith(
        "question golden-product-owner Who owns Evil\\n::error file=x::"
        "pwned %0A ]]> <script>alert(1)</script> **b** \\u202e ünï 𝄞?"
    )


@pytest.mark.parametrize("name", ["text", "concise"])
def test_hostile_text_rewrites_no_terminal_and_starts_no_command(
    run_cli: RunCli, hostile: str, name: str
) -> None:
    out = _hostile_output(run_cli, name, hostile)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]", out)
    assert "ünï" in out and "\\u202e" in out and "\\n::warning::x" in out
    assert [line for line in out.splitlines() if line.lstrip().startswith("::")] == []


def test_a_wrapped_line_of_text_starts_no_command() -> None:
    message = "x" * 70 + " ::error file=a::injected"
    result = Result((FileResult("spec.yaml", (_finding("r", 1, message=message),)),))
    out = _render("text", result)
    assert "\n" + " " * 35 + "\\::error file=a::injected\n" in out
    assert [line for line in out.splitlines() if line.lstrip().startswith("::")] == []


def test_a_file_named_like_a_command_is_shown_as_a_relative_path() -> None:
    result = Result((FileResult("::error::x.yaml", (_finding("r", 1, file="::error::x.yaml"),)),))
    for name in ("text", "concise"):
        out = _render(name, result)
        assert [line for line in out.splitlines() if line.lstrip().startswith("::")] == []
        assert "./::error::x.yaml:1:3" in out


def test_hostile_junit_reads(run_cli: RunCli, hostile: str) -> None:
    out = _hostile_output(run_cli, "junit", hostile)
    xml = JUnitXml.fromstring(out)
    cases = [case for suite in xml for case in suite]
    assert len(cases) == 3
    assert (xml.tests, xml.failures) == (3, 2)
    # The id's own finding quotes it clipped (schema messages quote at most 60 characters of
    # a key); the risk about the entity carries the whole hostile text.
    messages = " ".join(r.message for case in cases for r in case.result if r.message)
    assert "]]>" in messages and "::warning::x" in messages
    assert "\\u202e" in messages and "\\ufffe" in messages


def _html(markdown: str) -> str:
    # GitHub renders comments with its cmark fork, raw HTML passed on to its sanitizer.
    html: str = cmarkgfm.github_flavored_markdown_to_html(
        markdown, options=Options.CMARK_OPT_UNSAFE
    )
    return html


def _tags(html: str) -> list[str]:
    return re.findall(r"<(/?[a-z0-9]+)", html)


def test_hostile_markdown_renders_no_injected_structure(run_cli: RunCli, hostile: str) -> None:
    out = _hostile_output(run_cli, "markdown", hostile)
    html = _html(out)
    tags = set(_tags(html))
    assert tags == {
        "h2",
        "/h2",
        "p",
        "/p",
        "h3",
        "/h3",
        "h4",
        "/h4",
        "table",
        "/table",
        "thead",
        "/thead",
        "tbody",
        "/tbody",
        "tr",
        "/tr",
        "th",
        "/th",
        "td",
        "/td",
        "br",
    }
    # Two tables (errors, questions) of the columns we wrote, rows only for the findings.
    assert html.count("<table>") == 2 and html.count("<tr>") == 2 + 3
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "http://e.x" in html and "a@" in html  # shown as text, linked nowhere


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("*b* _i_ **s** ~~d~~", "*b* _i_ **s** ~~d~~"),
        ("[l](http://e.x) ![i](j)", "[l](http://e.x) ![i](j)"),
        ("<b>x</b> &amp;", "&lt;b&gt;x&lt;/b&gt; &amp;amp;"),
        ("`c` $m$ | x", "`c` $m$ | x"),
        ("www.e.x a@b.co @team", "www.e.x a@<!-- -->b.co @<!-- -->team"),
        ("line\n# heading\n- item", "line # heading - item"),
    ],
)
def test_markdown_escape_keeps_text_literal(text: str, shown: str) -> None:
    from consider.report.markdown_format import escape

    html = _html(f"x {escape(text)}")
    assert html == f"<p>x {shown}</p>\n"


# -- the Markdown packet fits in a pull-request comment --------------------------------------------


def test_a_long_markdown_packet_is_cut_to_fit_a_comment() -> None:
    from consider.report.markdown_format import COMMENT_LIMIT

    many = tuple(_finding(f"rule-{i}", i + 1, message="m" * 200) for i in range(1000))
    out = _render("markdown", Result((FileResult("spec.yaml", many),)))
    assert len(out) <= COMMENT_LIMIT
    assert out.startswith(
        "## consider: 1000 errors, 0 warnings, 0 info, 0 waived, 0 open questions (0 acknowledged)"
    )
    assert "\n\n…and 900 more, in the full report (text, JSON or SARIF).\n" in out
    html = _html(out)
    assert html.count("<tr>") == 1 + 100


def test_a_clean_markdown_packet_says_so() -> None:
    out = _render("markdown", Result((FileResult("spec.yaml", ()),)))
    assert out == (
        "## consider: 0 errors, 0 warnings, 0 info, 0 waived, 0 open questions (0 acknowledged)\n"
        "\n1 file checked; the gate fails on error.\n\nNothing to report.\n"
    )
