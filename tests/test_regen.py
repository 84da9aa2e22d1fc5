"""Every generated file is up to date: the fast validators (from schemas/), the facts
index, docs/spec.md, docs/rules/, docs/facts.md and the README's picture of the output.
``python -m tools.regen`` rewrites them all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT

from tools import codegen, factindex
from tools.regen import generated_docs

STALE = "is out of date: run `python -m tools.regen`"


@pytest.mark.parametrize("name", codegen.SCHEMAS)
def test_generated_validator_is_up_to_date(name: str) -> None:
    schema = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text("utf-8"))
    generated = (ROOT / "consider" / "_validators" / f"{name}.py").read_text("utf-8")
    assert generated == codegen.generate(name, schema), f"consider/_validators/{name}.py {STALE}"


def test_facts_index_is_up_to_date() -> None:
    """Every fact of consider/facts/ is in the index a check uses to import only its module."""
    written = (ROOT / factindex.PATH).read_text("utf-8")
    assert written == factindex.generate(), f"{factindex.PATH} {STALE}"


def test_generated_docs_are_up_to_date() -> None:
    stale = [
        str(path.relative_to(ROOT))
        for path, expected in generated_docs().items()
        if Path(path).read_text(encoding="utf-8") != expected
    ]
    assert stale == [], f"{', '.join(stale)} {STALE}"


def test_docs_rules_holds_only_generated_pages() -> None:
    generated = {path.name for path in generated_docs() if path.parent == ROOT / "docs" / "rules"}
    assert {path.name for path in (ROOT / "docs" / "rules").iterdir()} == generated
    assert not (ROOT / "docs" / "rules.md").exists(), "docs/rules/ replaced docs/rules.md"


def test_the_generated_validators_name_values_with_f_strings() -> None:
    """Each nested value's name is built before it is validated: an f-string, not a
    format(**locals()) call per list item and mapping entry."""
    for path in (ROOT / "consider" / "_validators").glob("*.py"):
        assert "format(**locals())" not in path.read_text("utf-8"), path.name
