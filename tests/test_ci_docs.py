"""docs/ci.md: every workflow and script parses, and every consider command in it runs on a
repository of specs, writing the reports its CI system reads."""

from __future__ import annotations

import json
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, ROOT, fenced_blocks

Run = Callable[..., tuple[int, str, str]]
DOC = ROOT / "docs" / "ci.md"
SARIF_SCHEMA = ROOT.parent / "shared" / "formats" / "sarif-schema-2.1.0.json"


def _named(name: str) -> str:
    [text] = [text for _, file, text in fenced_blocks(DOC) if file == name]
    return text


def _consider_commands(lines: list[str]) -> list[list[str]]:
    """The consider commands among shell lines, as argument lists without the program."""
    commands = []
    for line in lines:
        words = shlex.split(line)
        if words and Path(words[0]).name == "consider":
            commands.append(words[1:])
    return commands


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with specs that have risks, as a team adopting consider has."""
    (tmp_path / "specs").mkdir()
    for name in ("home-recommender.yaml", "weekly-digest.yaml", "sound-search-ranking.yaml"):
        shutil.copy(EXAMPLES / name, tmp_path / "specs" / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_block_parses_and_names_its_file() -> None:
    blocks = fenced_blocks(DOC)
    assert [(language, name) for language, name, _ in blocks] == [
        ("yaml", ".github/workflows/consider.yml"),
        ("yaml", ".gitlab-ci.yml"),
        ("sh", "ci/consider.sh"),
        ("console", ""),
        ("yaml", ".consider.yaml"),
        ("yaml", "specs/home.yaml (appended)"),
    ]
    for language, _, text in blocks:
        if language == "yaml":
            assert yaml.safe_load(text)


def test_every_install_is_pinned_to_a_tag() -> None:
    text = DOC.read_text(encoding="utf-8")
    installs = [line for line in text.splitlines() if "pip install" in line]
    assert len(installs) == 3
    assert all("@<tag-or-commit>" in line for line in installs)


def test_the_github_workflow_writes_annotations_sarif_and_a_review_packet(
    repo: Path, run_cli: Run
) -> None:
    workflow = yaml.safe_load(_named(".github/workflows/consider.yml"))
    steps = workflow["jobs"]["specs"]["steps"]
    [command] = _consider_commands([step["run"] for step in steps if "run" in step])
    code, out, err = run_cli(*command)
    assert (code, err) == (1, "")  # the examples have error-level risks on purpose
    *annotations, summary = out.splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in annotations)
    assert summary.startswith("consider: 4 errors, ")  # home-recommender: four problems
    sarif = json.loads((repo / "consider.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert (repo / "consider.md").read_text(encoding="utf-8").startswith("#")
    upload = next(step for step in steps if step.get("uses", "").startswith("github/codeql"))
    assert upload["with"]["sarif_file"] == "consider.sarif"
    assert upload["if"] == "always()"
    assert workflow["permissions"]["security-events"] == "write"
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"{SARIF_SCHEMA} is absent: the SARIF was not validated against it")
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)


def test_the_gitlab_job_writes_a_junit_report(repo: Path, run_cli: Run) -> None:
    from junitparser import JUnitXml

    job = yaml.safe_load(_named(".gitlab-ci.yml"))["consider"]
    [command] = _consider_commands(job["script"])
    code, out, err = run_cli(*command)
    assert (code, err) == (1, "")
    assert out.splitlines()[0].startswith("specs/home-recommender.yaml:")
    report = job["artifacts"]["reports"]["junit"]
    failures = [
        case
        for suite in JUnitXml.fromfile(str(repo / report))
        for case in suite
        if any(type(r).__name__ == "Failure" for r in case.result)
    ]
    assert failures
    assert job["artifacts"]["when"] == "always"


def test_the_generic_script_leaves_a_json_report(repo: Path, run_cli: Run) -> None:
    [command] = _consider_commands(_named("ci/consider.sh").splitlines())
    code, _, err = run_cli(*command)
    assert (code, err) == (1, "")
    report = json.loads((repo / "consider-report.json").read_text(encoding="utf-8"))
    assert [f["file"] for f in report["files"]] == [
        "specs/home-recommender.yaml",
        "specs/sound-search-ranking.yaml",
        "specs/weekly-digest.yaml",
    ]


def test_the_rollout_baseline_then_waivers_then_no_baseline(repo: Path, run_cli: Run) -> None:
    [console] = [text for language, _, text in fenced_blocks(DOC) if language == "console"]
    [write] = [shlex.split(line.removeprefix("$ "))[1:] for line in console.splitlines()]
    # Step 1: today's findings recorded; with the config naming the baseline, the gate passes.
    assert run_cli(*write)[0] == 0
    (repo / ".consider.yaml").write_text(_named(".consider.yaml"), encoding="utf-8")
    assert run_cli("check", "specs/")[0] == 0
    # Step 2: a waiver in the spec takes over one baselined finding, with its owner.
    spec = repo / "specs" / "home-recommender.yaml"
    spec.write_text(spec.read_text() + _named("specs/home.yaml (appended)"))
    code, out, err = run_cli("check", "specs/", "--today", "2027-01-15", "--format", "json")
    assert err == ""
    findings = [f for file in json.loads(out)["files"] for f in file["findings"]]
    waived = [f for f in findings if (f["suppression"] or {}).get("kind") == "waiver"]
    assert code == 0
    assert [(f["rule"], f["suppression"]["owner"]) for f in waived] == [
        ("at-least-once-without-dedup", "home-team")
    ]
    assert "baseline-stale" not in [f["rule"] for f in findings]  # the entry is still used
    # ...and after its expiry date it fails the gate again.
    code, out, _ = run_cli("check", "specs/", "--today", "2027-04-01", "--format", "json")
    rules = [f["rule"] for file in json.loads(out)["files"] for f in file["findings"]]
    assert (code, rules.count("waiver-expired")) == (1, 1)
    # Step 3: without the baseline, what is neither fixed nor waived fails again.
    (repo / ".consider.yaml").unlink()
    assert run_cli("check", "specs/", "--today", "2027-01-15")[0] == 1
