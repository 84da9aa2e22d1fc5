"""The validated spec as typed entities: units normalised, references resolved.

The schema says which fields carry units and references (a ``$ref`` to a unit definition
such as ``#/definitions/duration``, or to ``ref``/``ref_<kind>``), so the model walks the data
and the schema together: durations become seconds, percentages fractions, rates per-second
figures, sizes bytes, counts numbers. No field list is kept twice.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator, Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from consider.engine_rules import schema_finding
from consider.findings import Finding
from consider.lazy import LazyMapping, as_plain_dict
from consider.loader import Document
from consider.records import Record
from consider.resources import schema
from consider.schema import Validation
from consider.text import closest, escape_pointer_token
from consider.units import PARSERS
from consider.vocabulary import COLLECTIONS, PREFIX_OF, PRODUCT, REF_PREFIX

Token = str | int


# -- shapes: the schema, compiled to what normalisation needs ---------------------------------

# Plain slotted classes: made once per schema node, and cheaper to define at import than
# dataclasses (start-up is measured; see bench/startup.py).


class UnitShape:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class RefShape:
    __slots__ = ()


class ObjectShape:
    __slots__ = ("additional", "open", "patterns", "properties", "special")

    def __init__(
        self,
        properties: dict[str, Any],
        patterns: list[tuple[re.Pattern[str], Any]],
        additional: Any,
    ) -> None:
        self.properties = properties
        self.patterns = patterns
        self.additional = additional
        self.special: dict[str, Any] = {}
        self.open = True
        self.settle()

    def settle(self) -> None:
        """What normalising looks at: the properties that are not leaves (units,
        references, nested objects and lists), and whether a key the properties do not
        name (``x-`` fields, ids) can hold anything but a leaf."""
        self.special = {k: v for k, v in self.properties.items() if v is not _LEAF}
        self.open = any(sub is not _LEAF for _, sub in self.patterns) or (
            self.additional is not None and self.additional is not _LEAF
        )


class ArrayShape:
    __slots__ = ("items",)

    def __init__(self, items: Any) -> None:
        self.items = items


class ChoiceShape:
    __slots__ = ("options",)

    def __init__(self, options: list[Any] | None = None) -> None:
        self.options: list[Any] = options if options is not None else []


class LeafShape:
    __slots__ = ()


_LEAF = LeafShape()


class _Shapes:
    """Compiles schema nodes to shapes, once per definition (definitions may recurse)."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.definitions: dict[str, Any] = root.get("definitions", {})
        self.compiled: dict[str, Any] = {}
        self.root = _unwrapped(self.compile(root), set())

    def compile(self, node: Any) -> Any:
        if not isinstance(node, dict):
            return _LEAF
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            name = ref.rsplit("/", 1)[-1]
            if name in PARSERS:
                return UnitShape(name)
            if name == "ref" or name.startswith("ref_"):
                return RefShape()
            if name not in self.compiled:
                placeholder = ChoiceShape()
                self.compiled[name] = placeholder
                placeholder.options.append(self.compile(self.definitions.get(name, {})))
            return self.compiled[name]
        for key in ("oneOf", "anyOf", "allOf"):
            if key in node:
                return ChoiceShape([self.compile(option) for option in node[key]])
        if "properties" in node or "patternProperties" in node or node.get("type") == "object":
            additional = node.get("additionalProperties")
            return ObjectShape(
                properties={k: self.compile(v) for k, v in node.get("properties", {}).items()},
                patterns=[
                    (re.compile(p), self.compile(v))
                    for p, v in node.get("patternProperties", {}).items()
                ],
                additional=self.compile(additional) if isinstance(additional, dict) else None,
            )
        if "items" in node:
            return ArrayShape(self.compile(node["items"]))
        return _LEAF


