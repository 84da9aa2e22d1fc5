"""The staleness walk: worst-case staleness of every entity, by dynamic programming over a
topological order of the lineage groups (linear in nodes plus edges, never path
enumeration), the worst path kept by predecessor links; scoped walks for SLOs whose
freshness names a scope."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from consider.fields import ROUND, field_refs
from consider.lineage.delays import DATA, MODEL, Own, own_delay
from consider.lineage.graph import Graph, Layout, condense, lineage_graph
from consider.lineage.waits import feature_input, hop_wait
from consider.records import Record

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity

PATH_LIMIT = 64
"""Longest path kept in a fact; longer ones keep both ends around an elision."""


def _elide(path: list[str]) -> list[str]:
    if len(path) <= PATH_LIMIT:
        return path
    keep = PATH_LIMIT // 2
    return [*path[:keep], f"... {len(path) - 2 * keep + 1} more ...", *path[-keep + 1 :]]


class Walk(Record):
    """One pass of the staleness DP over the topological order.

    ``value[v]`` is the worst-case staleness of ``v`` (None: no path reaches it, in a scoped
    walk); ``pred[v]`` the predecessor on that path; ``dom[v]`` the node whose term is the
    largest on it; ``batch[v]`` the node with the largest batch interval upstream;
    ``complete[v]`` whether every delay upstream is stated. In a scoped walk, ``anchor[v]``
    marks scope nodes, where the path continues in ``base``.
    """

    mode: str
    own: list[Own]
    value: list[float | None]
    pred: list[int]
    dom: list[int]
    batch: list[int]
    complete: list[bool]
    origin: list[int]
    hops: list[int]
    anchor: list[bool] | None = None
    base: Walk | None = None


def _own_all(spec: Analysis, mode: str) -> list[Own]:
    key = f"lineage.own.{mode}"

    def compute(spec: Analysis) -> list[Own]:
        graph = lineage_graph(spec)
        return [
            own_delay(entity, mode, read=feature_input(graph, v))
            for v, entity in enumerate(graph.entities)
        ]

    result: list[Own] = spec.cached(key, compute)
    return result


def _unstarted_waits(own: list[Own]) -> dict[tuple[int, bool], Own]:
    """A walk's memo for :func:`hop_wait`, filled in advance for the hops no declaration
    starts: such a hop waits what its entity adds on its own, ``own[v]`` (the same
    ``own_delay`` call), so only started hops are left to compute."""
    return {(v, False): wait for v, wait in enumerate(own)}


def skipped_edge(mode: str) -> str | None:
    """The edge type a walk in ``mode`` does not follow: training data, unless the model's
    retraining counts."""
    return "trained_on" if mode == DATA else None


def staleness_layout(spec: Analysis, mode: str) -> Layout:
    """The order a walk in ``mode`` takes: the graph's own, unless the graph has cycles and
    the walk leaves some edges out (a cycle closed only by ``trained_on`` is no cycle for
    data-only staleness), in which case those edges' groups are found again, once per mode."""
    graph = lineage_graph(spec)
    skip = skipped_edge(mode)
    if not graph.cyclic or skip is None:
        return Layout(graph.order, graph.position, graph.group, graph.groups, not graph.cyclic)

    def compute(spec: Analysis) -> Layout:
        return condense([[v for v, kind in targets if kind != skip] for targets in graph.down])

    layout: Layout = spec.cached(f"lineage.layout.{mode}", compute)
    return layout


def staleness_walk(spec: Analysis, mode: str, scope: frozenset[int] | None = None) -> Walk:
    """The staleness DP, cached per (mode, scope).

    A scoped walk (an SLO's ``freshness.scope``) visits only the region downstream of its
    scope, but it is one more walk per distinct scope: its cost is (distinct scopes) x
    (the region each reaches), plus allocating its per-node lists. One pass for every scope
    at once would carry a figure per scope on each node, the same product, so it is not done.
    """
    key = (
        f"lineage.walk.{mode}"
        if scope is None
        else f"lineage.walk.{mode}.{','.join(map(str, sorted(scope)))}"
    )

    def compute(spec: Analysis) -> Walk:
        graph = lineage_graph(spec)
        base = None if scope is None else staleness_walk(spec, mode)
        own = list(_own_all(spec, mode))
        return _run_walk(graph, staleness_layout(spec, mode), own, mode, scope, base)

    walk: Walk = spec.cached(key, compute)
    return walk


