"""The command line through its real entry point: exit codes, usage errors, invalid packs,
several files, ``rules list`` and ``rules show``, and one real subprocess of the installed
console script.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from consider import __version__
from consider.engine import load_rules
from consider.engine_rules import GATE_RULES
from consider.schema import engine_rule_docs

RunCli = Callable[..., tuple[int, str, str]]
ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "tests" / "specs"
GOLDEN_PACK = SPECS / "golden-pack.yaml"


def _write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# -- usage errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["check", "--format", "xml", "s.yaml"],
            "consider check: Invalid value for '--format': 'xml' is not one of 'text', 'json', "
            "'sarif', 'junit', 'github', 'markdown', 'concise'; see 'consider check --help'\n",
        ),
        (
            ["check", "--fail-on", "critical", "s.yaml"],
            "consider check: Invalid value for '--fail-on': 'critical' is not one of 'error', "
            "'warning', 'info', 'never'; see 'consider check --help'\n",
        ),
        (["check"], "consider check: Missing argument 'PATH...'; see 'consider check --help'\n"),
        (
            ["check", "--xyzzy", "s.yaml"],
            "consider check: No such option '--xyzzy'; see 'consider check --help'\n",
        ),
        (
            ["rules", "list", "--format", "yaml"],
            "consider rules list: Invalid value for '--format': 'yaml' is not one of 'text', "
            "'json'; see 'consider rules list --help'\n",
        ),
        (["nonsense"], "consider: No such command 'nonsense'; see 'consider --help'\n"),
    ],
)
def test_bad_usage_exits_2_with_the_reason(
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("s.yaml").write_text("consider: 1\nproduct: {name: S}\n")
    assert run_cli(*args) == (2, "", message)


def test_a_glob_that_matches_nothing_exits_2(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli("check", "--no-builtin-packs", "specs/*.yaml") == (
        2,
        "",
        "consider: the pattern 'specs/*.yaml' matches no file; check the path or quote "
        "it differently\n",
    )


def test_a_glob_expands_to_each_spec_once(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("specs").mkdir()
    for name in ("b.yaml", "a.yaml"):
        Path("specs", name).write_text("consider: 1\nproduct: {name: S}\n")
    code, out, err = run_cli(
        "check", "--no-builtin-packs", "--format", "json", "specs/*.yaml", "specs/a.yaml"
    )
    assert (code, err) == (0, "")
    assert [f["file"] for f in json.loads(out)["files"]] == ["specs/a.yaml", "specs/b.yaml"]


def test_version(run_cli: RunCli) -> None:
    assert run_cli("--version") == (0, f"consider, version {__version__}\n", "")


def test_rules_show_of_an_unknown_rule_offers_close_matches(run_cli: RunCli) -> None:
    code, out, err = run_cli(
        "rules", "show", "golden-online-without-fallbak", "--pack", str(GOLDEN_PACK)
    )
    assert (code, out) == (2, "")
    # Up to three close matches, the closest first (the built-in packs may add more).
    assert err.startswith(
        "consider: no rule 'golden-online-without-fallbak'; did you mean "
        "golden-online-without-fallback"
    )
    assert err.endswith("?\n") and err.count("\n") == 1


def test_rules_show_of_a_rule_with_nothing_close(run_cli: RunCli) -> None:
    assert run_cli("rules", "show", "zzzzzz") == (
        2,
        "",
        "consider: no rule 'zzzzzz'; `consider rules list` shows them all\n",
    )


# -- invalid packs ----------------------------------------------------------------------------

RISK = """\
    pack: bad
    title: Bad pack
    risks:
      - id: r-one
        title: R
        for: outputs
        when: "mode == 'online'"
        severity: warning
        message: "{_id} is online"
        why: w
        fix: f
"""

QUESTION = """\
    pack: bad
    title: Bad pack
    questions:
      - id: q-one
        title: Q
        for: outputs
        ask: "Is {_id} online?"
        answered_by: [mode]
        why: w
