"""What each bundled example reports, recorded: its problems (with the findings grouped
inside them and the questions they fold) and its open questions, one line each. A change
in what an example reports shows up here as a diff to review; regenerate with
``UPDATE_GOLDEN=1 python -m pytest tests/test_examples_golden.py``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import EXAMPLES

from consider.check import check_file
from consider.engine import RuleSet
from consider.findings import Finding, Kind, counts

GOLDEN = Path(__file__).parent / "golden" / "examples"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))
SPECS = sorted(EXAMPLES.glob("*.yaml"))


def _line(finding: Finding, indent: str = "") -> str:
    label = "question" if finding.kind is Kind.QUESTION else finding.severity.value  # type: ignore[union-attr]
    return f"{indent}{finding.line}:{finding.column} {label} {finding.rule}: {finding.message}"


def listing(findings: tuple[Finding, ...]) -> str:
    """Problems first, then questions, each in the spec's order; inside a problem, its
    related findings and folded questions, indented."""
    total = counts(findings)
    lines = [
        f"problems: {total['error']} error, {total['warning']} warning, {total['info']} info; "
        f"open questions: {total['questions']} ({total['acknowledged']} marked tbd)",
        "",
    ]
    for finding in findings:
        if finding.kind is Kind.QUESTION:
            continue
        lines.append(_line(finding))
        lines.extend(_line(member, "    related ") for member in finding.subsumed)
        lines.extend(_line(question, "    answers ") for question in finding.folded)
    lines.append("")
    lines.extend(_line(f) for f in findings if f.kind is Kind.QUESTION)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_each_example_reports_what_its_golden_file_records(
    path: Path, builtin_rules: RuleSet
) -> None:
    result = check_file(path, builtin_rules, display=path.name)
    text = listing(result.findings)
    golden = GOLDEN / f"{path.stem}.txt"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing; run UPDATE_GOLDEN=1 pytest {__file__}"
    assert text == golden.read_text(encoding="utf-8")


def test_the_examples_ask_at_most_thirty_questions(builtin_rules: RuleSet) -> None:
    # Issue 9's measure: questions asked on their own (the 51 it started from did not count
    # those shown inside a risk, which the summary line now counts too).
    findings = [f for path in SPECS for f in check_file(path, builtin_rules).findings]
    asked = sum(1 for f in findings if f.kind is Kind.QUESTION)
    # issue 9: from 51 to 27, asked only where they apply. Issue 10, 27 to 39 on those four:
    # home rows' partner API quota and price per call (+2); how deletes of the pulled orders
    # database, which holds personal data, reach us (+1); fail open or closed for the fraud
    # score (+1); what alerts when the fraud model outgrows its max_age (+1); what three
    # products will not do (+3); for the two whose models read features of their own code,
    # how long a new feature takes and whether that code is tested (+4). The credit example
    # answers all but 2.
    assert asked <= 41
    shown_inside = sum(counts(check_file(p, builtin_rules).findings)["questions"] for p in SPECS)
    assert shown_inside - asked == sum(
        len(f.folded) for f in findings if f.kind is not Kind.QUESTION
    )


def test_the_sound_example_is_quiet_above_info(builtin_rules: RuleSet) -> None:
    findings = check_file(EXAMPLES / "sound-search-ranking.yaml", builtin_rules).findings
    assert [f.rule for f in findings if f.severity is not None and f.severity.rank > 1] == []
