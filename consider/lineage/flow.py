"""Reach over the spec's data-flow references, for every entity at once, in linear time.

A fact such as "the features built on this source" or "the longest lookback of the models
downstream" asks about everything one entity reaches. Answered by one walk per entity, it
costs entities times reach, which grows with the square of a layered spec. Here it is one fold
instead: the nodes taken in the topological order of ``consider.lineage.graph.condense``
(where the chosen edges hold a cycle, its strongly connected group as one node), each node's
value merged from its own and its neighbours' on one side, so every edge is looked at once:
linear in nodes plus edges, cycles included.

A fold carries only what the fact needs: the first few refs in id order, or the best figure
with what sets it, never whole reach sets. Each fact module picks its edges by the label
``<referring kind>.<field>`` (``datasets.derived_from``: the edge runs from what is named to
the dataset that names it, the way data flows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from consider.lineage.graph import condense, topological_order
from consider.records import Record

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity

T = TypeVar("T")
Merge = Callable[[T | None, T | None], T | None]

Refs = tuple[str, ...]
"""Refs in id order."""

SHOWN = 10
"""How many refs a capped list keeps: the first ones in id order."""


class Flow(Record):
    """Every entity as a node, and the resolved references between them by label."""

    entities: list[Entity]
    nodes: dict[str, int]
    """Each ref's node."""
    edges: dict[str, list[tuple[int, int]]]
    """``kind.field`` → (named entity, referring entity), in the order written."""

    @property
    def size(self) -> int:
        """How many nodes there are."""
        return len(self.entities)

    def successors(
        self, labels: Iterable[str], stop: Sequence[bool] | None = None
    ) -> list[list[int]]:
        """Downstream neighbours along the ``labels`` edges; a node marked in ``stop`` keeps
        none (a walk would reach it and go no further)."""
        succ: list[list[int]] = [[] for _ in self.entities]
        for label in labels:
            for upstream, downstream in self.edges.get(label, ()):
                if stop is None or not stop[upstream]:
                    succ[upstream].append(downstream)
        return succ


def flow(spec: Analysis) -> Flow:
    """The spec's data-flow index, built once and shared by the fact modules."""
    result: Flow = spec.cached("facts.flow", _build)
    return result


def _build(spec: Analysis) -> Flow:
    entities = list(spec.all_entities())
    refs = [entity.ref for entity in entities]
    nodes = {ref: i for i, ref in enumerate(refs)}
    # Each entity's node by identity, as its ref finds it: a ref is built anew each time it is
    # read, and every reference would read two.
    by_identity = {id(entity): nodes[ref] for entity, ref in zip(entities, refs, strict=True)}
    edges: dict[str, list[tuple[int, int]]] = {}
    for reference in spec.references:
        resolved, source = reference.resolved, reference.source
        if resolved is None or not reference.path:
            continue
        upstream = by_identity.get(id(resolved))
        if upstream is None:
            upstream = nodes.get(resolved.ref)
        downstream = by_identity.get(id(source))
        if downstream is None:
            downstream = nodes.get(source.ref)
        if upstream is None or downstream is None:
            continue
        label = f"{source.kind}.{reference.path[0]}"
        edges.setdefault(label, []).append((upstream, downstream))
    return Flow(entities, nodes, edges)


def reverse(succ: Sequence[Sequence[int]]) -> list[list[int]]:
    """The same edges pointing the other way."""
    pred: list[list[int]] = [[] for _ in succ]
    for here, targets in enumerate(succ):
        for there in targets:
            pred[there].append(here)
    return pred


def fold(succ: Sequence[Sequence[int]], own: Sequence[T | None], merge: Merge[T]) -> list[T | None]:
    """For every node, ``merge`` of ``own`` over the node and everything it reaches along
    ``succ`` (downstream; pass :func:`reverse` edges to fold upstream). Linear: each node's
    value is merged from its own and its direct successors' values, downstream first; the
    nodes of a cycle, which all reach one another, share one value."""
    value: list[T | None] = [None] * len(succ)
    order = topological_order(succ)
    if order is not None:  # acyclic: the order alone, no groups to make
        for here in reversed(order):
            acc = own[here]
            for there in succ[here]:
                reached = value[there]
                if reached is not None:
                    acc = merge(acc, reached)
            value[here] = acc
        return value
    for group in reversed(condense(succ).groups):  # downstream groups first
        members = set(group)
        acc = None
        for here in group:
            acc = merge(acc, own[here])
            for there in succ[here]:
                if there not in members:
                    acc = merge(acc, value[there])
        for here in group:
            value[here] = acc
    return value


def beyond(
    succ: Sequence[Sequence[int]], value: Sequence[T | None], node: int, merge: Merge[T]
) -> T | None:
    """What ``node`` reaches, itself left out unless a cycle leads back to it: the merged
    values of its successors."""
    acc: T | None = None
    for there in succ[node]:
        acc = merge(acc, value[there])
    return acc


def refs_beyond(
    succ: Sequence[Sequence[int]], value: Sequence[Refs | None], node: int
) -> list[str]:
    """The refs ``node`` reaches (see :func:`beyond`), as a list in id order."""
    found: Refs | None = beyond(succ, value, node, first_refs)
    return list(found or ())


def first_refs(a: Refs | None, b: Refs | None) -> Refs | None:
    """Merge two id-ordered lists of refs, keeping the first :data:`SHOWN`.

    Each list is one ref or a result of this merge, so a full list is the first of the
    two as it is when the other starts at or after its last ref: a fold's frequent case
    (a third of the merges over a layered spec), answered without a sort."""
    if not b or a is b:
        return a
    if not a:
        return b
    if len(a) == SHOWN and b[0] >= a[-1]:
        return a
    if len(b) == SHOWN and a[0] >= b[-1]:
        return b
    return tuple(sorted(set(a).union(b))[:SHOWN])


def least(a: Any, b: Any) -> Any:
    """The smaller of two comparable values, None being no value."""
    if a is None:
        return b
    if b is None or a <= b:
        return a
    return b


def region(succ: Sequence[Sequence[int]], starts: Iterable[int]) -> list[int]:
    """The nodes ``starts`` reach along ``succ``, the starts included, in the order found:
    one search, costing what it finds."""
    seen: set[int] = set()
    found: list[int] = []
    for start in starts:
        if start not in seen:
            seen.add(start)
            found.append(start)
    place = 0
    while place < len(found):
        for there in succ[found[place]]:
            if there not in seen:
                seen.add(there)
                found.append(there)
        place += 1
    return found


def within(succ: Sequence[Sequence[int]], nodes: Sequence[int]) -> list[list[int]]:
    """The edges among ``nodes`` (a :func:`region`, closed downstream), numbered by their
    place in ``nodes``."""
    local = {node: place for place, node in enumerate(nodes)}
    return [[local[there] for there in succ[node] if there in local] for node in nodes]