def _unwrapped(shape: Any, seen: set[int]) -> Any:
    """``shape`` with each definition's one-option choice (a ``$ref``) replaced by that
    option, below it too, so that normalising does not pass through the choice every time.
    A choice of a unit keeps its choice: a unit that refuses a value keeps the value there.
    Definitions may recurse, so each shape is visited once."""
    while (
        type(shape) is ChoiceShape
        and len(shape.options) == 1
        and type(shape.options[0]) is not UnitShape
    ):
        shape = shape.options[0]
    if id(shape) in seen:
        return shape
    seen.add(id(shape))
    if type(shape) is ObjectShape:
        shape.properties = {k: _unwrapped(v, seen) for k, v in shape.properties.items()}
        shape.patterns = [(p, _unwrapped(v, seen)) for p, v in shape.patterns]
        if shape.additional is not None:
            shape.additional = _unwrapped(shape.additional, seen)
        shape.settle()
    elif type(shape) is ArrayShape:
        shape.items = _unwrapped(shape.items, seen)
    elif type(shape) is ChoiceShape:
        shape.options = [_unwrapped(option, seen) for option in shape.options]
    return shape


@cache
def spec_shape() -> Any:
    """The spec schema compiled to shapes: what normalisation and name checks walk."""
    return _Shapes(schema("spec")).root


_MISSING = object()
_UNREADABLE = object()
"""A unit value its parser refuses, as the memo of :class:`_Normaliser` keeps it."""


class _Normaliser:
    """Normalises one spec's values against the shapes, and collects its references.

    A spec writes the same few unit values (``5m``, ``99.9%``) thousands of times: each
    distinct (unit, value) is parsed once per build; the results are numbers, so sharing
    them is safe.
    """

    __slots__ = ("parsed",)

    def __init__(self) -> None:
        self.parsed: dict[tuple[str, type, Any], Any] = {}

    def unit(self, name: str, value: Any) -> Any:
        """``value`` read as the unit ``name``, or :data:`_UNREADABLE`."""
        kind = type(value)
        memo = kind is str or kind is int or kind is float
        if memo:  # the type is in the key: True == 1, but a count refuses True
            key = (name, kind, value)
            found = self.parsed.get(key, _MISSING)
            if found is not _MISSING:
                return found
        try:
            result = PARSERS[name](value)
        except (ValueError, KeyError, TypeError, ArithmeticError):
            result = _UNREADABLE
        if memo:
            self.parsed[key] = result
        return result

    def accepts(self, shape: Any, value: Any) -> bool:
        kind = type(shape)
        if kind is ChoiceShape:
            return any(self.accepts(option, value) for option in shape.options)
        if kind is ObjectShape:
            return isinstance(value, dict)
        if kind is ArrayShape:
            return isinstance(value, list)
        if kind is RefShape:
            return isinstance(value, str)
        if kind is UnitShape:
            return self.unit(shape.name, value) is not _UNREADABLE
        return True

    def normalise(
        self,
        value: Any,
        shape: Any,
        path: tuple[Token, ...],
        refs: list[tuple[tuple[Token, ...], str]],
    ) -> Any:
        kind = type(shape)
        if kind is ObjectShape:
            if not isinstance(value, dict):
                return value
            # Only the fields that can change are looked at (units, references, nested
            # objects and lists): the mapping is copied at the first that does, and shared
            # as loaded when none does (the model never changes what it holds).
            result = None
            special, properties, is_open = shape.special, shape.properties, shape.open
            for key, item in value.items():
                sub = special.get(key)
                if sub is None:
                    if not is_open or key in properties:
                        continue  # a leaf: text, a number, a flag
                    sub = next((s for p, s in shape.patterns if p.search(key)), shape.additional)
                    if sub is None or sub is _LEAF:
                        continue
                field_kind = type(sub)
                if field_kind is UnitShape:
                    parsed = self.unit(sub.name, item)
                    normalised = None if parsed is _UNREADABLE else parsed
                elif field_kind is RefShape:
                    if isinstance(item, str):
                        refs.append(((*path, key), item))
                    continue
                else:
                    normalised = self.normalise(item, sub, (*path, key), refs)
                if normalised is not item:
                    if result is None:
                        result = dict(value)
                    result[key] = normalised
            return value if result is None else result
        if kind is ChoiceShape:  # one-option choices (most $refs) were unwrapped already
            for option in shape.options:
                if self.accepts(option, value):
                    return self.normalise(value, option, path, refs)
            return value
        if kind is UnitShape:
            parsed = self.unit(shape.name, value)
            return None if parsed is _UNREADABLE else parsed
        if kind is RefShape:
            if isinstance(value, str):
                refs.append((path, value))
            return value
        if kind is ArrayShape:
            if not isinstance(value, list):
                return value
            items = shape.items
            if items is _LEAF:
                return value  # shared, as a mapping with nothing normalised is
            if type(items) is RefShape:  # a list of references (inputs_from): collected
                refs.extend(
                    ((*path, i), item) for i, item in enumerate(value) if isinstance(item, str)
                )
                return value
            normalised = [
                self.normalise(item, items, (*path, i), refs) for i, item in enumerate(value)
            ]
            return normalised if any(map(operator.is_not, normalised, value)) else value
        return value


