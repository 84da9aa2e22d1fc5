"""The generated validators (consider/_validators/, the fast path of a clean run) agree with
jsonschema, the reference, on every spec and pack under tests/, examples/ and rules/: a
document the one accepts, the other accepts too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import ROOT

from consider._validators import rulepack, spec
from consider.errors import InputError
from consider.loader import Limits, load
from consider.resources import schema
from consider.tbd import strip_tbd

FILES = sorted(
    path
    for folder in ("tests", "examples", "rules")
    for pattern in ("*.yaml", "*.yml")
    for path in (ROOT / folder).rglob(pattern)
)


def _generated_accepts(module: Any, data: Any) -> bool:
    try:
        module.validate(data)
    except module.JsonSchemaValueException:
        return False
    return True


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_generated_validator_agrees_with_jsonschema(path: Path) -> None:
    try:
        document = load(path, display=str(path), limits=Limits())
    except InputError:
        pytest.skip("not readable YAML (a hostile or malformed case)")
    data = document.data
    if isinstance(data, dict) and "pack" in data:
        module, name = rulepack, "rulepack"
    elif isinstance(data, dict) and "consider" in data:
        module, name = spec, "spec"
        data = strip_tbd(data, "", set())  # as validation sees it
    else:
        pytest.skip("neither a spec nor a pack")
    reference = jsonschema.Draft7Validator(schema(name)).is_valid(data)
    assert _generated_accepts(module, data) == reference


def test_there_are_specs_and_packs_to_compare() -> None:
    assert len(FILES) > 50


def test_unit_texts_accepted_are_remembered_within_a_bound_and_refused_ones_never() -> None:
    check, remembered = spec.validate___definitions_duration, spec._VALID_duration
    for seconds in range(spec._MEMO_SIZE + 1000):  # more distinct texts than it keeps
        check(f"{seconds}s")
    assert len(remembered) == spec._MEMO_SIZE
    for _ in range(2):  # refused each time: a refused text is never remembered
        with pytest.raises(spec.JsonSchemaValueException):
            check("5 minutes")
    with pytest.raises(spec.JsonSchemaValueException):
        check(["5m"])  # not a string, and unhashable: refused, never looked up
    assert "5 minutes" not in remembered
