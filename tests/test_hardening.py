"""Every attack of issue 13 is answered with exit 0, 1 or 2 and one clear line, never a
traceback, a hang or a blow-up (each run guarded by a timeout and an address-space limit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from attacks import ATTACKS, Attack
from guard import run


def _no_nan(text: str) -> float:
    raise AssertionError(f"{text} in strict JSON")


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_an_attack_is_answered_with_one_clear_line(attack: Attack, tmp_path: Path) -> None:
    outcome = run(*attack.build(tmp_path))
    assert outcome.code in attack.codes, (outcome.code, outcome.err[-500:])
    assert "Traceback" not in outcome.err
    assert attack.says in outcome.out + outcome.err
    for line in outcome.err.splitlines():
        assert len(line) < 1000, line[:200]
        assert not line.startswith("::"), line
    assert "\x1b" not in outcome.out + outcome.err
    if outcome.code == 2 and not attack.name.startswith("max-file-size"):
        assert len(outcome.err.splitlines()) == 1, outcome.err
    if "--format" in attack.build.__code__.co_consts or attack.name.startswith("nan"):
        json.loads(outcome.out, parse_constant=_no_nan)


def test_a_5000_digit_scalar_is_not_echoed_in_full(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "consider: 1\nproduct: {name: A, owner: t, tier: " + "9" * 5000 + "}\n", encoding="utf-8"
    )
    outcome = run("check", "--format", "json", str(spec))
    assert outcome.code == 1
    assert "9" * 100 not in outcome.out
    assert "product.tier must be a whole number" in outcome.out


def test_line_and_paragraph_separators_are_escaped() -> None:
    from consider.report import one_line, printable

    assert printable("a\u2028b\u2029c\nd") == "a\\u2028b\\u2029c\nd"
    assert one_line("a\nb\u2028c") == "a\\nb\\u2028c"


def test_an_id_ending_in_a_newline_is_invalid_for_both_validators() -> None:
    import jsonschema

    from consider._validators import rulepack as generated
    from consider.resources import schema

    pack = {
        "pack": "p\n",
        "title": "t",
    }
    assert list(jsonschema.Draft7Validator(schema("rulepack")).iter_errors(pack))
    with pytest.raises(generated.JsonSchemaValueException):
        generated.validate(pack)
