"""Which files are specs (named, found in folders, passed by a hook), and standard input."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from consider.specfiles import FileKind, head_kind, kind_of

RunCli = Callable[..., tuple[int, str, str]]

SPEC = "consider: 1\nproduct: {name: Shop}\n"
FORGOT_KEY = "# home rows\nproduct:\n  name: Shop\noutputs:\n  home: {mode: precomputed}\n"
FORGOT_KEY_MESSAGE = (
    "this looks like a consider spec (it has 'product' and 'outputs') but its top level has "
    "no 'consider: 1' key; add 'consider: 1' as its first line"
)
NOT_A_SPEC_MESSAGE = (
    "this is not a consider spec: its top level has no 'consider: 1' key; add it, or leave "
    "the file out of the check"
)
OPENAPI = "openapi: 3.0.3\ninfo: {title: Orders, version: '1'}\npaths: {}\n"
HELM = "apiVersion: v1\nkind: ConfigMap\ndata:\n  name: {{ .Values.name }}\n"


def _findings(out: str) -> list[tuple[str, str, int, int, str]]:
    return [
        (f["file"], f["rule"], f["line"], f["column"], f["message"])
        for file in json.loads(out)["files"]
        for f in file["findings"]
    ]


def _files(out: str) -> list[str]:
    return [file["file"] for file in json.loads(out)["files"]]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- the rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"consider": 1}, FileKind.SPEC),
        ({"consider": 1, "openapi": "3.0.0"}, FileKind.SPEC),
        ({"product": {}, "outputs": {}}, FileKind.SPEC_LIKE),
        ({"product": {}, "slos": {}}, FileKind.SPEC_LIKE),
        ({"product": {}, "sources": {}}, FileKind.SPEC_LIKE),
        ({"product": {}}, FileKind.OTHER),
        ({"outputs": {}, "slos": {}}, FileKind.OTHER),
        ({"openapi": "3.0.0", "paths": {}}, FileKind.OTHER),
        (["consider"], FileKind.OTHER),
        (None, FileKind.OTHER),
    ],
)
def test_the_kind_of_parsed_data(data: object, kind: FileKind) -> None:
    assert kind_of(data) is kind


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"consider: 1\nproduct: {name: S}\n", FileKind.SPEC),
        (b'# a comment\n"consider": 1\n', FileKind.SPEC),
        (b"---\nproduct:\n  name: S\nslos: {}\n", FileKind.SPEC_LIKE),
        (b"product: x   # note\nsources:\n", FileKind.SPEC_LIKE),
        (b"openapi: 3.0.0\npaths: {}\n", FileKind.OTHER),
        (b"product:\n  outputs: {}\n  consider: 1\n", FileKind.OTHER),  # not at the top level
        (b"{consider: 1, product: {name: S}}\n", None),  # flow style: only parsing can tell
        (b"- consider: 1\n", None),
        (b"", None),
    ],
)
def test_the_kind_read_from_the_head_of_a_file(head: bytes, kind: FileKind | None) -> None:
    assert head_kind(head) is kind


def test_a_head_that_is_not_the_whole_file_cannot_tell_a_non_spec() -> None:
    assert head_kind(b"openapi: 3.0.0\n", whole=False) is None
    assert head_kind(b"consider: 1\n", whole=False) is FileKind.SPEC


# -- a spec that forgot its key is checked, never passed over ----------------------------------


def test_a_file_with_spec_sections_but_no_consider_key_gets_a_finding_at_its_start(
    run_cli: RunCli, here: Path
) -> None:
    Path("home.yaml").write_text(FORGOT_KEY)
    code, out, err = run_cli("check", "--no-builtin-packs", "--format", "json", "home.yaml")
    assert (code, err) == (1, "")
    assert _findings(out) == [("home.yaml", "missing-required-field", 1, 1, FORGOT_KEY_MESSAGE)]


def test_a_file_with_spec_sections_but_no_consider_key_is_still_checked_by_the_rules(
    run_cli: RunCli, here: Path
) -> None:
    Path("home.yaml").write_text(FORGOT_KEY)
    _, out, _ = run_cli("check", "--format", "json", "home.yaml")
    rules = [finding[1] for finding in _findings(out)]
    assert rules[0] == "missing-required-field"
    assert len(rules) > 1  # the packs ran on it too


@pytest.mark.parametrize("flag", [[], ["--skip-non-specs"]])
def test_a_spec_that_forgot_its_key_is_found_in_a_folder_and_kept_by_skip(
    run_cli: RunCli, here: Path, flag: list[str]
) -> None:
    Path("specs").mkdir()
    Path("specs", "home.yaml").write_text(FORGOT_KEY)
    Path("specs", "openapi.yaml").write_text(OPENAPI)
    code, out, err = run_cli("check", "--no-builtin-packs", "--format", "json", *flag, "specs")
    assert (code, err) == (1, "")
    assert _findings(out) == [
        ("specs/home.yaml", "missing-required-field", 1, 1, FORGOT_KEY_MESSAGE)
    ]


def test_a_folder_finds_a_spec_written_in_flow_style(run_cli: RunCli, here: Path) -> None:
    Path("specs").mkdir()
    Path("specs", "flow.yaml").write_text("{consider: 1, product: {name: S}}\n")
    Path("specs", "list.yaml").write_text("- a\n- b\n")  # parsed to tell, then passed over
    Path("specs", "helm.yaml").write_text(HELM)
    code, out, err = run_cli("check", "--no-builtin-packs", "--format", "json", "specs")
    assert (code, err) == (0, "")
    assert _files(out) == ["specs/flow.yaml"]


# -- --skip-non-specs -------------------------------------------------------------------------


def test_skip_non_specs_passes_over_named_non_specs_without_a_word(
    run_cli: RunCli, here: Path
) -> None:
    Path("openapi-spec.yaml").write_text(OPENAPI)
    Path("helm.yaml").write_text(HELM)  # not even YAML: still no error
    Path("big.yaml").write_text(OPENAPI + "x-pad: " + "a" * 5000 + "\n")  # over the limit
    args = ["--skip-non-specs", "--max-file-size", "1KB", "openapi-spec.yaml", "helm.yaml"]
    assert run_cli("check", "--no-builtin-packs", *args, "big.yaml") == (0, "", "")


def test_skip_non_specs_checks_the_specs_beside_them(run_cli: RunCli, here: Path) -> None:
    Path("a.yaml").write_text(SPEC)
    Path("openapi-spec.yaml").write_text(OPENAPI)
    Path("home.yaml").write_text(FORGOT_KEY)
    code, out, err = run_cli(
        "check", "--no-builtin-packs", "--format", "json", "--skip-non-specs",
        "a.yaml", "openapi-spec.yaml", "home.yaml",
    )  # fmt: skip
    assert (code, err) == (1, "")
    assert _files(out) == ["a.yaml", "home.yaml"]


def test_skip_non_specs_still_reports_a_spec_that_does_not_parse(
    run_cli: RunCli, here: Path
) -> None:
    Path("broken.yaml").write_text(SPEC + "outputs: [\n")
    code, out, err = run_cli("check", "--no-builtin-packs", "--skip-non-specs", "broken.yaml")
    assert (code, out) == (2, "")
    assert err.startswith("consider: broken.yaml:")
    assert err.count("\n") == 1


def test_skip_non_specs_still_reports_a_missing_file(run_cli: RunCli, here: Path) -> None:
    assert run_cli("check", "--no-builtin-packs", "--skip-non-specs", "gone.yaml") == (
        2,
        "",
        "consider: gone.yaml: file not found; check the path\n",
    )


def test_without_skip_a_named_non_spec_keeps_its_finding(run_cli: RunCli, here: Path) -> None:
    Path("openapi-spec.yaml").write_text(OPENAPI)
    code, out, err = run_cli("check", "--no-builtin-packs", "--format", "json", "openapi-spec.yaml")
    assert (code, err) == (1, "")
    assert _findings(out) == [
        ("openapi-spec.yaml", "missing-required-field", 1, 1, NOT_A_SPEC_MESSAGE)
    ]


def test_without_skip_a_named_malformed_non_spec_keeps_its_error(
    run_cli: RunCli, here: Path
) -> None:
    Path("helm.yaml").write_text(HELM)
    code, out, err = run_cli("check", "--no-builtin-packs", "helm.yaml")
    assert (code, out) == (2, "")
    assert err.startswith("consider: helm.yaml:4:")


# -- standard input ---------------------------------------------------------------------------


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_a_dash_reads_a_spec_from_standard_input(
    run_cli: RunCli, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, FORGOT_KEY.encode())
    code, out, err = run_cli("check", "--no-builtin-packs", "--format", "json", "-")
    assert (code, err) == (1, "")
    assert _findings(out) == [("<stdin>", "missing-required-field", 1, 1, FORGOT_KEY_MESSAGE)]


def test_standard_input_beside_files_keeps_its_place(
    run_cli: RunCli, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path("a.yaml").write_text(SPEC)
    Path("b.yaml").write_text(SPEC)
    _stdin(monkeypatch, SPEC.encode())
    code, out, err = run_cli(
        "check", "--no-builtin-packs", "--format", "json", "a.yaml", "-", "b.yaml"
    )
    assert (code, err) == (0, "")
    assert _files(out) == ["a.yaml", "<stdin>", "b.yaml"]


def test_standard_input_is_refused_over_the_size_limit(
    run_cli: RunCli, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, (SPEC + "# " + "x" * 2000 + "\n").encode())
    assert run_cli("check", "--no-builtin-packs", "--max-file-size", "1KB", "-") == (
        2,
        "",
        "consider: <stdin>: the input is over the limit of 1,000 bytes; raise it with "
        "--max-file-size (for example --max-file-size 20MB) if it is meant to be this large\n",
    )


def test_standard_input_that_is_not_utf8_is_one_clear_line(
    run_cli: RunCli, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, b"consider: 1\nproduct: {name: \xe9}\n")
    assert run_cli("check", "--no-builtin-packs", "-") == (
        2,
        "",
        "consider: <stdin>:2:17: not UTF-8 text (byte 0xe9); save the file as UTF-8\n",
    )


def test_standard_input_that_is_no_spec_is_passed_over_with_skip(
    run_cli: RunCli, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, OPENAPI.encode())
    assert run_cli("check", "--no-builtin-packs", "--skip-non-specs", "-") == (0, "", "")


def test_the_console_script_reads_a_piped_spec(here: Path) -> None:
    import subprocess

    script = Path(sys.executable).with_name("consider")
    done = subprocess.run(
        [str(script), "check", "--no-builtin-packs", "--format", "json", "-"],
        input=FORGOT_KEY.encode(),
        capture_output=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (1, b"")
    assert _findings(done.stdout.decode()) == [
        ("<stdin>", "missing-required-field", 1, 1, FORGOT_KEY_MESSAGE)
    ]


def test_a_glob_passes_over_the_non_specs_it_matches(run_cli: RunCli, here: Path) -> None:
    Path("specs").mkdir()
    Path("specs", "a.yaml").write_text(SPEC)
    Path("specs", "openapi.yaml").write_text(OPENAPI)
    Path("specs", "home.yaml").write_text(FORGOT_KEY)
    code, out, err = run_cli("check", "--no-builtin-packs", "--format", "json", "specs/*.yaml")
    assert (code, err) == (1, "")
    assert _files(out) == ["specs/a.yaml", "specs/home.yaml"]


def test_a_file_named_like_standard_input_is_a_file(run_cli: RunCli, here: Path) -> None:
    Path("-").write_text(SPEC)
    code, out, err = run_cli("check", "--no-builtin-packs", "--format", "json", "./-")
    assert (code, err) == (0, "")
    assert _files(out) == ["-"]


def test_skip_non_specs_reports_a_rule_that_fails_on_a_spec(
    run_cli: RunCli, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import consider.check
    from consider.errors import PackError

    def failing(spec: object, rules: object) -> list[object]:
        raise PackError("rule r cannot be evaluated here", path="pack.yaml", line=3)

    monkeypatch.setattr(consider.check, "evaluate", failing)
    Path("flow.yaml").write_text("{consider: 1, product: {name: S}}\n")  # the head cannot tell
    assert run_cli("check", "--skip-non-specs", "flow.yaml") == (
        2,
        "",
        "consider: pack.yaml:3: rule r cannot be evaluated here\n",
    )
