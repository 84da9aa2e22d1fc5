"""``consider questions``: the open questions as a questionnaire, with progress per pack."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from consider.check import read_spec
from consider.engine import RuleSet
from consider.findings import Status
from consider.questionnaire import FRAME, NICE, RISKY, by_impact, collect, markdown_escape
from consider.template import new_spec

Run = Callable[..., tuple[int, str, str]]

SPEC = """\
consider: 1
product:
  name: Rows
  working_backwards:
    customer: Shoppers
    problem: Too many items
    solution: Rows for you
    benefits: [Find things fast]
    evidence: tbd
sources:
  clicks:
    kind: first_party_events
    method: stream
"""


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    return path


def test_progress_counts_applicable_and_answered(spec_file: Path, builtin_rules: RuleSet) -> None:
    found = collect(read_spec(spec_file), builtin_rules)
    assert [p.line() for p in found.progress] == [
        "collection 1/14 answered",
        "dependencies 0/2 answered",
        "working-backwards 4/15 answered",
    ]
    assert [(i.target, i.question.id) for i in found.acknowledged()] == [("product", "pr-evidence")]
    assert len(found.open()) == 25


def test_text_output(spec_file: Path, run_cli: Run) -> None:
    code, out, err = run_cli("questions", spec_file)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:6] == [
        f"{spec_file}: 26 open questions (1 acknowledged)",
        "",
        "collection 1/14 answered",
        "dependencies 0/2 answered",
        "working-backwards 4/15 answered",
        "",
    ]
    assert lines[6:13] == [
        "== collection",
        "-- source:clicks",
        "  11:3  collection-direction: Does the producer of clicks send the data to us (push), "
        "or do we fetch it from them (pull)?",
        "      field: direction",
        "      why: Who initiates the transfer decides who controls timing, retries and load: a "
        "pushed source can flood us or go quiet without notice; a pulled one is bounded by the "
        "provider's rate limits and by how often we ask.",
        "      choices: push, pull",
        "      recommended: push: Our own apps and sites send their events as they happen.",
    ]
    assert lines[-2:] == [
        "== acknowledged (tbd: known, not decided yet)",
        "  9:5  product  pr-evidence: How do we know customers want this: which research, data "
        "or experiment says so?",
    ]


def test_json_output(spec_file: Path, run_cli: Run) -> None:
    code, out, _ = run_cli("questions", spec_file, "--format", "json", "--entity", "product")
    assert code == 0
    document = json.loads(out)
    assert document["progress"][2] == {
        "pack": "working-backwards",
        "answered": 4,
        "applicable": 15,
    }
    ids = [(q["id"], q["status"]) for q in document["questions"]]
    assert ("pr-evidence", "acknowledged") in ids
    assert {q["target"] for q in document["questions"]} == {"product"}
    first = document["questions"][0]
    assert set(first) == {
        "id",
        "pack",
        "target",
        "field",
        "status",
        "ask",
        "why",
        "choices",
        "recommended",
        "impact",
        "line",
        "column",
    }


def test_markdown_output(spec_file: Path, run_cli: Run) -> None:
    code, out, _ = run_cli("questions", spec_file, "--format", "markdown", "--only-pack", "sla")
    assert code == 0
    assert out.splitlines()[:3] == [
        f"# Questions for {markdown_escape(str(spec_file))}",
        "",
        f"{markdown_escape(str(spec_file))}: 0 open questions (0 acknowledged)",
    ]
    code, out, _ = run_cli("questions", spec_file, "--format", "markdown")
    assert "- [ ] **Does the producer of clicks send the data to us (push)" in out
    assert "  - Choices: `push`, `pull`\n" in out
    assert "## Acknowledged (tbd: known, not decided yet)" in out


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a *b* _c_ `d` [e](f) <script>", r"a \*b\* \_c\_ \`d\` \[e\](f) &lt;script&gt;"),
        ("# not a heading", r"\# not a heading"),
        ("- not an item", r"\- not an item"),
        ("1. not a list", r"\1. not a list"),
        ("a & b | c\nd", r"a &amp; b \| c d"),
    ],
)
def test_markdown_escape(text: str, shown: str) -> None:
    assert markdown_escape(text) == shown


def test_new_spec_questions_are_all_applicable_questions(
    tmp_path: Path, builtin_rules: RuleSet
) -> None:
    """A spec from `consider init` answers nothing: its open questions are every applicable
    question of the packs."""
    path = tmp_path / "spec.yaml"
    path.write_text(new_spec(path))
    found = collect(read_spec(path), builtin_rules)
    assert all(p.answered == 0 for p in found.progress)
    assert len(found.items) == sum(p.applicable for p in found.progress)
    assert all(item.status is Status.OPEN for item in found.items)
    assert by_impact(found.items)[0].question.pack == "working-backwards"
    assert {item.impact for item in found.items if item.question.pack == "working-backwards"} == {
        FRAME
    }


def test_risk_read_questions_come_before_nice_to_know(
    spec_file: Path, builtin_rules: RuleSet
) -> None:
    items = collect(read_spec(spec_file), builtin_rules).items
    impact = {item.question.id: item.impact for item in items}
    assert impact["delivery-guarantee"] == RISKY  # at-least-once-without-dedup reads it
    assert impact["replay-window"] == NICE
    ranks = [item.impact for item in by_impact(items)]
    assert ranks == sorted(ranks)


def test_not_a_spec(tmp_path: Path, run_cli: Run) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\n")
    code, out, err = run_cli("questions", path)
    assert (code, out) == (2, "")
    assert err.startswith(f"consider: {path}:1:1: ")
    code, _, err = run_cli("questions", tmp_path / "missing.yaml")
    assert code == 2
    assert "Traceback" not in err


def test_recommendations_across_the_packs(builtin_rules: RuleSet) -> None:
    """At least 20 questions recommend an answer, in every built-in pack, and each
    recommended choice is a value its field accepts."""
    from consider.answers import field
    from consider.questionnaire import answer_field

    recommending = [q for pack in builtin_rules.packs for q in pack.questions if q.recommend]
    assert len(recommending) >= 20
    assert {q.pack for q in recommending} == {pack.id for pack in builtin_rules.packs}
    for question in recommending:
        for kind in question.kinds:
            accepts = field(kind, answer_field(question), lambda ref: True)
            for item in question.recommend:
                assert item.because.strip(), question.id
                if question.choices or accepts.choices:
                    assert item.choice in (question.choices or accepts.choices), question.id
                elif item.choice != "tbd":
                    assert accepts.parse is not None, question.id
                    shown = item.choice if isinstance(item.choice, str) else str(item.choice)
                    accepts.parse(shown)


def test_a_recommendation_is_offered_when_its_condition_holds(
    tmp_path: Path, builtin_rules: RuleSet
) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(
        "consider: 1\nproduct:\n  name: X\n  tier: 1\n"
        "models:\n  m:\n    trained_on: [dataset:d]\n    reproducible: {data_snapshot: true}\n"
        "datasets:\n  d:\n    refresh: {method: batch, interval: 1d}\n"
    )
    items = collect(read_spec(path), builtin_rules).items
    offered = {(i.question.id, i.target): i.recommended.choice for i in items if i.recommended}
    assert offered[("retrain-policy", "model:m")] == "1d"
    assert offered[("pipeline-integration-test", "model:m")] is True
    assert offered[("dataset-versioning", "dataset:d")] is True
    assert offered[("pr-launch-date", "product")] == "tbd"


def test_filters_that_name_nothing_are_refused(spec_file: Path, run_cli: Run) -> None:
    code, out, err = run_cli("questions", spec_file, "--only-pack", "nope")
    assert (code, out) == (2, "")
    assert err == (
        "consider: --only-pack: there is no pack 'nope'; the packs are: collection, "
        "dependencies, realtime, sla, working-backwards\n"
    )
    code, out, err = run_cli("questions", spec_file, "--entity", "source:nope")
    assert (code, out) == (2, "")
    assert err == (
        f"consider: --entity: {spec_file} has no entity 'source:nope'; write product or a "
        "typed reference such as output:ID\n"
    )
    code, out, _ = run_cli(
        "questions", spec_file, "--entity", "clicks", "--only-pack", "collection"
    )
    assert code == 0
    assert out.splitlines()[:3] == [
        f"{spec_file}: 13 open questions (0 acknowledged)",
        "",
        "collection 1/14 answered",
    ]
