"""The lineage graph: entities as nodes, typed edges from the spec's references.

Edges point the way data flows, from the upstream entity to the one built from it:
``source:orders-db → dataset:orders-daily`` because the dataset is ``derived_from`` the source.
Three families of edges are kept apart:

- **lineage** edges (``derived_from``, ``source``, ``trained_on``, ``features``,
  ``inputs_from``, ``depends_on`` and ``calls``, the request path): what the staleness walk
  and the impact plan follow;
- **feedback** edges (``logged_from``: an output whose served results are logged into a
  dataset, or whose decisions shape what a source records): left out of those walks; loops
  are found over lineage and feedback edges together;
- **drawing** edges (``fallback``, ``cold_start``, ``writes``, ``stored_in``): shown in
  pictures, never walked.

The walks run over a topological order of the lineage edges. A lineage cycle that is not a
feedback loop (datasets derived from each other, say) is collapsed into one group, as
``consider.lineage.flow.fold`` does: its strongly connected members sit side by side in the
order, the walks treat the group as one node, and carry on out of it.

The graph is built once per analysis of a spec (``lineage_graph(analysis)``, kept by
``Analysis.cached``). Every algorithm here is linear in nodes plus edges and iterative, so deep
or wide specs neither enumerate paths nor overflow the stack.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from consider.records import Record

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity, Reference

LINEAGE = frozenset(
    {"derived_from", "source", "trained_on", "features", "inputs_from", "depends_on", "calls"}
)
"""Edge types the staleness walk and the impact plan follow."""

FEEDBACK = "logged_from"
"""An output's served results logged into a dataset, or its decisions shaping what a source
records (declined payments never become chargebacks): closes feedback loops."""

DRAWING = frozenset({"fallback", "cold_start", "writes", "stored_in"})
"""Edge types that are drawn but never walked."""

_FIELD_EDGES: dict[tuple[str, str], str] = {
    ("datasets", "derived_from"): "derived_from",
    ("features", "source"): "source",
    ("models", "trained_on"): "trained_on",
    ("models", "features"): "features",
    ("models", "inputs_from"): "inputs_from",
    ("outputs", "depends_on"): "depends_on",
    ("outputs", "request_path"): "calls",
    ("outputs", "fallback"): "fallback",
    ("outputs", "cold_start"): "cold_start",
    ("datasets", "logged_from_outputs"): FEEDBACK,
    ("sources", "logged_from_outputs"): FEEDBACK,
}
"""(kind of the referring entity, its field) → edge type, for edges that flow *into* it."""


class Graph(Record):
    """Nodes are the spec's entities but SLOs (promises about outputs, not parts of the
    system), indexed 0..n-1 in the spec's order, kind by kind."""

    refs: list[str]
    entities: list[Entity]
    nodes: dict[str, int]
    """Each ref's node."""
    up: list[list[tuple[int, str]]]
    """For each node, its lineage predecessors with the edge type, in the order written."""
    down: list[list[tuple[int, str]]]
    """For each node, its lineage successors with the edge type."""
    feedback: list[tuple[int, int]]
    """Feedback edges (output, dataset or source), in the order written."""
    drawing: list[tuple[int, int, str]]
    """Drawing-only edges (from, to, type)."""
    order: list[int]
    """A topological order of the lineage groups, each group's members side by side (in
    node order)."""
    position: list[int]
    """Each node's place in ``order``."""
    group: list[int]
    """Each node's group: its index in ``groups``."""
    groups: list[list[int]]
    """The strongly connected groups of the lineage edges (most of one node), upstream
    first: a topological order of the groups."""
    cyclic: set[tuple[int, int]]
    """Lineage edges inside a group: those that close a cycle."""
    loops: list[list[int]]
    """Strongly connected groups over lineage and feedback edges that hold a cycle, each in
    node order, the groups ordered by their first member's id."""

    @property
    def size(self) -> int:
        """How many nodes there are."""
        return len(self.refs)

    def edges(self) -> Iterable[tuple[int, int, str]]:
        """Every edge (from, to, type): lineage, then feedback, then drawing edges."""
        for source, targets in enumerate(self.down):
            for target, kind in targets:
                yield source, target, kind
        for output, dataset in self.feedback:
            yield output, dataset, FEEDBACK
        yield from self.drawing

    def descendants(self, start: int) -> set[int]:
        """Nodes reachable from ``start`` over lineage edges (start included), through
        cycles too."""
        seen = {start}
        queue = deque([start])
        while queue:
            here = queue.popleft()
            for there, _ in self.down[here]:
                if there not in seen:
                    seen.add(there)
                    queue.append(there)
        return seen


def lineage_graph(spec: Analysis) -> Graph:
    """The spec's lineage graph, built once and shared by every fact and command."""
    graph: Graph = spec.cached("lineage", build_graph)
    return graph


def build_graph(spec: Analysis) -> Graph:
    """Nodes from the entities, edges from the resolved references; then order and loops."""
    entities = [entity for entity in spec.all_entities() if entity.kind != "slos"]
    refs = [entity.ref for entity in entities]
    index = {ref: i for i, ref in enumerate(refs)}
    up: list[list[tuple[int, str]]] = [[] for _ in entities]
    down: list[list[tuple[int, str]]] = [[] for _ in entities]
    feedback: list[tuple[int, int]] = []
    drawing: list[tuple[int, int, str]] = []
    seen: set[tuple[int, int, str]] = set()
    # Each entity's node by identity, as its ref finds it: a ref is built anew each time it is
    # read, and every reference would read two.
    by_identity = {id(entity): index[ref] for entity, ref in zip(entities, refs, strict=True)}
    for reference in spec.references:
        edge = _edge(reference, index, by_identity)
        if edge is None or edge in seen:
            continue
        seen.add(edge)
        source, target, kind = edge
        if kind in LINEAGE:
            down[source].append((target, kind))
            up[target].append((source, kind))
        elif kind == FEEDBACK:
            feedback.append((source, target))
        else:
            drawing.append(edge)
    layout = condense([[t for t, _ in targets] for targets in down])
    group = layout.group
    cyclic = (
        set()
        if layout.acyclic
        else {(u, v) for u, targets in enumerate(down) for v, _ in targets if group[u] == group[v]}
    )
    # With no feedback edge, the loops are the lineage cycles, and condense found none.
    loops = [] if layout.acyclic and not feedback else _loops(refs, down, feedback)
    return Graph(
        refs,
        entities,
        index,
        up,
        down,
        feedback,
        drawing,
        layout.order,
        layout.position,
        layout.group,
        layout.groups,
        cyclic,
        loops,
    )


def _edge(
    reference: Reference, index: dict[str, int], by_identity: dict[int, int]
) -> tuple[int, int, str] | None:
    """The edge a reference makes, as (from, to, type), or None if it makes none.

    ``by_identity``: the graph's entities' nodes by ``id(entity)``, as ``index`` finds them
    by ref; an entity not there (an SLO) is looked up by its ref."""
    resolved = reference.resolved
    if resolved is None or not reference.path:
        return None
    source = reference.source
    first = str(reference.path[0])
    second = reference.path[1:2]
    # The type and the way first, from the field: a reference that makes no edge looks up no
    # node.
    forward = True
    if first == "precompute" and second == ("store",):
        edge_type: str | None = "writes"
    elif first == "online_store" or (first == "storage" and second == ("store",)):
        edge_type = "stored_in"
    elif first == "fallback" and second == ("covers",):
        return None  # what the fallback replaces, not something it reads
    else:
        edge_type, forward = _FIELD_EDGES.get((source.kind, first)), False
    if edge_type is None:
        return None
    owner = by_identity.get(id(source))
    if owner is None:
        owner = index.get(source.ref)
    target = by_identity.get(id(resolved))
    if target is None:
        target = index.get(resolved.ref)
    if owner is None or target is None:
        return None
    return (owner, target, edge_type) if forward else (target, owner, edge_type)


class Layout(Record):
    """A topological order of a graph's strongly connected groups (see :func:`condense`)."""

    order: list[int]
    """Every node, group by group (upstream first), a group's members side by side."""
    position: list[int]
    """Each node's place in ``order``."""
    group: list[int]
    """Each node's group: its index in ``groups``."""
    groups: list[list[int]]
    """The groups in topological order, each one's members in node order."""
    acyclic: bool
    """Whether there is no cycle at all (every group one node, and no self-loop)."""


def condense(succ: Sequence[Sequence[int]]) -> Layout:
    """The strongly connected groups of ``succ`` in topological order, by Kahn's algorithm
    over the groups with ties broken by node order (an acyclic graph keeps Kahn's order over
    its nodes). Tarjan's algorithm runs only when Kahn's alone cannot place every node.
    Linear in nodes plus edges."""
    n = len(succ)
    order = _kahn(n, succ, _indegrees(n, succ))
    acyclic = len(order) == n
    if not acyclic:
        found = components(succ)
        component = [0] * n
        for number, members in enumerate(found):
            for node in members:
                component[node] = number
        # Number the groups by their first node, so ties go by node order as above.
        of = [-1] * n
        groups: list[list[int]] = []
        renumber = [-1] * len(found)
        for node in range(n):
            number = component[node]
            if renumber[number] == -1:
                renumber[number] = len(groups)
                groups.append([])
            of[node] = renumber[number]
            groups[of[node]].append(node)
        gsucc: list[list[int]] = [[] for _ in groups]
        for place, members in enumerate(groups):
            for here in members:
                gsucc[place].extend(of[there] for there in succ[here] if of[there] != place)
        group_order = _kahn(len(groups), gsucc, _indegrees(len(groups), gsucc))
        groups = [groups[place] for place in group_order]
        order = [node for members in groups for node in members]
    else:
        groups = [[node] for node in order]
    position = [0] * n
    group = [0] * n
    for place, node in enumerate(order):
        position[node] = place
    for number, members in enumerate(groups):
        for node in members:
            group[node] = number
    return Layout(order, position, group, groups, acyclic)


def topological_order(succ: Sequence[Sequence[int]]) -> list[int] | None:
    """Every node of ``succ`` upstream first, as :func:`condense` orders an acyclic graph;
    None when there is a cycle. For a caller that needs only the order: without the groups,
    places and numbers a :class:`Layout` adds for every node."""
    n = len(succ)
    order = _kahn(n, succ, _indegrees(n, succ))
    return order if len(order) == n else None


def _indegrees(n: int, succ: Sequence[Sequence[int]]) -> list[int]:
    indegree = [0] * n
    for targets in succ:
        for there in targets:
            indegree[there] += 1
    return indegree


def _kahn(n: int, succ: Sequence[Sequence[int]], indegree: list[int]) -> list[int]:
    """Kahn's algorithm, ties broken by node order; returns the nodes it could place."""
    ready = deque(i for i in range(n) if indegree[i] == 0)
    order: list[int] = []
    while ready:
        here = ready.popleft()
        order.append(here)
        for there in succ[here]:
            indegree[there] -= 1
            if indegree[there] == 0:
                ready.append(there)
    return order


def _loops(
    refs: list[str], down: list[list[tuple[int, str]]], feedback: list[tuple[int, int]]
) -> list[list[int]]:
    succ: list[list[int]] = [[t for t, _ in targets] for targets in down]
    for output, dataset in feedback:
        succ[output].append(dataset)
    groups = [sorted(group) for group in strongly_connected(len(refs), succ)]
    groups.sort(key=lambda group: min(_ref_key(refs[node]) for node in group))
    return groups


def _ref_key(ref: str) -> tuple[str, str]:
    """Id order: by id, then by the kind's prefix (``dataset:x`` before ``model:x``)."""
    prefix, _, ident = ref.partition(":")
    return ident, prefix


def first_in_id_order(graph: Graph, nodes: Iterable[int]) -> int:
    """The node that comes first in id order (where a finding spanning them is reported)."""
    return min(nodes, key=lambda node: _ref_key(graph.refs[node]))


def components(succ: Sequence[Sequence[int]]) -> list[list[int]]:
    """Tarjan's algorithm, iterative: every strongly connected group, downstream groups first
    (a node alone is a group of one)."""
    n = len(succ)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    groups: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            here, next_edge = work[-1]
            targets = succ[here]
            if next_edge < len(targets):
                work[-1] = (here, next_edge + 1)
                there = targets[next_edge]
                if index[there] == -1:
                    index[there] = low[there] = counter
                    counter += 1
                    stack.append(there)
                    on_stack[there] = True
                    work.append((there, 0))
                elif on_stack[there] and index[there] < low[here]:
                    low[here] = index[there]
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[here] < low[parent]:
                    low[parent] = low[here]
            if low[here] == index[here]:
                group: list[int] = []
                while True:
                    node = stack.pop()
                    on_stack[node] = False
                    group.append(node)
                    if node == here:
                        break
                groups.append(group)
    return groups


def strongly_connected(n: int, succ: Sequence[Sequence[int]]) -> list[list[int]]:
    """The groups of nodes that hold a cycle (a self-loop too)."""
    return [group for group in components(succ[:n]) if len(group) > 1 or group[0] in succ[group[0]]]


def cycle_through(graph: Graph, group: Sequence[int], start: int) -> list[int]:
    """One simple cycle inside ``group`` that starts and ends at ``start`` (BFS, linear)."""
    members = set(group)
    succ: dict[int, list[int]] = {node: [] for node in group}
    for node in group:
        succ[node].extend(t for t, _ in graph.down[node] if t in members)
    for output, dataset in graph.feedback:
        if output in members and dataset in members:
            succ[output].append(dataset)
    parent: dict[int, int] = {}
    queue = deque([start])
    found = False
    while queue and not found:
        here = queue.popleft()
        for there in succ[here]:
            if there == start:
                parent[start] = here
                found = True
                break
            if there not in parent:
                parent[there] = here
                queue.append(there)
    if not found:
        return [start]
    path = [start]
    node = parent[start]
    while node != start:
        path.append(node)
        node = parent[node]
    path.append(start)
    path.reverse()
    return path