# -- the model --------------------------------------------------------------------------------


class Entity(Record):
    """One entity of the spec (an output, an SLO, a model, ...), units normalised."""

    kind: str
    id: str
    pointer: str
    fields: dict[str, Any]
    raw: Any
    refs: list[tuple[tuple[Token, ...], str]]
    ref: str
    """The typed reference that names this entity, such as ``output:home-rows``: made once,
    as the facts read it hundreds of thousands of times on a large spec."""

    def view(self) -> dict[str, Any]:
        """The entity's fields with ``_id`` and ``_kind``, as a condition sees a referenced one."""
        return {**self.fields, "_id": self.id, "_kind": self.kind}


class Reference(Record):
    """A typed reference as written: where, to what, and what it resolved to."""

    source: Entity
    path: tuple[Token, ...]
    target: str
    resolved: Entity | None

    @property
    def pointer(self) -> str:
        """JSON pointer of the place the reference is written."""
        return self.source.pointer + "".join(f"/{escape_pointer_token(str(t))}" for t in self.path)


class Spec(Record):
    """A whole spec: the product, the entities by kind, references, and what was tbd.

    Not changed once built: what is computed from it (the lineage graph, facts) is kept by
    an analysis of it (``consider.analysis.Analysis``), not on it."""

    document: Document
    product: dict[str, Any]
    product_raw: Any
    collections: dict[str, dict[str, Entity]]
    references: tuple[Reference, ...]
    tbd: frozenset[str]
    findings: tuple[Finding, ...]
    """The schema findings and the dangling references."""
    is_spec: bool = True
    """False for a file that is not a spec at all (no top-level ``consider`` key)."""
    by_ref: Mapping[str, Entity] = MappingProxyType({})
    """Every entity by its typed reference (``output:home-rows``): what ``resolve`` reads,
    a few hundred thousand times on a large spec."""

    def entities(self, kind: str) -> Iterator[Entity]:
        """The entities of one kind, in the order they were written."""
        return iter(self.collections.get(kind, {}).values())

    def all_entities(self) -> Iterator[Entity]:
        """Every entity, kind by kind."""
        for kind in COLLECTIONS:
            yield from self.entities(kind)

    def resolve(self, ref: str) -> Entity | None:
        """The entity a typed reference names, or None."""
        return self.by_ref.get(ref)


def build(document: Document, validation: Validation) -> Spec:
    """Normalise and link a validated spec."""
    shape = spec_shape()
    normalise = _Normaliser().normalise
    data = validation.data
    product_shape = shape.properties.get(PRODUCT) if isinstance(shape, ObjectShape) else None
    written_product = data.get(PRODUCT)
    product_raw: dict[str, Any] = written_product if isinstance(written_product, dict) else {}
    product: dict[str, Any] = (
        normalise(product_raw, product_shape, (), []) if product_shape else dict(product_raw)
    )
    collections: dict[str, dict[str, Entity]] = {}
    for kind in COLLECTIONS:
        written = data.get(kind)
        if not isinstance(written, dict):
            continue
        collection_shape = shape.properties.get(kind) if isinstance(shape, ObjectShape) else None
        found: dict[str, Entity] = {}
        prefix = PREFIX_OF.get(kind, kind)
        for ident, body in written.items():
            if ident.startswith("x-") or not isinstance(body, dict):
                continue
            entity_shape = _entity_shape(collection_shape, ident)
            refs: list[tuple[tuple[Token, ...], str]] = []
            fields = normalise(body, entity_shape, (), refs) if entity_shape else dict(body)
            found[ident] = Entity(
                kind,
                ident,
                f"/{kind}/{escape_pointer_token(ident)}",
                fields,
                body,
                refs,
                f"{prefix}:{ident}",
            )
        collections[kind] = found
    by_ref = {entity.ref: entity for found in collections.values() for entity in found.values()}
    linked = Spec(
        document,
        product,
        product_raw,
        collections,
        (),
        validation.tbd,
        (),
        validation.is_spec,
        by_ref,  # a plain dict: a proxy's get is a method call, several times slower
    )
    references: list[Reference] = []
    findings = list(validation.findings)
    for entity in linked.all_entities():
        for path, target in entity.refs:
            reference = Reference(entity, path, target, linked.resolve(target))
            references.append(reference)
            if reference.resolved is None:
                findings.append(_dangling(linked, reference))
    return linked._replace(references=tuple(references), findings=tuple(findings))


