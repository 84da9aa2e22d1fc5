"""Facts: figures computed in Python and offered to rule conditions as ``_facts``.

Conditions compare; facts compute. JMESPath has no arithmetic, so anything that adds
durations along a path, multiplies availabilities or follows links backwards is a fact: a
function registered here with :func:`fact`, unit-tested, and named in ``_facts`` for the
entity kinds it describes. A new risk over existing facts is then a YAML change only.

Every module of this package is a group of facts; each registers its own on import, and
:func:`registry` imports them all, in name order.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from consider.model import Spec

FactFunction = Callable[["Spec"], Mapping[str, Any]]
"""Computes one fact for every entity of a kind: entity id → value (absent: no value)."""


class FactDef(NamedTuple):
    """A registered fact: its name under ``_facts``, the kind it describes, how it is made."""

    name: str
    kind: str
    doc: str
    compute: FactFunction
    module: str


_FACTS: list[FactDef] = []


def fact(name: str, *, kind: str, doc: str) -> Callable[[FactFunction], FactFunction]:
    """Register ``function`` as the fact ``_facts.<name>`` of entities of ``kind``.

    ``kind`` is a collection name (``outputs``) or ``product``; for the product, the returned
    mapping is keyed by ``"product"``.
    """

    def register(function: FactFunction) -> FactFunction:
        _FACTS.append(FactDef(name, kind, doc, function, function.__module__))
        return function

    return register


@cache
def registry() -> tuple[FactDef, ...]:
    """Every fact, its module imported; in a stable order (kind, then name)."""
    names = {name[:-3] for folder in __path__ for name in os.listdir(folder)
             if name.endswith(".py") and not name.startswith("_")}
    for module in sorted(names):
        importlib.import_module(f"{__name__}.{module}")
    seen: dict[tuple[str, str], FactDef] = {}
    for definition in _FACTS:
        key = (definition.kind, definition.name)
        if key in seen and seen[key].compute is not definition.compute:
            raise RuntimeError(f"fact {definition.kind}._facts.{definition.name} is defined twice")
        seen[key] = definition
    return tuple(sorted(seen.values(), key=lambda d: (d.kind, d.name)))


def compute(spec: Spec, kinds: set[str] | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """All facts for ``spec``: (kind, entity id) → {fact name: value}."""
    facts: dict[tuple[str, str], dict[str, Any]] = {}
    for definition in registry():
        if kinds is not None and definition.kind not in kinds:
            continue
        for ident, value in definition.compute(spec).items():
            facts.setdefault((definition.kind, ident), {})[definition.name] = value
    return facts
