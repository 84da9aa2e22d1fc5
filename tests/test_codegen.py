"""The generated validators must match the schemas they were generated from."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from consider import codegen
from consider.resources import schemas_dir


@pytest.mark.parametrize("name", codegen.SCHEMAS)
def test_generated_validator_is_up_to_date(name: str) -> None:
    schema = json.loads((schemas_dir() / f"{name}.schema.json").read_text("utf-8"))
    generated = (ROOT / "consider" / "_validators" / f"{name}.py").read_text("utf-8")
    assert generated == codegen.generate(name, schema), (
        "run `python -m consider.codegen` after editing the schema"
    )