def _entity_shape(collection: Any, ident: str) -> Any:
    if not isinstance(collection, ObjectShape):
        return None
    for pattern, sub in collection.patterns:
        if pattern.search(ident):
            return sub
    return collection.additional


def _dangling(spec: Spec, reference: Reference) -> Finding:
    prefix, _, ident = reference.target.partition(":")
    kind = REF_PREFIX.get(prefix, "")
    known = list(spec.collections.get(kind, {}))
    close = closest(ident, known)
    if close:
        hint = f"; did you mean {prefix}:{close[0]}?"
    elif known:
        hint = f"; the {kind} defined are: {', '.join(known[:8])}"
    else:
        hint = f"; the spec defines no {kind}"
    where = spec.document.position(reference.pointer, prefer="value")
    place = f"{reference.source.kind}.{reference.source.id}" + "".join(
        f"[{t}]" if isinstance(t, int) else f".{t}" for t in reference.path
    )
    return schema_finding(
        "dangling-reference",
        f"{place} refers to {reference.target}, which is not defined{hint}",
        spec.document.path,
        reference.pointer,
        where,
        reference.target,
    )


def refs_view(
    spec: Spec, entity: Entity, views: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The entity's reference fields, mirrored, each reference replaced by its entity's view
    (built for a field when a condition first reads it: most read none).

    ``views``, kept by a caller across entities, holds each referenced entity's view once:
    conditions only read them, so an entity referenced a thousand times is copied once.
    """
    return LazyRefs(spec, entity, views if views is not None else {})


@as_plain_dict
class LazyRefs(LazyMapping):
    """``_refs`` of one entity: each top-level field of its references, mirrored, when read."""

    __slots__ = ("_entity", "_spec", "_views")
    keeps_none = True  # a field of references that resolve to nothing reads as null

    def __init__(self, spec: Spec, entity: Entity, views: dict[str, dict[str, Any]]) -> None:
        self._full = False  # as LazyMapping.__init__, without its frame
        self._spec, self._entity, self._views = spec, entity, views

    def _names(self) -> list[str]:
        return list(dict.fromkeys(str(path[0]) for path, _ in self._entity.refs))

    def _compute(self, name: str) -> Any:
        view: dict[str, Any] = {}
        views = self._views
        for path, target in self._entity.refs:
            if path[0] != name:
                continue
            seen = views.get(target)
            if seen is None:
                resolved = self._spec.resolve(target)
                seen = resolved.view() if resolved is not None else None
                if seen is not None:
                    views[target] = seen
            _assign(view, path, seen)
        return view.get(name)  # None for a scalar reference to nothing: kept, as written


def _assign(root: dict[str, Any], path: tuple[Token, ...], value: Any) -> None:
    container: Any = root
    for here, after in zip(path, (*path[1:], None), strict=True):
        if after is None:
            _set(container, here, value)
            return
        child = _get(container, here)
        if child is None:
            child = [] if isinstance(after, int) else {}
            _set(container, here, child)
        container = child


def _get(container: Any, token: Token) -> Any:
    if isinstance(container, list):
        assert isinstance(token, int)
        return container[token] if token < len(container) else None
    return container.get(token)


def _set(container: Any, token: Token, value: Any) -> None:
    if isinstance(container, list):
        assert isinstance(token, int)
        container.extend([None] * (token + 1 - len(container)))
        container[token] = value
    else:
        container[token] = value
