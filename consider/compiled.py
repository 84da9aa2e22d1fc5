"""Pack expressions compiled to Python closures, so that a large spec does not walk each
condition's syntax tree again for every entity.

jmespath's tree interpreter looks up a method by node type, through two calls, at every node
of every evaluation. A closure per node does the same work with none of the dispatch. The
closures keep the interpreter's semantics exactly (they are a translation of
``jmespath.visitor.TreeInterpreter``, node type by node type; a type not translated here is
handed to the interpreter) and its bound: each node charges the shared
:class:`~consider.bounds.BoundedInterpreter` as its ``visit`` would, so an evaluation past
:data:`~consider.bounds.MAX_WORK` stops with the same pack error.

Compiling costs more than one walk of the tree, so an expression is compiled only once it
has been searched :data:`COMPILE_AFTER` times: a small spec (a pre-commit hook's usual run)
never pays for it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from numbers import Number
from typing import Any

from jmespath.functions import Functions

from consider.bounds import AMPLIFYING, MAX_WORK, BoundedInterpreter

Compiled = Callable[[Any], Any]

COMPILE_AFTER = 8
"""Searches of one expression by the interpreter before it is compiled."""

_FUNCTIONS = Functions()
"""JMESPath's built-in functions, as the interpreter holds them."""

_ORDERING = {"lt": operator.lt, "gt": operator.gt, "lte": operator.le, "gte": operator.ge}


class Searcher:
    """Searches expressions over data: by the bounded interpreter at first, then compiled."""

    def __init__(self) -> None:
        self.interpreter = BoundedInterpreter()
        self._compiled: dict[str, Compiled] = {}
        self._uses: dict[str, int] = {}

    def search(self, text: str, parsed: Any, data: Any) -> Any:
        """The value of the expression ``text`` (parsed as ``parsed``) over ``data``."""
        compiled = self._compiled.get(text)
        if compiled is None:
            uses = self._uses.get(text, 0) + 1
            self._uses[text] = uses
            if uses < COMPILE_AFTER:
                return self.interpreter.search(parsed, data)
            compiled = self._compiled[text] = compile_expression(parsed, self.interpreter)
        self.interpreter.work = 0
        return compiled(data)

    def function(self, text: str, parsed: Any) -> Compiled:
        """The expression ``text`` as a function of the data, compiled now: what
        :meth:`search` computes, for a caller about to evaluate it over many entities,
        where the calls through :meth:`search` would add up."""
        compiled = self._compiled.get(text)
        if compiled is None:
            compiled = self._compiled[text] = compile_expression(parsed, self.interpreter)
        meter = self.interpreter

        def evaluated(data: Any) -> Any:
            meter.work = 0
            return compiled(data)

        return evaluated


def compile_expression(node: dict[str, Any], meter: BoundedInterpreter) -> Compiled:
    """A closure computing what ``meter.visit(node, value)`` computes, charging ``meter`` alike."""
    kind = node["type"]
    if kind == "field" or (
        kind == "subexpression" and all(child["type"] == "field" for child in node["children"])
    ):
        return _path(node, meter)
    translate = _TRANSLATIONS.get(kind)
    if translate is None:
        return lambda value: meter.visit(node, value)
    children = [compile_expression(child, meter) for child in node.get("children") or ()]
    body = translate(node, children, meter)
    if translate in _SELF_CHARGED:
        return body
    if kind not in AMPLIFYING:

        def charged(value: Any) -> Any:
            result = body(value)
            meter.work += 1
            if meter.work > MAX_WORK:
                meter.charge(0)  # raises, with the interpreter's own message
            return result

        return charged

    def amplifying(value: Any) -> Any:
        result = body(value)
        meter.charge(1 + len(result) if isinstance(result, list | dict | str) else 1)
        return result

    return amplifying