"""

INVALID_PACKS = [
    pytest.param(
        "pack: bad\ntitle: [unclosed\n",
        "bad.yaml:3:1: rule pack: not valid YAML: did not find expected ',' or ']' while "
        "parsing a flow sequence; fix the syntax at this place",
        id="not-yaml",
    ),
    pytest.param(
        RISK.replace("        fix: f\n", "        fix: f\n        sevrity: error\n"),
        "bad.yaml:12:5: rule 'r-one': risks.0: unknown key 'sevrity' (did you mean "
        "'severity'?); see schemas/rulepack.schema.json",
        id="unknown-key",
    ),
    pytest.param(
        RISK.replace("severity: warning", "severity: critical"),
        "bad.yaml:8:15: rule 'r-one': risks.0.severity: 'critical' is not one of ['error', "
        "'warning', 'info']; see schemas/rulepack.schema.json",
        id="bad-severity",
    ),
    pytest.param(
        RISK.replace("        why: w\n", ""),
        "bad.yaml:4:5: rule 'r-one': risks.0: 'why' is a required property; see "
        "schemas/rulepack.schema.json",
        id="missing-why",
    ),
    pytest.param(
        RISK.replace("for: outputs", "for: output"),
        "bad.yaml:6:10: rule 'r-one': risks.0.for: 'output' is not one of ['product', "
        "'outputs', 'slos', 'models', 'datasets', 'features', 'sources', 'services', 'stores']; "
        "see schemas/rulepack.schema.json",
        id="unknown-kind",
    ),
    pytest.param(
        RISK.replace("when: \"mode == 'online'\"", 'when: "mode == "'),
        "bad.yaml:7:11: rule 'r-one': the condition does not compile as JMESPath: Incomplete "
        "expression in 'mode == <here>'",
        id="condition-does-not-compile",
    ),
    pytest.param(
        RISK.replace("when: \"mode == 'online'\"", 'when: "lenght(mode) > `1`"'),
        "bad.yaml:7:11: rule 'r-one': the condition: unknown function lenght(); did you mean "
        "length()?",
        id="unknown-function",
    ),
    pytest.param(
        RISK.replace("when: \"mode == 'online'\"", 'when: "length(mode, mode)"'),
        "bad.yaml:7:11: rule 'r-one': the condition: length() takes 1 argument(s), not 2",
        id="wrong-arity",
    ),
    pytest.param(
        RISK.replace('message: "{_id} is online"', 'message: "{_id} is {mode ==}"'),
        "bad.yaml:9:14: rule 'r-one': the placeholder {mode ==} does not compile as JMESPath: "
        "Incomplete expression in 'mode == <here>'",
        id="placeholder-does-not-compile",
    ),
    pytest.param(
        QUESTION + "    risks:\n" + RISK.split("risks:\n", 1)[1].replace("r-one", "q-one"),
        "bad.yaml:11: rule id 'q-one' is already used in bad.yaml:4; rule ids must be unique "
        "across packs",
        id="duplicate-rule-id",
    ),
    pytest.param(
        QUESTION
        + "    risks:\n"
        + RISK.split("risks:\n", 1)[1].replace(
            "        fix: f\n", "        fix: f\n        folds: [q-once]\n"
        ),
        "bad.yaml:11: rule 'r-one' folds 'q-once', which is not a question; did you mean 'q-one'?",
        id="folds-no-question",
    ),
    pytest.param(
        RISK.replace("        fix: f\n", "        fix: f\n        folds: [r-one]\n"),
        "bad.yaml:4: rule 'r-one' folds 'r-one', which is not a question",
        id="folds-a-risk",
    ),
    pytest.param(
        "pack: bad\ntitle: Bad\ntitle: Worse\n",
        "bad.yaml:3:1: 'title' is written twice (first at line 2); keep one",
        id="duplicate-key",
    ),
    pytest.param(
        "- pack: bad\n",
        "bad.yaml: the file is empty or not a mapping; a rule pack starts with 'pack: <id>' "
        "and 'title: ...' (see docs/packs.md)",
        id="a-list",
    ),
    pytest.param(
        "pack: bad\ntitle: T\nengine: 2\n",
        "bad.yaml: the pack is written for pack format 2; this consider reads format 1: "
        "upgrade consider",
        id="newer-engine",
    ),
]


@pytest.mark.parametrize(("text", "message"), INVALID_PACKS)
def test_an_invalid_pack_exits_2_with_one_message_naming_the_place(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(Path("bad.yaml"), text)
    Path("spec.yaml").write_text("consider: 1\nproduct: {name: S}\noutputs: {o: {mode: online}}\n")
    assert run_cli("check", "--no-builtin-packs", "--pack", "bad.yaml", "spec.yaml") == (
        2,
        "",
        f"consider: {message}\n",
    )
    # `consider rules validate` says the same.
    assert run_cli("rules", "validate", "bad.yaml") == (2, "", f"consider: {message}\n")


def test_a_missing_pack_exits_2(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_text("consider: 1\nproduct: {name: S}\n")
    assert run_cli("check", "--pack", "nope.yaml", "spec.yaml") == (
        2,
        "",
        "consider: nope.yaml: rule pack not found; check the path\n",
    )


def test_two_packs_with_one_id_exit_2(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(Path("one.yaml"), QUESTION)
    _write(Path("two.yaml"), RISK)
    Path("spec.yaml").write_text("consider: 1\nproduct: {name: S}\n")
    assert run_cli(
        "check", "--no-builtin-packs", "--pack", "one.yaml", "--pack", "two.yaml", "spec.yaml"
    ) == (
        2,
        "",
        "consider: two.yaml: pack id 'bad' is also used by one.yaml; give each pack its own id\n",
    )


def test_a_condition_that_fails_on_real_data_exits_2_naming_rule_and_entity(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(
        Path("bad.yaml"),
        RISK.replace("when: \"mode == 'online'\"", 'when: "length(depends_on) > `1`"'),
    )
    Path("spec.yaml").write_text("consider: 1\nproduct: {name: S}\noutputs: {o: {mode: online}}\n")
    code, out, err = run_cli("check", "--no-builtin-packs", "--pack", "bad.yaml", "spec.yaml")
    assert (code, out) == (2, "")
    assert err.startswith("consider: bad.yaml:4: rule 'r-one' failed on outputs 'o' of spec.yaml: ")
    assert "length()" in err and err.count("\n") == 1


def test_rules_validate_a_valid_pack(run_cli: RunCli) -> None:
    assert run_cli("rules", "validate", str(GOLDEN_PACK)) == (0, "1 pack(s), 7 rules: valid\n", "")


# -- exit codes -------------------------------------------------------------------------------

SEVERITIES = """\
    pack: levels
    title: One risk per severity
    questions:
      - id: level-owner
        title: Owner
        for: product
        ask: "Who owns {name}?"
        answered_by: [owner]
        why: w
    risks:
      - {id: level-error, title: E, for: product, when: '"x-error"', severity: error,
         message: error, why: w, fix: f}
      - {id: level-warning, title: W, for: product, when: '"x-warning"', severity: warning,
         message: warning, why: w, fix: f}
      - {id: level-info, title: I, for: product, when: '"x-info"', severity: info,
         message: info, why: w, fix: f}
