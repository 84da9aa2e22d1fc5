"""Names a rule reads, checked against the spec schema and the facts registry at pack load.

A condition that reads ``retrain.cadance`` is valid JMESPath, but it is always null, so its
rule can never fire (or its question is never answered). That is a rule skipped silently.
Every chain of field names a condition, message, ``answered_by`` or ``at`` path reads from the
entity itself is checked here against the entity kinds the rule is ``for``: the entity's own
fields (through the spec schema), ``_product``'s, the first field under ``_refs``, and the fact
under ``_facts``. A name unknown to every kind of the rule is an error naming the closest one.
Names inside projections and filters are relative to list items and are not checked.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from consider import model
from consider.facts import registry
from consider.text import did_you_mean
from consider.vocabulary import PRODUCT

# Node types whose first child is read in the same context as the node, the rest in the
# context of what that child yields (a list item, a projected value).
_LEFT_ONLY = {
    "index_expression",
    "projection",
    "filter_projection",
    "value_projection",
    "flatten",
    "pipe",
}
# Node types whose every child is read in the same context as the node.
_ALL_CHILDREN = {
    "comparator",
    "and_expression",
    "or_expression",
    "not_expression",
    "function_expression",
    "multi_select_list",
    "multi_select_hash",
    "key_val_pair",
}


def problem(parsed: Any, kinds: Sequence[str]) -> str | None:
    """What is wrong with the names ``parsed`` (a JMESPath AST) reads, or None."""
    for chain in root_chains(parsed):
        found = [_chain_problem(chain, kind) for kind in kinds]
        if all(found):
            return found[0]
    return None


def root_chains(node: Any) -> Iterator[list[str]]:
    """Chains of field names read from the root (the entity), outermost first."""
    todo = [node]
    while todo:
        current = todo.pop()
        if not isinstance(current, dict):
            continue
        kind = current.get("type")
        children = current.get("children") or []
        if kind == "field":
            yield [str(current["value"])]
        elif kind == "subexpression":
            chain: list[str] = []
            for child in children:
                if isinstance(child, dict) and child.get("type") == "field":
                    chain.append(str(child["value"]))
                    continue
                if not chain:
                    todo.append(child)  # (a || b).c, f(x).c: check what is inside
                break
            if chain:
                yield chain
        elif kind in _LEFT_ONLY:
            if children:
                todo.append(children[0])
        elif kind in _ALL_CHILDREN:
            todo.extend(children)


@cache
def _facts_by_kind() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for definition in registry():
        found.setdefault(definition.kind, set()).add(definition.name)
    return {kind: frozenset(names) for kind, names in found.items()}


def _entity_shape(kind: str) -> Any:
    root = model.spec_shape()
    if kind == PRODUCT:
        return root.properties.get(PRODUCT)
    collection = _unwrap(root.properties.get(kind))
    if isinstance(collection, model.ObjectShape):
        for pattern, shape in collection.patterns:
            if not pattern.pattern.startswith("^x-"):
                return shape
    return None


def _unwrap(shape: Any) -> Any:
    while isinstance(shape, model.ChoiceShape) and len(shape.options) == 1:
        shape = shape.options[0]
    return shape


def _close(name: str, options: Sequence[str]) -> str:
    return did_you_mean(name, options)


def _chain_problem(chain: list[str], kind: str) -> str | None:
    head = chain[0]
    if head.startswith("x-") or chain == ["null"]:
        return None  # a bare `null` reads a field that is never there: null, as meant
    if chain in (["true"], ["false"]):
        return f"a bare '{head}' reads a field named {head}, which is null; write `{head}`"
    if head in ("_id", "_kind"):
        return None if len(chain) == 1 else f"'{head}' is text and has no field '{chain[1]}'"
    if head == "_facts":
        if len(chain) < 2:
            return None
        names = _facts_by_kind().get(kind, frozenset())
        if chain[1] in names:
            return None
        return f"there is no fact '_facts.{chain[1]}' for {kind}{_close(chain[1], sorted(names))}"
    if head == "_product":
        return _walk(chain[1:], _entity_shape(PRODUCT), "_product")
    if head == "_refs":
        return _walk(chain[1:2], _entity_shape(kind), f"_refs (of {kind})")
    return _walk(chain, _entity_shape(kind), kind)


def _walk(names: list[str], shape: Any, where: str) -> str | None:
    path = where
    for name in names:
        shape = _unwrap(shape)
        if name.startswith("x-"):
            return None
        objects = (
            [shape]
            if isinstance(shape, model.ObjectShape)
            else (
                [_unwrap(o) for o in shape.options] if isinstance(shape, model.ChoiceShape) else []
            )
        )
        objects = [o for o in objects if isinstance(o, model.ObjectShape)]
        if not objects:
            if (
                shape is None
                or isinstance(shape, model.LeafShape)
                or (isinstance(shape, model.UnitShape) and shape.name == "schedule")
            ):
                return None  # nothing known below this point
            what = (
                f"a {shape.name} (a number once normalised)"
                if isinstance(shape, model.UnitShape)
                else "not a mapping"
            )
            return f"'{path}' is {what}, so it has no field '{name}'"
        for candidate in objects:
            if name in candidate.properties:
                shape = candidate.properties[name]
                break
            if candidate.additional is not None or any(
                not p.pattern.startswith("^x-") for p, _ in candidate.patterns
            ):
                return None  # an open mapping: any key may be there
        else:
            known = sorted({key for o in objects for key in o.properties})
            return f"'{path}' has no field '{name}'{_close(name, known)}"
        path = f"{path}.{name}"
    return None