def _path(node: dict[str, Any], meter: BoundedInterpreter) -> Compiled:
    """A field, or a chain of fields (``a.b.c``), the commonest nodes, in one closure that
    charges what the interpreter charges for them: one per field, and one for the chain."""
    if node["type"] == "field":
        names = (node["value"],)
        cost = 1
    else:
        names = tuple(child["value"] for child in node["children"])
        cost = len(names) + 1
    if len(names) == 1:
        (name,) = names

        def field(value: Any) -> Any:  # the commonest of all: one name, no loop
            try:
                value = value.get(name)
            except AttributeError:
                value = None
            meter.work += cost
            if meter.work > MAX_WORK:
                meter.charge(0)  # raises, with the interpreter's own message
            return value

        return field
    if len(names) == 2:
        first, second = names

        def pair(value: Any) -> Any:  # `_facts.x`, `retrain.cadence`: the next commonest
            try:
                value = value.get(first)
            except AttributeError:
                value = None
            try:
                value = value.get(second)
            except AttributeError:
                value = None
            meter.work += cost
            if meter.work > MAX_WORK:
                meter.charge(0)  # raises, with the interpreter's own message
            return value

        return pair

    def path(value: Any) -> Any:
        for name in names:
            try:
                value = value.get(name)
            except AttributeError:
                value = None
        meter.work += cost
        if meter.work > MAX_WORK:
            meter.charge(0)  # raises, with the interpreter's own message
        return value

    return path


_Translate = Callable[[dict[str, Any], list[Compiled], BoundedInterpreter], Compiled]


def _field(node: dict[str, Any], _children: list[Compiled], _meter: BoundedInterpreter) -> Compiled:
    name = node["value"]

    def field(value: Any) -> Any:
        try:
            return value.get(name)
        except AttributeError:
            return None

    return field


def _chain(_node: dict[str, Any], children: list[Compiled], _meter: BoundedInterpreter) -> Compiled:
    def chain(value: Any) -> Any:
        for child in children:
            value = child(value)
        return value

    return chain


def _comparator(
    node: dict[str, Any], children: list[Compiled], meter: BoundedInterpreter
) -> Compiled:
    # Charges itself (see _SELF_CHARGED), as do the boolean operators below: one call per
    # node instead of two, on the nodes every condition is made of.
    left, right = children
    negate = node["value"] == "ne"
    if node["value"] in ("eq", "ne"):

        def equality(value: Any) -> Any:
            result = _equals(left(value), right(value)) is not negate
            meter.work += 1
            if meter.work > MAX_WORK:
                meter.charge(0)
            return result

        return equality
    compare = _ORDERING[node["value"]]

    def ordering(value: Any) -> Any:
        first = left(value)
        second = right(value)
        result = (
            compare(first, second) if _is_comparable(first) and _is_comparable(second) else None
        )
        meter.work += 1
        if meter.work > MAX_WORK:
            meter.charge(0)
        return result

    return ordering


def _current(
    _node: dict[str, Any], _children: list[Compiled], _meter: BoundedInterpreter
) -> Compiled:
    return lambda value: value


def _literal(
    node: dict[str, Any], _children: list[Compiled], _meter: BoundedInterpreter
) -> Compiled:
    constant = node["value"]
    return lambda _value: constant


def _index(node: dict[str, Any], _children: list[Compiled], _meter: BoundedInterpreter) -> Compiled:
    position = node["value"]

    def index(value: Any) -> Any:
        if not isinstance(value, list):
            return None
        try:
            return value[position]
        except IndexError:
            return None

    return index


def _is_actual_number(value: Any) -> bool:
    kind = type(value)
    if kind is int or kind is float:
        return True
    if kind is bool or kind is str or value is None:
        return False
    return isinstance(value, Number)  # an abstract check: slow, so kept for the rare case


def _is_comparable(value: Any) -> bool:
    return _is_actual_number(value) or isinstance(value, str)


def _equals(first: Any, second: Any) -> bool:
    # JMESPath keeps booleans apart from the numbers 0 and 1, which Python counts as equal.
    if _is_actual_number(first) and first in (0, 1):
        if isinstance(second, bool):
            return False
    elif _is_actual_number(second) and second in (0, 1) and isinstance(first, bool):
        return False
    return bool(first == second)


def _false(value: Any) -> bool:
    if value is None or value is False:
        return True
    kind = type(value)
    if kind is bool or kind is int or kind is float:  # true, and every number, 0 too
        return False
    return bool(value == "" or value == [] or value == {})


