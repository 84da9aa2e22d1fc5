"""``consider rules test``: expect comments read, compared with what is reported, and the
converter from x-test case headers (tools/cases_to_comments.py)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CASES, ROOT

from consider.resources import builtin_pack_paths
from consider.rule_tests import CommentError, Expectation, parse_comments
from tools.cases_to_comments import convert
from tools.cases_to_comments import main as convert_main

HERE = ROOT / "tests" / "rule_tests"
TEAM = HERE / "team.yaml"
Run = Callable[..., tuple[int, str, str]]


def test_comments_on_the_line_and_above_it() -> None:
    text = (
        "consider: 1\n"
        "# expect: a col=3 severity=warning\n"
        "\n"
        "models:   # expect-not: b, c\n"
        '  m: {}   # expect: d message="say \\"hi\\" # not a comment"; expect: e\n'
    )
    assert parse_comments(text) == [
        Expectation("a", 4, True, 3, "warning", None, 2),
        Expectation("b", 4, False, written_at=4),
        Expectation("c", 4, False, written_at=4),
        Expectation("d", 5, True, message='say "hi" # not a comment', written_at=5),
        Expectation("e", 5, True, written_at=5),
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("a: 1  # expect: r colour=2\n", "line 1: no option 'colour'; did you mean 'col'?"),
        ("a: 1  # expect: r col=x\n", "line 1: col=x is not a column number"),
        ("a: 1  # expect:\n", "line 1: name the rule after 'expect:' or 'expect-not:'"),
        ("a: 1\n# expect: r\n", "line 2: an expectation with no line of YAML after it"),
    ],
)
def test_unreadable_comments(text: str, says: str) -> None:
    with pytest.raises(CommentError, match="^" + says.replace("?", r"\?") + "$"):
        parse_comments(text)


def test_a_pack_whose_tests_pass(run_cli: Run) -> None:
    code, out, err = run_cli("rules", "test", "--no-builtin-packs", "--pack", TEAM, HERE / "good")
    assert (code, out, err) == (0, "2 file(s), 5 expectation(s): all met\n", "")


def test_missed_and_unexpected_with_their_place(run_cli: Run, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "consider: 1\n"
        "product: {name: x}\n"
        "models:\n"
        "  a: {retrain: {cadence: 1w}, max_age: 1d, description: x}\n"
        "  b: {retrain: {cadence: 1d}, max_age: 1w, description: x}"
        "  # expect: retrain-slower-than-max-age\n"
        "  c: {retrain: {cadence: 1w}, max_age: 1d, description: x}"
        "  # expect: retrain-slower-than-max-age col=3 severity=error\n",
        encoding="utf-8",
    )
    code, out, _ = run_cli("rules", "test", "--no-builtin-packs", "--pack", TEAM, spec)
    assert code == 1
    assert out.splitlines() == [
        f"{spec}:4:3: unexpected: retrain-slower-than-max-age warning col=3 "
        'message="a is retrained every 7d but may only be 1d old"',
        f"{spec}:5:1: missed: retrain-slower-than-max-age expected a finding on this line",
        f"{spec}:6:3: missed: retrain-slower-than-max-age expected col=3 severity=error; "
        'reported instead: warning col=3 message="c is retrained every 7d but may only be 1d old"',
        "1 file(s), 2 expectation(s): 1 unexpected, 2 missed",
    ]
    code, out, _ = run_cli(
        "rules", "test", "--format", "json", "--no-builtin-packs", "--pack", TEAM, spec
    )
    report = json.loads(out)
    assert (code, report["passed"], report["files"], report["expectations"]) == (1, False, 1, 2)
    assert [(p["kind"], p["line"], p["column"]) for p in report["problems"]] == [
        ("unexpected", 4, 3),
        ("missed", 5, 1),
        ("missed", 6, 3),
    ]


def test_unknown_rules_and_files_that_test_nothing(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "consider: 1\nproduct: {name: x}  # expect-not: retrain-slower-than-max-ag\n",
        encoding="utf-8",
    )
    (tmp_path / "b.yaml").write_text("consider: 1\nproduct: {name: x}\n", encoding="utf-8")
    code, out, _ = run_cli("rules", "test", "--no-builtin-packs", "--pack", TEAM, tmp_path)
    assert code == 1
    assert out.splitlines()[:2] == [
        f"{tmp_path / 'a.yaml'}:2:1: unknown-rule: retrain-slower-than-max-ag no loaded pack "
        "has this rule; did you mean 'retrain-slower-than-max-age'?",
        f"{tmp_path / 'b.yaml'}:1:1: no-expectations: no expect or expect-not comment, so "
        "this file tests nothing",
    ]


def test_a_comparison_turned_around_is_caught(run_cli: Run, tmp_path: Path) -> None:
    broken = tmp_path / "team.yaml"
    text = TEAM.read_text(encoding="utf-8")
    broken.write_text(text.replace("retrain.cadence > max_age", "retrain.cadence < max_age"))
    code, out, _ = run_cli("rules", "test", "--no-builtin-packs", "--pack", broken, HERE / "good")
    assert code == 1
    assert "missed: retrain-slower-than-max-age" in out
    assert "unexpected: retrain-slower-than-max-age" in out


def test_a_builtin_comparison_turned_around_is_caught(run_cli: Run, tmp_path: Path) -> None:
    cases = CASES / "dependencies"
    packs = []
    for path in builtin_pack_paths():
        text = path.read_text(encoding="utf-8")
        if path.stem == "dependencies":
            turned = text.replace(
                'when: "label_delay > retrain.cadence', 'when: "label_delay < retrain.cadence'
            )
            assert turned != text
            text = turned
        (tmp_path / path.name).write_text(text, encoding="utf-8")
        packs += ["--pack", tmp_path / path.name]
    code, out, _ = run_cli("rules", "test", "--no-builtin-packs", *packs, cases)
    assert code == 1, out
    assert "missed: label-delay-exceeds-retrain-cadence" in out


def test_converted_copies_of_cases_keep_what_their_headers_assert() -> None:
    converted = convert((HERE / "x-test" / "fallback.yaml").read_text(encoding="utf-8"))
    assert "x-test" not in converted
    assert (
        "  hybrid-no-fallback: {mode: hybrid}  # expect: realtime-without-fallback col=24 "
        "severity=warning; expect: output-fallback col=3\n"
    ) in converted
    quiet = convert((HERE / "x-test" / "near-misses.yaml").read_text(encoding="utf-8"))
    assert quiet.splitlines()[1] == (
        "consider: 1  # expect-not: latency-slo-not-percentile, third-party-in-serving-path, "
        "freshness-slo-unmeasurable, no-error-budget-policy, no-burn-rate-alerting, "
        "sla-without-margin, slo-without-window, output-without-slo, "
        "dependency-capacity-below-peak"
    )


def test_x_test_cases_convert_and_pass_as_test_specs(run_cli: Run, tmp_path: Path) -> None:
    copies = tmp_path / "copies"
    shutil.copytree(HERE / "x-test", copies)
    assert convert_main([str(copies)]) == 0  # in place
    code, out, _ = run_cli("rules", "test", copies)
    assert code == 0, out
    assert out.endswith("expectation(s): all met\n")


def test_rules_show_a_catalog_code_lists_every_rule_sharing_it(run_cli: Run) -> None:
    code, out, _ = run_cli("rules", "show", "CL-01")
    assert code == 0
    assert out.startswith("CL-01: 3 rule(s) check this consideration\n")
    for rule_id in ("collection-method", "collection-direction", "batch-interval-exceeds"):
        assert f"\n{rule_id}" in out
    code, out, _ = run_cli("rules", "show", "collection-method")
    assert "  catalog      CL-01\n" in out


def test_each_rule_page_shows_an_example_that_fires_and_one_that_does_not() -> None:
    assert "- **catalog**: DP-01" in (ROOT / "docs" / "rules" / "dependencies.md").read_text()
    page = (ROOT / "docs" / "rules" / "dependencies.md").read_text(encoding="utf-8")
    section = page.split("\n## label-delay-exceeds-retrain-cadence\n", 1)[1].split("\n## ", 1)[0]
    assert "**Example: reported** (from `tests/cases/dependencies/" in section
    assert "**Example: not reported** (from `tests/cases/dependencies/" in section
    assert "x-test" not in section and "# expect" not in section


def test_a_pack_file_given_as_a_test_spec_is_named_as_such(run_cli: Run) -> None:
    code, out, _ = run_cli("rules", "test", TEAM)
    assert code == 1
    assert out.startswith(f"{TEAM}:1:1: error: this is a rule pack, not a test spec; load it")


def test_the_builtin_packs_cases_pass_under_rules_test(run_cli: Run) -> None:
    """tests/cases/ holds the built-in packs' test specs, in the comment format: hundreds of
    expectations run through the real command on every test run."""
    cases = sorted(CASES.rglob("*.yaml"))
    assert [p for p in cases if "x-test:" in p.read_text(encoding="utf-8")] == []
    code, out, _ = run_cli("rules", "test", CASES)
    assert code == 0, out
    files, expectations = map(int, re.findall(r"(\d+) file\(s\), (\d+) expectation", out)[0])
    assert (files, expectations >= 500) == (len(cases), True)
    assert out.endswith("expectation(s): all met\n")


def test_every_builtin_rule_has_a_spec_that_fires_and_one_that_stays_quiet() -> None:
    """Read from both formats, so it holds before, during and after the conversion."""
    from consider.engine import load_rules
    from tools.rule_examples import collect

    rules = load_rules(plugins=False)
    examples = collect([CASES], rules, ROOT)
    ids = {rule.id for rule in rules.rules()}
    assert sorted(ids - set(examples.firing)) == [], "rules that no test spec reports"
    assert sorted(ids - set(examples.quiet)) == [], "rules with no quiet test spec"