"""


@pytest.fixture
def levels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[str]]:
    monkeypatch.chdir(tmp_path)
    _write(Path("levels.yaml"), SEVERITIES)

    def spec(name: str, *fired: str) -> list[str]:
        flags = "".join(f"  x-{level}: true\n" for level in fired)
        Path(name).write_text(f"consider: 1\nproduct:\n  name: S\n{flags}")
        return ["--no-builtin-packs", "--pack", "levels.yaml", name]

    return spec


@pytest.mark.parametrize(
    ("fired", "expected"),
    [
        ((), {"error": 0, "warning": 0, "info": 0, "never": 0}),
        (("info",), {"error": 0, "warning": 0, "info": 1, "never": 0}),
        (("warning",), {"error": 0, "warning": 1, "info": 1, "never": 0}),
        (("error",), {"error": 1, "warning": 1, "info": 1, "never": 0}),
        (("info", "warning", "error"), {"error": 1, "warning": 1, "info": 1, "never": 0}),
    ],
)
def test_fail_on_counts_findings_at_or_above_the_threshold(
    run_cli: RunCli,
    levels: Callable[..., list[str]],
    fired: tuple[str, ...],
    expected: dict[str, int],
) -> None:
    args = levels("spec.yaml", *fired)
    got = {threshold: run_cli("check", "--fail-on", threshold, *args)[0] for threshold in expected}
    assert got == expected
    assert run_cli("check", *args)[0] == expected["error"]  # the default is error


def test_questions_never_fail_the_gate(run_cli: RunCli, levels: Callable[..., list[str]]) -> None:
    args = levels("spec.yaml")
    code, out, err = run_cli("check", "--fail-on", "info", "--format", "json", *args)
    assert (code, err) == (0, "")
    assert [f["rule"] for f in json.loads(out)["files"][0]["findings"]] == ["level-owner"]


def test_schema_findings_count_as_errors(run_cli: RunCli, levels: Callable[..., list[str]]) -> None:
    args = levels("spec.yaml")
    Path("spec.yaml").write_text("consider: 1\nproduct: {name: S, owner: me, tier: top}\n")
    assert run_cli("check", *args)[0] == 1
    assert run_cli("check", "--fail-on", "never", *args)[0] == 0


def test_several_files_are_all_reported_and_the_worst_exit_code_wins(
    run_cli: RunCli, levels: Callable[..., list[str]]
) -> None:
    levels("clean.yaml")
    levels("warns.yaml", "warning")
    args = levels("fails.yaml", "error")[:-1]
    code, out, err = run_cli(
        "check", "--format", "json", *args, "clean.yaml", "fails.yaml", "warns.yaml"
    )
    assert (code, err) == (1, "")
    report = json.loads(out)
    assert [(f["file"], [x["rule"] for x in f["findings"]]) for f in report["files"]] == [
        ("clean.yaml", ["level-owner"]),
        ("fails.yaml", ["level-error", "level-owner"]),  # same place: by rule id
        ("warns.yaml", ["level-owner", "level-warning"]),
    ]
    assert run_cli("check", "--fail-on", "warning", *args, "clean.yaml", "warns.yaml")[0] == 1
    assert run_cli("check", *args, "clean.yaml", "warns.yaml")[0] == 0


def test_an_unreadable_file_among_readable_ones_exits_2_and_the_others_are_reported(
    run_cli: RunCli, levels: Callable[..., list[str]]
) -> None:
    levels("clean.yaml")
    args = levels("fails.yaml", "error")[:-1]
    Path("broken.yaml").write_text("consider: 1\nproduct: {name: S\n")
    code, out, err = run_cli("check", *args, "fails.yaml", "broken.yaml", "clean.yaml")
    assert code == 2
    assert err == (
        "consider: broken.yaml:3:1: not valid YAML: did not find expected ',' or '}' while "
        "parsing a flow mapping; fix the syntax at this place\n"
    )
    blocks = out.split("\n\n")
    assert blocks[0] == "fails.yaml"
    tail = "0 info, 0 waived, 1 open question (0 acknowledged)"
    assert f"clean.yaml: 0 errors, 0 warnings, {tail}" in out
    assert f"fails.yaml: 1 error, 0 warnings, {tail}" in out
    assert out.endswith(
        "3 files, 1 unreadable: 1 error, 0 warnings, 0 info, 0 waived, "
        "2 open questions (0 acknowledged)\n"
    )
    assert "broken.yaml" not in out  # its error is printed once, on standard error
    # The unreadable file wins over --fail-on never: the run was not fully made.
    assert run_cli("check", "--fail-on", "never", *args, "clean.yaml", "broken.yaml")[0] == 2


# -- rules list and rules show ----------------------------------------------------------------


def test_rules_list_json_lists_every_rule_with_id_pack_kind_and_severity(
    run_cli: RunCli,
) -> None:
    code, out, err = run_cli("rules", "list", "--format", "json", "--pack", str(GOLDEN_PACK))
    assert (code, err) == (0, "")
    listed = json.loads(out)
    fields = {"id", "pack", "kind", "severity", "title", "for", "catalog", "source"}
    assert all(set(entry) == fields for entry in listed)
    rules = load_rules([GOLDEN_PACK])
    expected = [(rule_id, "schema", "schema", "error") for rule_id in engine_rule_docs()]
    expected += [(rule_id, "consider", "gate", docs[0]) for rule_id, docs in GATE_RULES.items()]
    for rule in rules.rules():
        severity = getattr(rule, "severity", None)
        expected.append(
            (
                rule.id,
                rule.pack,
                "risk" if severity else "question",
                severity.value if severity else None,
            )
        )
    assert [(e["id"], e["pack"], e["kind"], e["severity"]) for e in listed] == expected
    assert len({e["id"] for e in listed}) == len(listed)
    golden = [e for e in listed if e["pack"] == "golden"]
    assert golden[0] == {
        "id": "golden-output-mode",
        "pack": "golden",
        "kind": "question",
        "severity": None,
        "title": "Online or precomputed",
        "for": ["outputs"],
        "catalog": [],
        "source": f"file {GOLDEN_PACK}",
    }
    assert golden[4] == {
        "id": "golden-online-without-fallback",
        "pack": "golden",
        "kind": "risk",
        "severity": "warning",
        "title": "Online output without a fallback",
        "for": ["outputs"],
        "catalog": [],
        "source": f"file {GOLDEN_PACK}",
    }


PACKS = {"schema", "consider", "realtime", "sla", "dependencies", "collection", "working-backwards"}
"""Every pack `rules list` shows with nothing installed: the five built-in packs, the
schema's own findings and the gate's rules."""


def test_rules_list_json_covers_the_five_builtin_packs(run_cli: RunCli) -> None:
    listed = json.loads(run_cli("rules", "list", "--format", "json")[1])
    packs = {e["pack"] for e in listed}
    assert packs == PACKS
    for pack in packs - {"schema", "consider"}:
        kinds = [e["kind"] for e in listed if e["pack"] == pack]
        assert kinds.count("question") >= 3 and kinds.count("risk") >= 3, pack
    assert all(
        e["severity"] in ("error", "warning", "info") for e in listed if e["kind"] != "question"
    )
    assert all(e["severity"] is None for e in listed if e["kind"] == "question")


def test_rules_list_text(run_cli: RunCli) -> None:
    code, out, err = run_cli("rules", "list", "--pack", str(GOLDEN_PACK))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["id", "pack", "kind", "severity", "for", "title"]
    row = next(line for line in lines if line.startswith("golden-online-without-fallback "))
    assert row.split()[:5] == [
        "golden-online-without-fallback",
        "golden",
        "risk",
        "warning",
        "outputs",
    ]
    assert lines[-1].endswith(" schema checks, 5 gate checks")


def test_rules_show_a_question(run_cli: RunCli) -> None:
    assert run_cli("rules", "show", "golden-output-mode", "--pack", str(GOLDEN_PACK)) == (
        0,
        """\
