"""The spec reference in docs/ is generated from the spec schema and kept in step with it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import pytest
import yaml

from consider.vocabulary import UNIT_NAMES
from tools.docsgen import EXAMPLE_SPEC

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schemas" / "spec.schema.json"
DOCS_PATH = ROOT / "docs" / "spec.md"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def _nodes(node: Any, pointer: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object in ``node`` with its JSON pointer."""
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            # values, and constraints that document no field of their own
            if key in ("examples", "const", "enum", "default", "if", "then", "else", "not"):
                continue
            yield from _nodes(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(value, f"{pointer}/{index}")


def test_every_property_has_a_description(schema: dict[str, Any]) -> None:
    missing = [
        f"{pointer}/properties/{name}"
        for pointer, node in _nodes(schema)
        for name, prop in (node.get("properties") or {}).items()
        if not str(prop.get("description", "")).strip()
    ]
    assert missing == []


def test_every_definition_has_a_title_and_a_description(schema: dict[str, Any]) -> None:
    missing = [
        name
        for name, definition in schema["definitions"].items()
        if not definition.get("title") or not definition.get("description")
    ]
    assert missing == []


def test_every_object_is_strict_and_allows_x_keys(schema: dict[str, Any]) -> None:
    loose = [
        pointer
        for pointer, node in _nodes(schema)
        if node.get("type") == "object"
        and (
            node.get("additionalProperties") is not False
            or "^x-" not in node.get("patternProperties", {})
        )
    ]
    assert loose == []


def test_unit_and_reference_definitions_follow_the_convention(schema: dict[str, Any]) -> None:
    definitions = schema["definitions"]
    assert set(UNIT_NAMES) <= set(definitions)
    for name, definition in definitions.items():
        if name == "ref" or name.startswith("ref_"):
            assert definition["type"] == "string", name
            assert definition["pattern"].startswith("^"), name
            assert set(definition) <= {"title", "description", "type", "pattern", "examples"}


def test_schema_is_valid_draft_07(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    fastjsonschema.compile(schema)


def test_example_spec_is_valid(schema: dict[str, Any]) -> None:
    example = yaml.safe_load(EXAMPLE_SPEC)
    errors = [error.message for error in jsonschema.Draft7Validator(schema).iter_errors(example)]
    assert errors == []
    fastjsonschema.compile(schema)(example)


def test_schema_rejects_unknown_keys_but_keeps_x_keys(schema: dict[str, Any]) -> None:
    example = yaml.safe_load(EXAMPLE_SPEC)
    example["x-notes"] = "ours"
    example["outputs"]["home-rows"]["x-dashboard"] = "https://example.invalid"
    example["outputs"]["x-draft"] = {"anything": True}
    validator = jsonschema.Draft7Validator(schema)
    assert list(validator.iter_errors(example)) == []
    example["outputs"]["home-rows"]["modee"] = "online"
    assert [list(error.path) for error in validator.iter_errors(example)] == [
        ["outputs", "home-rows"]
    ]
