"""Pack-format behaviours a pack author meets: braces, ids beside the built-ins, wrong files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES

from consider.engine import load_pack
from consider.errors import PackError

PACK = """\
pack: mine
title: Mine
risks:
  - id: {rule}
    title: R
    for: outputs
    when: "mode == 'online'"
    severity: warning
    message: "{message}"
    why: w
    fix: f
"""


def _write(tmp_path: Path, *, rule: str = "mine-online", message: str = "m") -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(PACK.replace("{rule}", rule).replace("{message}", message), "utf-8")
    return path


def test_doubled_braces_print_literal_braces(tmp_path: Path) -> None:
    pack = load_pack(_write(tmp_path, message="{_id} has {{}} and {{mode}}"))
    assert pack.risks[0].message.render({"_id": "home"}) == "home has {} and {mode}"


@pytest.mark.parametrize("message", ["every {retrain.cadence|duration", "{_id)", "a } b"])
def test_a_stray_brace_is_refused(tmp_path: Path, message: str) -> None:
    with pytest.raises(PackError, match="a brace that opens or closes no placeholder"):
        load_pack(_write(tmp_path, message=message))


def test_validate_checks_ids_against_the_built_in_packs(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    path = _write(tmp_path, rule="realtime-without-fallback")
    code, out, err = run_cli("rules", "validate", str(path))
    assert (code, out) == (2, "")
    assert "rule id 'realtime-without-fallback' is already used in" in err
    assert run_cli("rules", "validate", "--no-builtin-packs", str(path))[0] == 0


def test_a_spec_given_as_a_pack_is_named_as_such(run_cli: Callable[..., Any]) -> None:
    code, out, err = run_cli("rules", "validate", str(EXAMPLES / "weekly-digest.yaml"))
    assert (code, out) == (2, "")
    assert err.endswith(
        "weekly-digest.yaml: this is a spec, not a rule pack; check it with "
        "`consider check`, and give --pack a pack file (see docs/packs.md)\n"
    )


def test_a_field_of_your_own_can_answer_a_question(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    pack = tmp_path / "oncall.yaml"
    pack.write_text(
        "pack: mine\ntitle: Mine\nquestions:\n  - id: oncall\n    title: On call\n"
        "    for: outputs\n    ask: 'Who is on call for {_id}?'\n"
        "    answered_by: [x-oncall]\n    why: w\n",
        "utf-8",
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "consider: 1\nproduct: {name: P}\noutputs:\n  a: {x-oncall: team-a}\n  b: {}\n"
        "  c: {x-oncall: tbd}\n",
        "utf-8",
    )
    code, out, _ = run_cli("check", "--no-builtin-packs", "--pack", pack, "--format", "json", spec)
    import json

    found = [
        (f["message"], f["line"], f["column"], f["status"])
        for f in json.loads(out)["files"][0]["findings"]
    ]
    assert (code, found) == (
        0,
        [("Who is on call for b?", 5, 3, "open"), ("Who is on call for c?", 6, 7, "acknowledged")],
    )


def test_validate_refuses_a_pack_id_the_built_in_packs_use(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(
        PACK.replace("pack: mine", "pack: realtime")
        .replace("{rule}", "mine-x")
        .replace("{message}", "m"),
        "utf-8",
    )
    code, out, err = run_cli("rules", "validate", str(path))
    assert (code, out) == (2, "")
    assert "pack id 'realtime' is also used by" in err


def test_validate_refuses_a_broken_phrase_table(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    path = tmp_path / "phrases.yaml"
    path.write_text("pack: mine\ntitle: Mine\nx-phrases: [{phrase: instantly}]\n", "utf-8")
    assert run_cli("rules", "validate", str(path)) == (
        2,
        "",
        f"consider: {path}:3:1: x-phrases[0] ('instantly') names no figure: give "
        "freshness, latency, schedule or deadline\n",
    )


def test_a_condition_nested_too_deeply_is_a_pack_error(tmp_path: Path) -> None:
    deep = "(" * 3000 + "mode" + ")" * 3000
    path = tmp_path / "deep.yaml"
    path.write_text(
        PACK.replace("mode == 'online'", deep).replace("{rule}", "r").replace("{message}", "m"),
        "utf-8",
    )
    with pytest.raises(PackError, match="nests too deeply to compile"):
        load_pack(path)


def test_a_risk_without_when_fires_on_every_entity_of_its_kind(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    path = tmp_path / "always.yaml"
    path.write_text(
        PACK.replace("    when: \"mode == 'online'\"\n", "")
        .replace("{rule}", "r")
        .replace("{message}", "{_id} needs an owner"),
        "utf-8",
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text("consider: 1\nproduct: {name: P}\noutputs:\n  a: {}\n  b: {}\n", "utf-8")
    code, out, _ = run_cli("check", "--no-builtin-packs", "--pack", path, "--format", "json", spec)
    import json

    assert code == 0  # warnings, under the default --fail-on error
    assert [f["message"] for f in json.loads(out)["files"][0]["findings"]] == [
        "a needs an owner",
        "b needs an owner",
    ]