def _scoped_groups(
    graph: Graph, layout: Layout, scope: frozenset[int], skip: str | None
) -> list[int]:
    """The groups downstream of the scope (its own included), in topological order: one
    search, costing the region it finds."""
    seen = set(scope)
    queue = list(scope)
    while queue:
        here = queue.pop()
        for there, kind in graph.down[here]:
            if kind != skip and there not in seen:
                seen.add(there)
                queue.append(there)
    return sorted({layout.group[node] for node in seen})


def _run_walk(
    graph: Graph,
    layout: Layout,
    own: list[Own],
    mode: str,
    scope: frozenset[int] | None,
    base: Walk | None,
) -> Walk:
    """``staleness(v) = own(v) + max over inputs u of staleness(u)``, group by group in
    topological order. A group of several nodes (a lineage cycle) is one node: each member
    gets the worst input entering the group plus every member's own delay once, and its path
    enters where that worst input does and reaches the member by the fewest hops."""
    n = graph.size
    value: list[float | None] = [None] * n
    pred = [-1] * n
    dom = [-1] * n
    batch = [-1] * n
    complete = [True] * n
    origin = list(range(n))
    hops = [0] * n
    anchor = [False] * n if scope is not None else None
    waits = _unstarted_waits(own)  # each entity's wait, once per walk
    skip = skipped_edge(mode)
    up, group, groups = graph.up, layout.group, layout.groups
    in_scope = scope if scope is not None else frozenset()
    walked: Iterable[int] = (
        range(len(groups)) if scope is None else _scoped_groups(graph, layout, scope, skip)
    )
    for gid in walked:
        members = groups[gid]
        if base is not None and anchor is not None and not in_scope.isdisjoint(members):
            for v in members:  # the scope itself, and any cycle it sits in: as in the full walk
                anchor[v] = True
                value[v], pred[v], dom[v] = base.value[v], base.pred[v], base.dom[v]
                batch[v], complete[v] = base.batch[v], base.complete[v]
                origin[v], hops[v] = base.origin[v], base.hops[v]
            continue
        chosen = None
        if len(members) == 1:
            # One hop at a time: each input's wait is the hop table's (consider/lineage/
            # waits.py), started at once where the input's declaration triggers the node.
            chosen = _worst_hop(graph, own, value, hops, members[0], gid, group, skip, mode, waits)
        best_u = entry = largest = -1
        best_value = -1.0
        is_complete = True
        for v in members:
            if own[v].unknown:
                is_complete = False
            if own[v].interval > 0 and (largest == -1 or own[v].interval > own[largest].interval):
                largest = v
        for v in members:
            for u, kind in up[v]:
                if kind == skip or group[u] == gid:
                    continue
                upstream = value[u]
                if upstream is None:
                    continue
                if chosen is not None and chosen != (u, kind):
                    continue  # the hop chosen above: the worst input with its own wait
                if upstream > best_value or (upstream == best_value and hops[u] < hops[best_u]):
                    best_value, best_u, entry = upstream, u, v  # ties: the shorter path
                if not complete[u]:
                    is_complete = False
                other = batch[u]
                if other != -1 and (
                    largest == -1
                    or own[other].interval > own[largest].interval
                    or (group[largest] == gid and own[other].interval == own[largest].interval)
                ):
                    largest = other
        if scope is not None and best_u == -1:
            continue  # no path through the scope reaches the group
        total = sum(own[v].total for v in members) + (best_value if best_u != -1 else 0.0)
        heaviest = dom[best_u] if best_u != -1 else -1
        for v in members:
            term = own[v].best
            if term is not None and (heaviest == -1 or term.seconds > _best_seconds(own, heaviest)):
                heaviest = v
        rounded = round(total, ROUND)
        for v in members:
            value[v], dom[v], batch[v], complete[v] = rounded, heaviest, largest, is_complete
        if len(members) == 1:
            if best_u != -1:
                v = members[0]
                pred[v], origin[v], hops[v] = best_u, origin[best_u], hops[best_u] + 1
            continue
        root = entry if best_u != -1 else members[0]
        start = origin[best_u] if best_u != -1 else root
        before = hops[best_u] + 1 if best_u != -1 else 0
        for v, (parent, depth) in _inner_tree(graph, group, gid, root, skip).items():
            pred[v] = best_u if v == root else parent
            origin[v], hops[v] = start, before + depth
    return Walk(mode, own, value, pred, dom, batch, complete, origin, hops, anchor, base)


