"""Readers of an entity's normalised fields, shared by the lineage analyses, the facts and the
commands built on them, and the rounding every figure is kept to.

Each is defined once here, so that two facts never read the same field two ways.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity

ROUND = 6  # durations are kept to the microsecond, so sums do not flip comparisons
ROUND_RATIO = 9
ROUND_AVAILABILITY = 12


def ratio(part: float | None, whole: float | None) -> float | None:
    """``part / whole`` rounded; None when either is unknown or ``whole`` is negative."""
    if part is None or whole is None or whole < 0:
        return None
    if whole == 0:
        # A target of 0 (p99: 0ms, max_staleness: 0s) is met only by nothing at all; anything
        # more breaks it, however little, rather than switching the check off.
        return 0.0 if part <= 0 else math.inf
    return round(part / whole, ROUND_RATIO)


def product_of(values: Iterable[float]) -> float:
    """The product of ``values`` (1 for none)."""
    result = 1.0
    for value in values:
        result *= value
    return result


def number(value: Any) -> float | None:
    """A normalised number (seconds, fraction, bytes...) as a float; None for anything else,
    ``true`` and ``false`` included."""
    kind = type(value)
    if kind is float:  # the common case first: a normalised figure is a float already
        return value  # type: ignore[no-any-return]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def at(fields: Mapping[str, Any], *path: str) -> Any:
    """The value at ``path`` in nested mappings, or None where the path breaks off."""
    value: Any = fields
    for key in path:
        # A plain dict (what the model builds) first: the Mapping check is an ABC check, slow.
        if type(value) is not dict and not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def field_seconds(fields: Mapping[str, Any], *path: str) -> float | None:
    """A normalised number at ``path`` in an entity's fields (seconds, fraction...), or None."""
    return number(at(fields, *path))


def field_refs(fields: Mapping[str, Any], *path: str) -> list[str]:
    """The strings listed at ``path`` in an entity's fields (references, trigger names...)."""
    value = at(fields, *path)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def refs_in(entity: Entity, field: str) -> list[str]:
    """The typed references an entity writes under one top-level field, in written order."""
    return [target for path, target in entity.refs if path and path[0] == field]


def slo_output(spec: Analysis, slo: Entity) -> Entity | None:
    """The output an SLO's ``applies_to`` names, or None when it names no output."""
    target = slo.fields.get("applies_to")
    found = spec.resolve(target) if isinstance(target, str) else None
    return found if found is not None and found.kind == "outputs" else None


def hop_list(value: Any) -> list[Mapping[str, Any]]:
    """The hops of a request path (or of a ``parallel`` step): its mappings, in order."""
    if not isinstance(value, list):
        return []
    # A plain dict (what the model builds) first: the Mapping check is an ABC check, slow.
    return [hop for hop in value if type(hop) is dict or isinstance(hop, Mapping)]


def flat_hops(
    hops: Iterable[Mapping[str, Any]], critical: bool = True
) -> Iterator[tuple[Mapping[str, Any], bool]]:
    """Every hop with a ``dep``, parallel branches included, in written order, with whether
    it is critical (neither it nor a step around it says ``critical: false``). Iterative, so
    deeply nested branches cannot overflow the stack."""
    stack = [(hop, critical) for hop in reversed(list(hops))]
    while stack:
        hop, inherited = stack.pop()
        here = inherited and hop.get("critical") is not False
        if isinstance(hop.get("dep"), str):
            yield hop, here
        parallel = hop.get("parallel")
        if parallel is not None:  # most hops have no branches to push
            stack.extend((branch, here) for branch in reversed(hop_list(parallel)))


def calls(path: Any) -> Iterator[Mapping[str, Any]]:
    """Every call (a hop with a ``dep``) of a request path, parallel branches included, in
    written order."""
    for hop, _ in flat_hops(hop_list(path)):
        yield hop


def declares_new_entities(value: Any) -> bool:
    """Whether a dataset's ``new_entities`` says new entities keep arriving: ``true``, or a
    text other than a blank, ``false``, ``no`` or ``none``."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() not in ("", "false", "no", "none")
