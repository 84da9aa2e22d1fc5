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


def _mappings(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every mapping in ``data``."""
    found = [path] if isinstance(data, dict) else []
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        found += _mappings(value, (*path, key))
    return found


def _with_key(data: Any, path: tuple[Any, ...], key: str) -> Any:
    """A copy of ``data`` whose mapping at ``path`` has ``key`` too."""
    if not path:
        return {**data, key: "written by hand"}
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _with_key(data[path[0]], path[1:], key)
    return copy


@pytest.mark.parametrize("key", ["x-own-note", "unknown_key", "x"])
def test_a_key_added_to_any_mapping_is_judged_as_jsonschema_judges_it(key: str) -> None:
    # The validator looks for the writer's own keys (x-...) only among the keys its schema
    # does not name (tools/codegen.py, _OwnKeysLeftOver): each mapping of a full example in
    # turn gets one more key, own or unknown, and both validators must say the same.
    loaded = load(ROOT / "examples" / "sound-search-ranking.yaml", limits=Limits()).data
    data = strip_tbd(loaded, "", set())
    reference = jsonschema.Draft7Validator(schema("spec"))
    paths = _mappings(data)
    assert len(paths) > 50
    verdicts = set()
    for path in paths:
        changed = _with_key(data, path, key)
        expected = reference.is_valid(changed)
        assert _generated_accepts(spec, changed) == expected, path
        verdicts.add(expected)
    # Every mapping of this spec is closed: an own key is welcome in each, an unknown in none.
    assert verdicts == {key.startswith("x-")}


def test_own_keys_are_searched_for_only_where_entries_are_validated_too() -> None:
    # tools/codegen.py rewrites the loops that only strike x- keys; what is left searches
    # for them beside an id pattern whose entries it validates. If fastjsonschema changed
    # the shape of those loops, the rewrite would silently stop applying: this counts.
    for module in ("spec", "rulepack", "config"):
        source = (ROOT / "consider" / "_validators" / f"{module}.py").read_text("utf-8")
        own = source.count("REGEX_PATTERNS['^x-']")
        assert own == source.count("REGEX_PATTERNS['^(?!x-)"), module