def _worst_hop(
    graph: Graph,
    own: list[Own],
    value: list[float | None],
    hops: list[int],
    v: int,
    gid: int,
    group: list[int],
    skip: str | None,
    mode: str,
    waits: dict[tuple[int, bool], Own],
) -> tuple[int, str] | None:
    """The input of ``v`` whose staleness plus the hop's wait is largest (ties: the fewer
    hops), with ``own[v]`` set to that hop's wait; None when no input has a figure."""
    best: tuple[float, int, int, str, Own] | None = None
    for u, kind in graph.up[v]:
        upstream = value[u]
        if kind == skip or group[u] == gid or upstream is None:
            continue
        wait = hop_wait(graph, u, v, kind, mode, waits)
        total = upstream + wait.total
        if best is None or total > best[0] or (total == best[0] and hops[u] < best[1]):
            best = (total, hops[u], u, kind, wait)
    if best is None:
        return None
    own[v] = best[4]
    return best[2], best[3]


def _inner_tree(
    graph: Graph, group: list[int], gid: int, root: int, skip: str | None
) -> dict[int, tuple[int, int]]:
    """Inside one group: each member's parent and depth on a fewest-hops tree from ``root``
    (breadth-first, linear in the group's edges)."""
    tree = {root: (-1, 0)}
    queue = [root]
    for here in queue:
        depth = tree[here][1] + 1
        for there, kind in graph.down[here]:
            if kind != skip and group[there] == gid and there not in tree:
                tree[there] = (here, depth)
                queue.append(there)
    return tree


def _best_seconds(own: list[Own], node: int) -> float:
    best = own[node].best
    return best.seconds if best is not None else 0.0


def walk_path(walk: Walk, node: int) -> list[int]:
    """The worst path ending at ``node``, from its origin (linear in its length)."""
    nodes: list[int] = []
    current: Walk | None = walk
    here = node
    while here != -1 and current is not None:
        nodes.append(here)
        if current.anchor is not None and current.anchor[here]:
            current = current.base
            if current is None:
                break
        here = current.pred[here]
    nodes.reverse()
    return nodes


def staleness_of(graph: Graph, walk: Walk, node: int, *, with_path: bool) -> dict[str, Any] | None:
    worst = walk.value[node]
    if worst is None:
        return None
    heaviest = walk.dom[node]
    term = walk.own[heaviest].best if heaviest != -1 else None
    largest = walk.batch[node]
    result: dict[str, Any] = {
        "worst": worst,
        "dominant": graph.refs[heaviest] if heaviest != -1 else None,
        "dominant_delay": term.seconds if term is not None else None,
        "dominant_label": term.label if term is not None else None,
        "complete": walk.complete[node],
        "batch_interval": walk.own[largest].interval if largest != -1 else None,
        "batch_source": graph.refs[largest] if largest != -1 else None,
    }
    if with_path:
        nodes = walk_path(walk, node)
        path = _elide([graph.refs[i] for i in nodes])
        result["path"] = path
        result["route"] = " → ".join(path)
        result["unknown"] = [graph.refs[i] for i in nodes if walk.own[i].unknown]
    else:
        via = walk.pred[node]
        result["via"] = graph.refs[via] if via != -1 else None
        result["origin"] = graph.refs[walk.origin[node]]
        result["hops"] = walk.hops[node]
    return result