def _or(_node: dict[str, Any], children: list[Compiled], meter: BoundedInterpreter) -> Compiled:
    first, second = children

    def either(value: Any) -> Any:
        matched = first(value)
        if _false(matched):
            matched = second(value)
        meter.work += 1
        if meter.work > MAX_WORK:
            meter.charge(0)
        return matched

    return either


def _and(_node: dict[str, Any], children: list[Compiled], meter: BoundedInterpreter) -> Compiled:
    first, second = children

    def both(value: Any) -> Any:
        matched = first(value)
        if not _false(matched):
            matched = second(value)
        meter.work += 1
        if meter.work > MAX_WORK:
            meter.charge(0)
        return matched

    return both


def _not(_node: dict[str, Any], children: list[Compiled], meter: BoundedInterpreter) -> Compiled:
    (child,) = children

    def negated(value: Any) -> Any:
        original = child(value)
        result = False if _is_actual_number(original) and original == 0 else not original
        meter.work += 1
        if meter.work > MAX_WORK:
            meter.charge(0)
        return result

    return negated


def _function(
    node: dict[str, Any], children: list[Compiled], _meter: BoundedInterpreter
) -> Compiled:
    name = node["value"]

    def call(value: Any) -> Any:
        return _FUNCTIONS.call_function(name, [child(value) for child in children])

    return call


def _projection(
    _node: dict[str, Any], children: list[Compiled], _meter: BoundedInterpreter
) -> Compiled:
    base_of, each = children

    def projection(value: Any) -> Any:
        base = base_of(value)
        return _collected(each, base) if isinstance(base, list) else None

    return projection


def _collected(each: Compiled, elements: Any) -> list[Any]:
    """``each`` of the elements, those that are not null: what a projection gives."""
    collected = []
    for element in elements:
        current = each(element)
        if current is not None:
            collected.append(current)
    return collected


def _value_projection(
    _node: dict[str, Any], children: list[Compiled], _meter: BoundedInterpreter
) -> Compiled:
    base_of, each = children

    def projection(value: Any) -> Any:
        base = base_of(value)
        try:
            elements = base.values()
        except AttributeError:
            return None
        return _collected(each, elements)

    return projection


def _filter_projection(
    _node: dict[str, Any], children: list[Compiled], _meter: BoundedInterpreter
) -> Compiled:
    base_of, each, condition = children

    def projection(value: Any) -> Any:
        base = base_of(value)
        if not isinstance(base, list):
            return None
        collected = []
        for element in base:
            if not _false(condition(element)):
                current = each(element)
                if current is not None:
                    collected.append(current)
        return collected

    return projection


def _flatten(
    _node: dict[str, Any], children: list[Compiled], _meter: BoundedInterpreter
) -> Compiled:
    (base_of,) = children

    def flatten(value: Any) -> Any:
        base = base_of(value)
        if not isinstance(base, list):
            return None
        merged: list[Any] = []
        for element in base:
            if isinstance(element, list):
                merged.extend(element)
            else:
                merged.append(element)
        return merged

    return flatten


def _multi_select_list(
    _node: dict[str, Any], children: list[Compiled], _meter: BoundedInterpreter
) -> Compiled:
    def select(value: Any) -> Any:
        if value is None:
            return None
        return [child(value) for child in children]

    return select


_TRANSLATIONS: dict[str, _Translate] = {
    "field": _field,
    "subexpression": _chain,
    "index_expression": _chain,
    "pipe": _chain,
    "comparator": _comparator,
    "current": _current,
    "identity": _current,
    "literal": _literal,
    "index": _index,
    "or_expression": _or,
    "and_expression": _and,
    "not_expression": _not,
    "function_expression": _function,
    "projection": _projection,
    "value_projection": _value_projection,
    "filter_projection": _filter_projection,
    "flatten": _flatten,
    "multi_select_list": _multi_select_list,
}
"""Node types translated; any other (multi-select mappings, slices, expression references)
is evaluated by the interpreter, which charges the same meter."""

_SELF_CHARGED = frozenset({_comparator, _or, _and, _not})
"""Translations whose closures charge the meter themselves, as the interpreter would."""
