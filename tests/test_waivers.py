"""Waivers: a waived risk passes the gate and is listed; expired, unused and misspelt ones are
findings. Dates come from --today, never the real clock."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES

Run = Callable[..., tuple[int, str, str]]

WAIVER = """
waivers:
  - rule: rate-limit-insufficient
    target: source:device-reputation
    reason: The vendor raises the limit in March; until then scoring falls back to rules.
    owner: fraud-team
    expires: 2027-03-31
"""
FRAUD_LINES = 245  # the example spec's length: the waiver starts below it


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "fraud.yaml"
    shutil.copy(EXAMPLES / "checkout-fraud.yaml", path)
    return path


def _check(run_cli: Run, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    code, out, err = run_cli("check", "--no-config", "--format", "json", *args)
    findings = json.loads(out)["files"][0]["findings"] if out else []
    return code, [f for f in findings if f["kind"] != "question"], err


def _row(finding: dict[str, Any]) -> tuple[Any, ...]:
    return (
        finding["rule"],
        finding["severity"],
        finding["line"],
        finding["column"],
        finding["suppression"],
    )


def test_a_waived_risk_passes_the_gate_and_is_listed_as_waived(spec: Path, run_cli: Run) -> None:
    assert _check(run_cli, "fraud.yaml", "--today", "2027-03-31")[0] == 1
    spec.write_text(spec.read_text() + WAIVER)
    code, findings, _ = _check(run_cli, "fraud.yaml", "--today", "2027-03-31")
    assert code == 0
    assert [_row(f) for f in findings] == [
        ("no-error-budget-policy", "info", 98, 5, None),
        ("label-delay-exceeds-retrain-cadence", "warning", 123, 5, None),
        ("pii-without-retention-or-erasure", "warning", 199, 5, None),
        (
            "rate-limit-insufficient",
            "error",
            227,
            5,
            {
                "kind": "waiver",
                "reason": "The vendor raises the limit in March; until then scoring falls back "
                "to rules.",
                "owner": "fraud-team",
                "expires": "2027-03-31",
                "source": f"fraud.yaml:{FRAUD_LINES + 3}",
            },
        ),
    ]
    code, out, _ = run_cli(
        "check", "--no-config", "--format", "json", "fraud.yaml", "--today", "2027-01-01"
    )
    assert json.loads(out)["summary"]["waived"] == 1
    assert json.loads(out)["summary"]["error"] == 0


def test_an_expired_waiver_waives_nothing_and_fails_the_gate(spec: Path, run_cli: Run) -> None:
    spec.write_text(spec.read_text() + WAIVER)
    code, findings, _ = _check(run_cli, "fraud.yaml", "--today", "2027-04-01")
    assert code == 1
    assert [_row(f) for f in findings][-2:] == [
        ("rate-limit-insufficient", "error", 227, 5, None),
        ("waiver-expired", "error", FRAUD_LINES + 3, 5, None),
    ]
    assert findings[-1]["message"] == (
        "the waiver of rate-limit-insufficient on source:device-reputation (owner fraud-team) "
        "expired on 2027-03-31; it waives nothing: fix the finding, or renew the waiver with a "
        "new date and reason"
    )
    assert findings[-1]["pointer"] == "/waivers/0"


def test_an_unused_waiver_is_reported_and_never_fails(spec: Path, run_cli: Run) -> None:
    text = WAIVER.replace("source:device-reputation", "source:payment-events")
    spec.write_text(spec.read_text() + text)
    code, findings, _ = _check(run_cli, "fraud.yaml", "--today", "2027-01-01")
    unused = [f for f in findings if f["rule"] == "waiver-unused"]
    assert [_row(f) for f in unused] == [("waiver-unused", "info", FRAUD_LINES + 3, 5, None)]
    assert unused[0]["message"] == (
        "the waiver of rate-limit-insufficient on source:payment-events matches no finding; "
        "remove it"
    )
    assert code == 1  # the risk it did not match still fails
    # alone, an unused waiver fails at no --fail-on
    clean = Path("search.yaml")
    shutil.copy(EXAMPLES / "sound-search-ranking.yaml", clean)
    clean.write_text(clean.read_text() + text)
    code, findings, _ = _check(run_cli, "search.yaml", "--today", "2027-01-01", "--fail-on", "info")
    assert (code, [f["rule"] for f in findings]) == (0, ["waiver-unused"])


def test_a_waiver_naming_no_rule_is_an_error_with_the_closest_id(spec: Path, run_cli: Run) -> None:
    text = WAIVER.replace("rule: rate-limit-insufficient", "rule: rate-limit-insuficient")
    spec.write_text(spec.read_text() + text)
    code, findings, _ = _check(run_cli, "fraud.yaml", "--today", "2027-01-01")
    assert code == 1
    bad = [f for f in findings if f["rule"] == "waiver-unknown-rule"]
    assert [(_row(f), f["message"]) for f in bad] == [
        (
            ("waiver-unknown-rule", "error", FRAUD_LINES + 3, 5, None),
            "the waiver names no rule 'rate-limit-insuficient' (did you mean "
            "'rate-limit-insufficient'?); it waives nothing",
        )
    ]


def test_target_spec_waives_the_rule_everywhere_and_product_its_section(
    spec: Path, run_cli: Run
) -> None:
    text = WAIVER.replace("source:device-reputation", "spec")
    spec.write_text(spec.read_text() + text)
    code, findings, _ = _check(run_cli, "fraud.yaml", "--today", "2027-01-01")
    assert code == 0
    assert findings[-1]["suppression"]["kind"] == "waiver"


def test_an_incomplete_waiver_is_a_schema_finding(spec: Path, run_cli: Run) -> None:
    text = WAIVER.replace("    owner: fraud-team\n", "")
    spec.write_text(spec.read_text() + text)
    code, findings, _ = _check(run_cli, "fraud.yaml", "--today", "2027-01-01")
    assert code == 1
    schema = [f for f in findings if f["kind"] == "schema"]
    assert [(f["rule"], f["line"], f["pointer"]) for f in schema] == [
        ("missing-required-field", FRAUD_LINES + 3, "/waivers/0")
    ]


def test_a_date_that_is_no_date_is_one_schema_finding(spec: Path, run_cli: Run) -> None:
    spec.write_text(spec.read_text() + WAIVER.replace("2027-03-31", "2027-13-45"))
    code, findings, _ = _check(run_cli, "fraud.yaml", "--today", "2027-01-01")
    assert code == 1
    about_waiver = [f for f in findings if f["pointer"].startswith("/waivers/")]
    assert [(f["rule"], f["line"], f["message"]) for f in about_waiver] == [
        (
            "invalid-value",
            FRAUD_LINES + 7,
            "waivers[0].expires is '2027-13-45', which is not in the form it takes, such as "
            "2027-03-31",
        )
    ]
    rate = [f for f in findings if f["rule"] == "rate-limit-insufficient"]
    assert rate[0]["suppression"] is None  # a waiver that cannot be read waives nothing


def test_a_waivers_file_named_in_the_config(spec: Path, run_cli: Run) -> None:
    Path("policy").mkdir()
    Path("policy/waivers.yaml").write_text(
        "waivers:\n"
        "  - file: ../fraud.yaml\n"
        "    rule: rate-limit-insufficient\n"
        "    target: source:device-reputation\n"
        "    reason: Vendor limit raised in March.\n"
        "    owner: fraud-team\n"
        "    expires: 2027-03-31\n"
        "  - file: ../fraud.yaml\n"
        "    rule: pii-without-retention-or-erasure\n"
        "    target: source:payment-events\n"
        "    reason: Erasure is handled by the payments platform.\n"
        "    owner: privacy\n"
        "    expires: 2026-12-31\n"
    )
    Path(".consider.yaml").write_text("waivers: policy/waivers.yaml\n")
    code, out, _ = run_cli("check", "fraud.yaml", "--format", "json", "--today", "2027-01-01")
    findings = [f for f in json.loads(out)["files"][0]["findings"] if f["kind"] != "question"]
    assert code == 1  # the second waiver has expired
    assert [
        (f["rule"], f["file"], f["line"], (f["suppression"] or {}).get("source")) for f in findings
    ] == [
        ("no-error-budget-policy", "fraud.yaml", 98, None),
        ("label-delay-exceeds-retrain-cadence", "fraud.yaml", 123, None),
        ("pii-without-retention-or-erasure", "fraud.yaml", 199, None),
        ("rate-limit-insufficient", "fraud.yaml", 227, "policy/waivers.yaml:2"),
        ("waiver-expired", "policy/waivers.yaml", 8, None),
    ]


def test_a_broken_waivers_file_exits_2(spec: Path, run_cli: Run) -> None:
    Path("waivers.yaml").write_text(
        "waivers:\n  - rule: rate-limit-insufficient\n    target: spec\n"
        "    reason: r\n    owner: o\n    expires: 2027-01-01\n"
    )
    Path(".consider.yaml").write_text("waivers: waivers.yaml\n")
    code, out, err = run_cli("check", "fraud.yaml")
    assert (code, out) == (2, "")
    assert err == (
        "consider: waivers.yaml:2:5: waivers file: waivers.0: 'file' is a required property; "
        "each waiver needs file, rule, target, reason, owner and expires (see docs/config.md)\n"
    )
    Path(".consider.yaml").write_text("waivers: nowhere.yaml\n")
    code, out, err = run_cli("check", "fraud.yaml")
    assert (code, err) == (
        2,
        "consider: .consider.yaml:1:10: the waivers file nowhere.yaml is not found; check the "
        "path\n",
    )
    Path(".consider.yaml").write_text("waivers: waivers.yaml\n")
    Path("waivers.yaml").write_text(
        "waivers:\n"
        "  - {file: gone.yaml, rule: x, target: spec, reason: r, owner: o, expires: '2027-01-01'}\n"
    )
    assert run_cli("check", "fraud.yaml") == (
        2,
        "",
        "consider: waivers.yaml:2:12: waivers file: waivers[0].file names gone.yaml, which does "
        "not exist (paths are relative to the waivers file); fix the path, or remove the waiver "
        "if the spec is gone\n",
    )


def test_the_json_report_of_waived_findings_follows_the_report_schema(
    spec: Path, run_cli: Run
) -> None:
    import jsonschema

    from consider.resources import schema

    spec.write_text(spec.read_text() + WAIVER)
    _, out, _ = run_cli(
        "check", "--no-config", "--format", "json", "fraud.yaml", "--today", "2027-01-01"
    )
    report = json.loads(out)
    jsonschema.Draft7Validator(schema("report")).validate(report)
    assert report["summary"]["waived"] == 1