golden-output-mode: Online or precomputed

  pack         golden
  kind         question
  for          outputs
  asks         Is {_id} computed per request, precomputed ahead of time, or both?
  answered by  mode
  choices      online, precomputed, hybrid

Why

  Decides the serving architecture.

References

  - Designing Data-Intensive Applications, ch. 1
""",
        "",
    )


def test_rules_show_a_risk(run_cli: RunCli) -> None:
    assert run_cli(
        "rules", "show", "golden-online-without-fallback", "--pack", str(GOLDEN_PACK)
    ) == (
        0,
        """\
golden-online-without-fallback: Online output without a fallback

  pack        golden
  kind        risk
  for         outputs
  severity    warning
  escalates   to error when _product.tier == `1`
  fires when  (mode == 'online' || mode == 'hybrid') && !fallback
  message     {_id} is computed per request but declares no fallback
  answers     golden-output-fallback

Why

  Every dependency failure becomes a user-facing error.

Fix

  Declare a fallback.

References

  - Site Reliability Engineering, ch. 22
""",
        "",
    )


def test_rules_show_an_engine_rule(run_cli: RunCli) -> None:
    code, out, err = run_cli("rules", "show", "dangling-reference")
    assert (code, err) == (0, "")
    assert out.startswith(
        "dangling-reference: A reference to an entity that is not defined\n\n"
        "  pack      schema (the engine's own)\n  kind      schema\n"
        "  severity  error\n"
    )


# -- the installed console script, as a real process ------------------------------------------


def _process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def _console_script() -> str:
    # Beside the running interpreter first: CI runs `.venv/bin/python -m pytest` without
    # putting .venv/bin on PATH.
    script = shutil.which("consider", path=str(Path(sys.executable).parent))
    script = script or shutil.which("consider")
    if script is None:
        pytest.skip("the `consider` console script is not installed (pip install .)")
    return script


def test_the_installed_package_checks_outside_the_checkout(tmp_path: Path) -> None:
    # Run from an empty folder: the built-in packs and schemas must come with the package.
    done = _process(
        _console_script(),
        "check",
        str(ROOT / "examples" / "sound-search-ranking.yaml"),
        cwd=tmp_path,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.rstrip().endswith(
        "0 errors, 0 warnings, 0 info, 0 waived, 0 open questions (0 acknowledged)"
    )
    listed = _process(_console_script(), "rules", "list", "--format", "json", cwd=tmp_path)
    packs = {rule["pack"] for rule in json.loads(listed.stdout)}
    assert packs == PACKS


def test_the_installed_console_script(tmp_path: Path) -> None:
    script = _console_script()
    spec = tmp_path / "spec.yaml"
    spec.write_text("consider: 1\nproduct:\n  name: S\n  tier: top\n")
    done = _process(
        script, "check", "--no-builtin-packs", "--pack", str(GOLDEN_PACK), "spec.yaml", cwd=tmp_path
    )
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.splitlines()[:4] == [
        "spec.yaml",
        "",
        "Risks (1)",
        "where          severity    rule          message",
    ]
    assert (
        "spec.yaml:4:9  error       invalid-type  product.tier must be a whole number, not 'top'"
        in done.stdout
    )
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text("consider: 1\nx: !!python/object/apply:os.system [echo pwned]\n")
    done = _process(script, "check", "--no-builtin-packs", "hostile.yaml", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(
        "consider: hostile.yaml:2:4: the tag !!python/object/apply:os.system is not allowed"
    )
    assert "pwned" not in done.stdout + done.stderr.split("[", 1)[0]
    assert "Traceback" not in done.stderr


def test_python_dash_m_consider(tmp_path: Path) -> None:
    done = _process(
        sys.executable,
        "-m",
        "consider",
        "check",
        "--format",
        "json",
        "--no-builtin-packs",
        "missing.yaml",
        cwd=tmp_path,
    )
    assert done.returncode == 2
    report: dict[str, Any] = json.loads(done.stdout)
    assert report["summary"]["unreadable"] == 1
    assert done.stderr == "consider: missing.yaml: file not found; check the path\n"


# -- consider schema --------------------------------------------------------------------------


def test_schema_spec_prints_the_editor_schema_where_any_field_may_say_tbd(
    run_cli: RunCli,
) -> None:
    import jsonschema

    from consider.resources import schema
    from consider.schema import editor_schema

    code, out, err = run_cli("schema", "spec")
    assert (code, err) == (0, "")
    printed = json.loads(out)
    assert printed == editor_schema(schema("spec"))
    assert printed["definitions"]["tbd"]["const"] == "tbd"
    validator = jsonschema.Draft7Validator(printed)
    spec = {"consider": 1, "product": {"name": "S", "tier": "tbd"}, "outputs": {"o": "tbd"}}
    assert validator.is_valid(spec)
    assert not jsonschema.Draft7Validator(schema("spec")).is_valid(spec)
    # The checked-in file stays strict: consider sets tbd aside before validating.
    checked_in = json.loads((ROOT / "schemas" / "spec.schema.json").read_text("utf-8"))
    assert "tbd" not in checked_in["definitions"]
    # The other schemas are printed as they are.
    code, out, _ = run_cli("schema", "rulepack")
    assert (code, json.loads(out)) == (0, schema("rulepack"))


# -- files that are not specs, and lineage commands on imperfect specs -----------------------


def test_a_yaml_file_that_is_not_a_spec_gets_one_finding_and_no_rules(
    tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    compose = tmp_path / "docker-compose.yaml"
    compose.write_text("services:\n  web: {image: nginx}\n", encoding="utf-8")
    code, out, err = run_cli("check", "--format", "json", compose)
    findings = json.loads(out)["files"][0]["findings"]
    assert (code, err) == (1, "")
    assert [(f["rule"], f["line"], f["column"], f["message"]) for f in findings] == [
        (
            "missing-required-field",
            1,
            1,
            "this is not a consider spec: its top level has no 'consider: 1' key; add it, or "
            "leave the file out of the check",
        ),
    ]


def test_graph_refuses_a_file_that_is_not_a_spec(
    tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n", encoding="utf-8")
    assert run_cli("graph", listed) == (
        2,
        "",
        f"consider: {listed}:1:1: this is not a consider spec: its top level is a "
        "list, not a mapping\n",
    )


def test_graph_names_each_schema_problem_it_leaves_out(
    tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "consider: 1\nproduct: {name: P}\noutputs:\n  o: {depends_on: ['dataset:nowhere']}\n",
        encoding="utf-8",
    )
    code, out, err = run_cli("graph", spec)
    assert (code, out.startswith("flowchart")) == (0, True)
    assert err == (
        f"consider: warning: {spec}:4:20: outputs.o.depends_on[0] refers to dataset:nowhere, "
        "which is not defined; the spec defines no datasets (left out of the lineage)\n"
    )
