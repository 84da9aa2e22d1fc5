"""One cause, one finding: risks that a firing risk subsumes on a shared root entity are
reported inside it, count once, fail the gate as the group, and are waived or baselined
one by one; every output format shows them inside their primary."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES

from consider.errors import PackError
from consider.packs import load_pack

Run = Callable[..., tuple[int, str, str]]
_AVAILABILITY = {
    "third-party-in-serving-path",
    "composite-availability-below-slo",
    "dependency-missing-extra-nine",
}

SPEC = """\
consider: 1
product: {name: deals, tier: 1}
outputs:
  rows:
    mode: online
    request_path:
      - {dep: service:profile}
      - {dep: service:deals}
slos:
  rows-serving:
    applies_to: output:rows
    availability: "99.9%"
services:
  profile: {availability: "99.95%"}
  deals: {kind: third_party_api, availability: "99.5%"}
"""

WAIVE = """\
waivers:
  - rule: {rule}
    target: {target}
    reason: The provider moves to a multi-region API in March.
    owner: home-team
    expires: 2027-03-31
"""


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "deals.yaml"
    path.write_text(SPEC)
    return path


def _risks(run_cli: Run, *args: str) -> tuple[int, list[dict[str, Any]], dict[str, int]]:
    code, out, _ = run_cli(
        "check", "--no-config", "--format", "json", "--today", "2027-01-04", *args
    )
    document = json.loads(out)
    findings = [f for f in document["files"][0]["findings"] if f["rule"] in _AVAILABILITY]
    return code, findings, document["files"][0]["summary"]


def _shape(finding: dict[str, Any]) -> tuple[Any, ...]:
    inside = [
        (m["rule"], m["severity"], m["line"], bool(m["suppression"])) for m in finding["subsumed"]
    ]
    return (
        finding["rule"],
        finding["severity"],
        finding["line"],
        bool(finding["suppression"]),
        inside,
    )


def test_one_cause_is_one_problem_with_the_others_inside(spec: Path, run_cli: Run) -> None:
    code, findings, summary = _risks(run_cli, "deals.yaml")
    assert code == 1
    assert [_shape(f) for f in findings] == [
        (
            "third-party-in-serving-path",
            "error",
            12,
            False,
            [
                ("composite-availability-below-slo", "error", 12, False),
                ("dependency-missing-extra-nine", "warning", 14, False),
                ("dependency-missing-extra-nine", "warning", 15, False),
            ],
        )
    ]
    # The summary counts the group once, as its primary (the spec has two other errors).
    assert (summary["error"], summary["warning"], summary["info"]) == (3, 2, 2)
    fingerprints = [m["fingerprint"] for m in findings[0]["subsumed"]]
    assert len(set(fingerprints)) == 3 and findings[0]["fingerprint"] not in fingerprints


def test_a_related_finding_is_waived_on_its_own(spec: Path, run_cli: Run) -> None:
    spec.write_text(
        SPEC + WAIVE.format(rule="dependency-missing-extra-nine", target="service:profile")
    )
    code, findings, summary = _risks(run_cli, "deals.yaml")
    assert code == 1  # the group still counts: its primary is not waived
    assert [(m["rule"], m["line"], bool(m["suppression"])) for m in findings[0]["subsumed"]] == [
        ("composite-availability-below-slo", 12, False),
        ("dependency-missing-extra-nine", 14, True),
        ("dependency-missing-extra-nine", 15, False),
    ]
    assert (summary["error"], summary["waived"]) == (3, 0)


def test_waiving_the_primary_waives_the_group(spec: Path, run_cli: Run) -> None:
    spec.write_text(
        SPEC + WAIVE.format(rule="third-party-in-serving-path", target="slo:rows-serving")
    )
    _code, findings, summary = _risks(run_cli, "deals.yaml")
    assert [_shape(f)[:4] for f in findings] == [("third-party-in-serving-path", "error", 12, True)]
    assert (summary["error"], summary["waived"]) == (2, 1)


def test_a_baseline_records_and_accepts_each_finding_of_a_group(spec: Path, run_cli: Run) -> None:
    code, _out, _ = run_cli("check", "--no-config", "deals.yaml", "--write-baseline", "base.json")
    recorded = json.loads(Path("base.json").read_text())["files"]["deals.yaml"]
    assert sorted(e["rule"] for e in recorded if e["rule"] in _AVAILABILITY) == [
        "composite-availability-below-slo",
        "dependency-missing-extra-nine",
        "dependency-missing-extra-nine",
        "third-party-in-serving-path",
    ]
    code, findings, _ = _risks(run_cli, "deals.yaml", "--baseline", "base.json")
    assert code == 0
    assert findings[0]["suppression"]["kind"] == "baseline"
    assert all(m["suppression"]["kind"] == "baseline" for m in findings[0]["subsumed"])


def test_sarif_lists_the_related_findings_as_related_locations(spec: Path, run_cli: Run) -> None:
    _, out, _ = run_cli("check", "--no-config", "--format", "sarif", "deals.yaml")
    results = [r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] != "open-questions"]
    risks = [r for r in results if r["ruleId"] in _AVAILABILITY]
    assert [r["ruleId"] for r in risks] == ["third-party-in-serving-path"]
    related = risks[0]["relatedLocations"]
    assert [(r["id"], r["physicalLocation"]["region"]["startLine"]) for r in related] == [
        (1, 12),
        (2, 14),
        (3, 15),
    ]
    assert related[1]["message"]["text"].startswith("dependency-missing-extra-nine: profile offers")
    assert [s["ruleId"] for s in risks[0]["properties"]["consider/subsumed"]] == [
        "composite-availability-below-slo",
        "dependency-missing-extra-nine",
        "dependency-missing-extra-nine",
    ]


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [
        ("junit", "related: dependency-missing-extra-nine (warning) at 14:13: profile offers"),
        ("github", "related: dependency-missing-extra-nine (warning) at 14:13: profile offers"),
        ("markdown", "Related: dependency-missing-extra-nine (warning) at 14:13: profile offers"),
        ("concise", "[related: composite-availability-below-slo, dependency-missing-extra-nine, "),
        ("text", "related: dependency-missing-extra-nine (warning) at 14:13: profile"),
    ],
)
def test_every_format_shows_related_findings_inside_the_primary(
    spec: Path, run_cli: Run, fmt: str, shown: str
) -> None:
    _, out, _ = run_cli("check", "--no-config", "--format", fmt, "deals.yaml")
    assert shown in out.replace("%0A", "\n")


def test_home_recommender_reports_four_error_problems(run_cli: Run, tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "home-recommender.yaml", tmp_path / "home.yaml")
    _, out, _ = run_cli("check", "--no-config", "--format", "json", str(tmp_path / "home.yaml"))
    findings = json.loads(out)["files"][0]["findings"]
    errors = [
        (f["rule"], [m["rule"] for m in f["subsumed"]])
        for f in findings
        if f["severity"] == "error"
    ]
    assert errors == [
        (
            "third-party-in-serving-path",
            [
                "composite-availability-below-slo",
                "dependency-missing-extra-nine",
                "dependency-missing-extra-nine",
            ],
        ),
        ("latency-budget-exceeded", ["hop-budget-below-dependency-p99"]),
        ("freshness-chain-exceeds-slo", ["batch-interval-exceeds-freshness"]),
        ("no-quality-monitoring", []),
    ]


def test_a_pack_may_subsume_only_another_risk(tmp_path: Path) -> None:
    from consider.packs import index

    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "pack: mine\ntitle: Mine\ndescription: Mine.\nrisks:\n"
        "  - id: a-risk\n    title: A\n    for: outputs\n    severity: info\n"
        "    message: m\n    why: w\n    fix: f\n    subsumes: [no-such-risk]\n"
    )
    with pytest.raises(PackError, match="subsumes 'no-such-risk', which is not another risk"):
        index([load_pack(pack)])