def unreached(graph: Graph, walk: Walk, scope: frozenset[int], output: int) -> list[str]:
    """Scope refs from which no walked path reaches the output: an upstream search from the
    output that stays inside the scoped walk's region (the nodes it gave a figure), so it
    costs no more than that walk did."""
    ancestors = {output}
    stack = [output] if walk.value[output] is not None else []
    skip = skipped_edge(walk.mode)
    while stack:
        here = stack.pop()
        for there, kind in graph.up[here]:
            if kind != skip and there not in ancestors and walk.value[there] is not None:
                ancestors.add(there)
                stack.append(there)
    return sorted(graph.refs[node] for node in scope if node not in ancestors)


def data_walk(spec: Analysis) -> Walk:
    """The unscoped data-only staleness walk (shared with the drawing)."""
    return staleness_walk(spec, DATA)


class Freshness(Record):
    """What an SLO's freshness asks of the walk."""

    fields: Mapping[str, Any]
    includes: list[str]
    mode: str
    scope_refs: list[str]
    scope: frozenset[int] | None
    """The scope's nodes; None when the SLO states no scope (all inputs)."""


def freshness(spec: Analysis, slo: Entity) -> Freshness:
    graph = lineage_graph(spec)
    written = slo.fields.get("freshness")
    fields: Mapping[str, Any] = written if isinstance(written, Mapping) else {}
    includes = field_refs(fields, "includes") or [DATA]
    scope_refs = field_refs(fields, "scope")
    scope = frozenset(graph.nodes[r] for r in scope_refs if r in graph.nodes)
    mode = MODEL if MODEL in includes else DATA
    return Freshness(fields, includes, mode, scope_refs, scope if scope_refs else None)


def slo_walk(spec: Analysis, slo: Entity) -> Walk:
    """The walk an SLO's freshness asks for (scope and includes honoured)."""
    wanted = freshness(spec, slo)
    return staleness_walk(spec, wanted.mode, wanted.scope)


class Fastest(Record):
    """The fastest way data can reach each node: the least, over the paths into it, of the
    path's worst-case delay (each hop's wait as in the staleness walk), and the input on
    that path (``pred``, -1 at an origin)."""

    value: list[float]
    pred: list[int]


def fastest_walk(spec: Analysis) -> Fastest:
    """The staleness walk's counterpart with the least instead of the most at each node
    (data only): how soon a new event can reach each entity at all, by its quickest route."""

    def compute(spec: Analysis) -> Fastest:
        graph = lineage_graph(spec)
        layout = staleness_layout(spec, DATA)
        own = _own_all(spec, DATA)
        waits = _unstarted_waits(own)
        skip = skipped_edge(DATA)
        value = [0.0] * graph.size
        pred = [-1] * graph.size
        for members in layout.groups:
            inside = set(members)
            best_u, best = -1, float("inf")
            for v in members:
                for u, kind in graph.up[v]:
                    if kind == skip or u in inside:
                        continue
                    if _reads_live(graph.entities[v]):
                        wait = 0.0  # a hybrid output's online part reads its inputs as they are
                    elif len(members) > 1:
                        wait = own[v].total
                    else:
                        wait = hop_wait(graph, u, v, kind, DATA, waits).total
                    if value[u] + wait < best:
                        best_u, best = u, value[u] + wait
            for v in members:
                if best_u == -1:
                    value[v] = round(own[v].total, ROUND)
                else:
                    value[v], pred[v] = round(best, ROUND), best_u
        return Fastest(value, pred)

    result: Fastest = spec.cached("lineage.fastest", compute)
    return result


def _reads_live(entity: Entity) -> bool:
    """Whether an output answers each request from its inputs as they are (its online part),
    so its own precompute schedule does not delay what reaches it that way."""
    return entity.kind == "outputs" and entity.fields.get("mode") == "hybrid"
