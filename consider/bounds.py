"""Bounds on what one pack expression (a condition or a template placeholder) may do.

Packs are untrusted input, and JMESPath is small but not harmless: a condition that chains a
few hundred ``||`` overflows the evaluator's recursion, and one of a few hundred bytes that
alternates multi-selects with flattening (``[@, @][]`` repeated) doubles its result at every
step. So an expression is bounded twice:

- when a pack loads, by the depth of its syntax tree and by how many list-building steps
  (projections, flattening, multi-selects) are nested in it; what passes these is refused
  with a clear pack error naming the rule;
- when it runs, by the work one evaluation may do: every list, mapping or string it builds
  is charged by its size, and past :data:`MAX_WORK` the evaluation stops with
  :class:`WorkExceeded`, which the engine reports as a pack error.
"""

from __future__ import annotations

from typing import Any

from jmespath.exceptions import JMESPathError
from jmespath.visitor import TreeInterpreter

MAX_DEPTH = 48
"""Nesting of the syntax tree; the built-in packs use at most 9."""
MAX_AMPLIFYING = 8
"""List-building steps nested in one another; the built-in packs nest at most 4."""
MAX_WORK = 250_000
"""Nodes visited plus the sizes of the lists, mappings and strings one evaluation builds."""

AMPLIFYING = frozenset(
    {
        "projection",
        "value_projection",
        "filter_projection",
        "flatten",
        "multi_select_list",
        "multi_select_dict",
        "function_expression",
    }
)


class WorkExceeded(JMESPathError):
    """One evaluation built more than :data:`MAX_WORK` allows."""


def problem(parsed: Any) -> str | None:
    """Why a compiled expression is refused, or None when it is within bounds."""
    todo: list[tuple[Any, int, int]] = [(parsed, 1, 0)]
    while todo:
        node, depth, amplifying = todo.pop()
        if not isinstance(node, dict):
            continue
        if node.get("type") in AMPLIFYING:
            amplifying += 1
        if depth > MAX_DEPTH:
            return (
                f"it nests more than {MAX_DEPTH} levels deep (a long chain of '||', '&&' or "
                "'|' counts one level each); split it or use a fact"
            )
        if amplifying > MAX_AMPLIFYING:
            return (
                f"it nests more than {MAX_AMPLIFYING} projections, flattenings, "
                "multi-selects or function calls in one another, which can multiply its "
                "work without bound; simplify it"
            )
        todo.extend((child, depth + 1, amplifying) for child in node.get("children") or ())
    return None


class BoundedInterpreter(TreeInterpreter):
    """JMESPath's tree interpreter, charging each node and each value it builds."""

    def __init__(self) -> None:
        super().__init__()
        self.work = 0

    def search(self, parsed: Any, data: Any) -> Any:
        """The expression's value over ``data``, within :data:`MAX_WORK`."""
        self.work = 0
        return self.visit(parsed, data)

    def visit(self, node: Any, *args: Any, **kwargs: Any) -> Any:
        result = super().visit(node, *args, **kwargs)
        cost = 1
        if node["type"] in AMPLIFYING and isinstance(result, list | dict | str):
            cost += len(result)
        self.charge(cost)
        return result

    def charge(self, cost: int) -> None:
        """Add ``cost`` to this evaluation's work; past :data:`MAX_WORK`, stop it."""
        self.work += cost
        if self.work > MAX_WORK:
            raise WorkExceeded(
                f"the expression did more than {MAX_WORK:,} steps of work on this entity "
                "(nested projections or flattening that multiply); simplify it"
            )


def clip(text: str, limit: int = 200) -> str:
    """``text`` cut to about ``limit`` characters, saying how much was left out: a message
    quotes values from specs and packs, which may be megabytes long."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"
