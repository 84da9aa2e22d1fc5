"""Where the built-in packs and the schemas are, installed or run from a checkout."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # A wheel carries rules/, schemas/ and examples/ inside the package; a checkout (or an editable
    # install) has them beside it, at the repository's root.
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def rules_dir() -> Path:
    """The folder of the built-in rule packs."""
    return _data_dir("rules")


def schemas_dir() -> Path:
    """The folder of the published JSON Schemas."""
    return _data_dir("schemas")


def examples_dir() -> Path:
    """The folder of the bundled example specs (``consider init --example``)."""
    return _data_dir("examples")


def template_path() -> Path:
    """The template of a new spec (``consider init``); it lives inside the package."""
    return _PACKAGE / "templates" / "new-spec.yaml"


def builtin_pack_paths() -> list[Path]:
    """The built-in packs, in a stable order."""
    return sorted(rules_dir().glob("*.yaml"))


@cache
def schema(name: str) -> dict[str, Any]:
    """One of the published schemas (``spec``, ``rulepack``, ``report``), parsed once."""
    with (schemas_dir() / f"{name}.schema.json").open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded
