"""``consider impact``: what must re-run or re-train when one entity changes, and when.

The plan follows lineage edges downstream from the changed entity (feedback edges left out,
so a loop does not plan itself forever), in topological order. Each affected entity is a
step of a kind:

- ``re-run``: a dataset rebuilt, a precomputed output recomputed, a model re-scoring with a
  new input model (``inputs_from``);
- ``re-materialise``: a feature recomputed and copied to its online store;
- ``re-train``: a model whose training data or features changed;
- ``serve``: an output computed per request, which needs no run, only fresh inputs.

Each step waits for its slowest input and then adds its own delay: a whole interval (the
change may land just after a run starts) unless a declared trigger starts it at once
(``on_change``, ``on_retrain`` or a ``new_data``/``schema_change`` retrain trigger), in
which case only its processing, runtime, or training and deploy time. The time until the
change is visible in each output is the longest such chain, computed by one pass over the
topological order (linear in the affected nodes and edges).

The spec's declared ``on_change`` and ``on_retrain`` lists are compared with the direct
consumers the graph derives: what is missing from them, and what they list that the
change never reaches.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from consider.analysis import Analysis
from consider.errors import UsageError
from consider.fields import field_refs
from consider.lineage.delays import DATA, MODEL, Read, holds_precomputed, own_delay
from consider.lineage.graph import Graph, lineage_graph
from consider.lineage.reach import followers
from consider.lineage.waits import START_TRIGGERS, declares, feature_input, hop_wait, trigger
from consider.model import Entity, Spec
from consider.text import closest
from consider.units import format_duration
from consider.vocabulary import REF_PREFIX


@dataclass(frozen=True, slots=True)
class Step:
    """One entity to act on, in plan order."""

    ref: str
    kind: str
    delay: float
    """Seconds this step adds once its inputs carry the change."""
    ready: float
    """Seconds from the change until this step carries it."""
    triggered_by: str | None
    """The declaration that starts it at once (``dataset:x on_change.retrain``), or None
    when it waits for its own schedule."""
    after: str | None
    """The input it waits for longest (on the slowest chain)."""
    unknown: bool
    """True when a delay it should state is missing (counted as 0)."""


@dataclass(frozen=True, slots=True)
class Visible:
    """When the change reaches one output, and along which chain."""

    ref: str
    after: float
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """A declared list (``on_change.retrain`` of a dataset, say) against the derived one."""

    ref: str
    field: str
    declared: tuple[str, ...]
    derived: tuple[str, ...]
    missing: tuple[str, ...]
    """Derived but not declared."""
    extra: tuple[str, ...]
    """Declared but not downstream of ``ref`` at all."""


@dataclass(frozen=True, slots=True)
class Plan:
    """The whole answer for one changed entity."""

    file: str
    changed: str
    steps: tuple[Step, ...]
    outputs: tuple[Visible, ...]
    comparisons: tuple[Comparison, ...]


def resolve_ref(spec: Spec, graph: Graph, text: str) -> int:
    """The node ``text`` names (``dataset:orders`` or a bare id naming one entity); an
    unknown one is a :class:`UsageError` naming the closest known refs."""
    if text in graph.nodes:
        return graph.nodes[text]
    prefix, colon, ident = text.partition(":")
    if not colon:
        matches = [ref for ref in graph.refs if ref.partition(":")[2] == text]
        if len(matches) == 1:
            return graph.nodes[matches[0]]
        if matches:
            raise UsageError(
                f"'{text}' names several entities ({', '.join(matches)}); write the typed reference"
            )
    close = closest(text, graph.refs, n=3, cutoff=0.5)
    if not close and colon:
        close = closest(ident, [r.partition(":")[2] for r in graph.refs], n=3, cutoff=0.5)
        close = [ref for ref in graph.refs if ref.partition(":")[2] in close][:3]
    where = spec.document.path
    if colon and prefix not in REF_PREFIX:
        hint = f"; a reference starts with one of {', '.join(sorted(REF_PREFIX))}"
    elif close:
        hint = f"; did you mean {' or '.join(close)}?"
    elif graph.refs:
        hint = f"; known entities include {', '.join(graph.refs[:6])}"
    else:
        hint = "; the spec defines no entities"
    raise UsageError(f"{text} is not defined in {where}{hint}")


def _kind(graph: Graph, node: int, reached_by: set[str]) -> str:
    entity = graph.entities[node]
    if entity.kind == "datasets":
        return "re-run"
    if entity.kind == "features":
        return "re-materialise"
    if entity.kind == "models":
        return "re-train" if reached_by & {"trained_on", "features"} else "re-run"
    if entity.kind == "outputs":
        return "re-run" if holds_precomputed(entity) else "serve"
    return "re-run"


def _delay(entity: Entity, kind: str, triggered: bool, read: Read | None) -> tuple[float, bool]:
    """(seconds, unknown) a step adds once its inputs carry the change: the staleness walk's
    own delay of the entity (a model's retrain cycle only when it re-trains), started at once
    when a declaration triggers it."""
    mode = MODEL if kind == "re-train" else DATA
    own = own_delay(entity, mode, triggered=triggered, read=read)
    return own.total, own.unknown


def plan(spec: Spec, changed: str) -> Plan:
    """The ordered plan for a change to ``changed`` (a typed reference or a unique id).

    One pass over the affected nodes in topological order, group by group: a lineage cycle
    is one step of the walk, entered where its slowest input enters (or where the change
    starts), each member after the member it is reached from by the fewest hops, and every
    member ready once the whole cycle has run (each member's delay once)."""
    graph = lineage_graph(Analysis(spec))
    start = resolve_ref(spec, graph, changed)
    affected = graph.descendants(start)
    order = sorted(affected, key=graph.position.__getitem__)
    ready: dict[int, float] = {start: 0.0}
    slowest: dict[int, int] = {}
    steps: list[Step] = []
    group = graph.group
    place = 0
    while place < len(order):
        gid = group[order[place]]
        members = graph.groups[gid]  # a cycle is affected whole, or not at all
        place += len(members)
        if start in members:
            root, base = start, 0.0
        else:
            entering = [
                (u, v) for v in members for u, _ in graph.up[v] if u in affected and group[u] != gid
            ]
            u, root = max(entering, key=lambda pair: ready[pair[0]])
            base = ready[u]
            slowest[root] = u
        tree = _inner_tree(graph, gid, root)
        for member, parent in tree.items():
            if member != root:
                slowest[member] = parent
        planned = []
        for node in tree:
            if node == start:
                continue
            entity = graph.entities[node]
            preds = [(u, kind) for u, kind in graph.up[node] if u in affected]
            kind = _kind(graph, node, {k for _, k in preds})
            if len(members) == 1:
                # One hop: the input whose readiness plus the hop table's wait is latest.
                mode = MODEL if kind == "re-train" else DATA
                u, edge, wait = max(
                    ((u, edge, hop_wait(graph, u, node, edge, mode)) for u, edge in preds),
                    key=lambda item: ready[item[0]] + item[2].total,
                )
                base, slowest[node] = ready[u], u
                started = trigger(graph, u, node, edge, mode)
                planned.append((node, kind, wait.total, started, wait.unknown))
                continue
            started = _trigger(graph, node, preds, kind)
            delay, unknown = _delay(entity, kind, started is not None, feature_input(graph, node))
            planned.append((node, kind, delay, started, unknown))
        done = round(base + sum(item[2] for item in planned), 6)
        for node, kind, delay, started_by, unknown in planned:
            ready[node] = done
            steps.append(
                Step(
                    graph.refs[node],
                    kind,
                    round(delay, 6),
                    done,
                    started_by,
                    graph.refs[slowest[node]],
                    unknown,
                )
            )
    outputs = []
    for node in order:
        if graph.entities[node].kind != "outputs" or node == start:
            continue
        chain = [node]
        while chain[-1] != start:
            chain.append(slowest[chain[-1]])
        outputs.append(
            Visible(graph.refs[node], ready[node], tuple(graph.refs[n] for n in reversed(chain)))
        )
    return Plan(
        spec.document.path,
        graph.refs[start],
        tuple(steps),
        tuple(outputs),
        tuple(_comparisons(graph, order)),
    )


def _inner_tree(graph: Graph, gid: int, root: int) -> dict[int, int]:
    """The members of group ``gid`` in breadth-first order from ``root``, each with the
    member it is first reached from (the root with itself)."""
    tree = {root: root}
    queue = [root]
    for here in queue:
        for there, _ in graph.down[here]:
            if graph.group[there] == gid and there not in tree:
                tree[there] = here
                queue.append(there)
    return tree


def _trigger(graph: Graph, node: int, preds: list[tuple[int, str]], kind: str) -> str | None:
    """The declaration that starts this step as soon as its input changes, if any."""
    ref = graph.refs[node]
    for u, _ in preds:
        for field_name, listed in declares(graph.entities[u]).items():
            if ref in listed:
                return f"{graph.refs[u]} {field_name}"
    entity = graph.entities[node]
    if kind == "re-train":
        triggers = set(field_refs(entity.fields, "retrain", "triggers")) & START_TRIGGERS
        if triggers:
            return f"{ref} retrain.triggers ({', '.join(sorted(triggers))})"
    return None


def _comparisons(graph: Graph, order: list[int]) -> list[Comparison]:
    """Each declared list of the affected entities against what the graph derives. Whether a
    declared entity is downstream at all is one search per declaring entity, but a bounded
    one: it stops once every entity its lists name is found, and never goes past the last of
    them in topological order. Lists that name direct consumers (the usual case) cost their
    entity's out-degree; only a name that is not downstream costs the region up to it."""
    result = []
    for node in order:
        entity = graph.entities[node]
        declared_lists = declares(entity)
        wanted = {ref for declared in declared_lists.values() for ref in declared}
        reached = _reached(graph, node, wanted) if wanted else set()
        for field_name, declared in declared_lists.items():
            derived = followers(graph, node, field_name)
            if not declared and not derived:
                continue
            missing = [ref for ref in derived if ref not in declared]
            extra = [ref for ref in declared if ref not in reached]
            result.append(
                Comparison(
                    entity.ref,
                    field_name,
                    tuple(declared),
                    tuple(derived),
                    tuple(missing),
                    tuple(extra),
                )
            )
    return result


def _reached(graph: Graph, start: int, wanted: set[str]) -> set[str]:
    """Those of ``wanted`` (refs) that are downstream of ``start`` over lineage edges (start
    included), by a search that stops when all are found and prunes nodes placed after the
    last group any of them is in."""
    targets = {graph.nodes[ref] for ref in wanted if ref in graph.nodes}
    if not targets:
        return set()
    last_group = max(graph.group[t] for t in targets)
    found = {start} & targets
    seen = {start}
    stack = [start]
    while stack and len(found) < len(targets):
        here = stack.pop()
        for there, _ in graph.down[here]:
            if there not in seen and graph.group[there] <= last_group:
                seen.add(there)
                if there in targets:
                    found.add(there)
                stack.append(there)
    return {graph.refs[node] for node in found}


# -- rendering ----------------------------------------------------------------------------------


def render_json(result: Plan) -> str:
    """The plan as JSON: durations in seconds."""
    return json.dumps(asdict(result), indent=2, ensure_ascii=False) + "\n"


def _show(seconds: float) -> str:
    return format_duration(seconds) if seconds else "0s"


def render_text(result: Plan) -> str:
    """The plan for people: steps in order, then each output, then declared versus derived."""
    lines = [f"{result.file}: changing {result.changed}", ""]
    if not result.steps:
        lines += ["Nothing downstream: no step to run, no output affected.", ""]
    else:
        count = len(result.steps)
        lines.append(f"Plan ({count} step{'s' if count != 1 else ''}, in order):")
        width_kind = max(len(s.kind) for s in result.steps)
        width_ref = max(len(s.ref) for s in result.steps)
        for number, step in enumerate(result.steps, start=1):
            how = (
                f"started by {step.triggered_by}"
                if step.triggered_by
                else "waits for its next scheduled run"
                if step.delay
                else ""
            )
            if step.unknown:
                how = (how + "; " if how else "") + "its interval is not stated (counted as 0)"
            lines.append(
                f"  {number:>3}. {step.kind:<{width_kind}}  {step.ref:<{width_ref}}  "
                f"+{_show(step.delay):<8} ready after "
                f"{_show(step.ready):<8}{'  ' + how if how else ''}".rstrip()
            )
        lines.append("")
    if result.outputs:
        lines.append("Visible in outputs:")
        width = max(len(v.ref) for v in result.outputs)
        for visible in result.outputs:
            lines.append(
                f"  {visible.ref:<{width}}  after {_show(visible.after):<8} "
                f" via {' → '.join(visible.path)}"
            )
        lines.append("")
    if result.comparisons:
        lines.append("Declared versus derived:")
        for item in result.comparisons:
            parts = []
            if item.missing:
                parts.append(f"not declared: {', '.join(item.missing)}")
            if item.extra:
                parts.append(f"declared but not downstream: {', '.join(item.extra)}")
            verdict = "; ".join(parts) if parts else "matches"
            lines.append(f"  {item.ref} {item.field}: {verdict}")
        lines.append("")
    return "\n".join(lines)


def render(result: Plan, output_format: str) -> str:
    """The plan in ``text`` or ``json``."""
    if output_format == "json":
        return render_json(result)
    return render_text(result)


def impact(
    spec_path: Path,
    changed: str,
    *,
    output_format: str,
    max_file_size: int,
    warn: Callable[[str], None],
) -> str:
    """The plan for a change to ``changed`` in the spec at ``spec_path``, rendered."""
    from consider.commands.reading import read_for_lineage

    spec = read_for_lineage(spec_path, max_file_size, warn)
    return render(plan(spec, changed), output_format)
