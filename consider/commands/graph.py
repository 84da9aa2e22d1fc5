"""``consider graph``: the lineage drawn for people, as Mermaid, Graphviz DOT or JSON.

Each node is labelled with how it is collected, refreshed or served (``batch pull every
24h (+2h)``, ``retrain every 24h, +3h, deploy 1h``); each output with its worst-case
staleness against each freshness SLO. The worst path of every output (against its tightest
freshness SLO, else over all its inputs) is drawn thick: red when it breaks the SLO, amber
above 80% of it. Loops are drawn in purple, their feedback edges dashed.

Every id and label is escaped for the format: DOT quoted strings escape backslashes and
quotes; Mermaid nodes get generated ids (``n0``, ``n1``...) and labels whose characters
outside a small safe set are written as entity codes (``#35;``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from consider.analysis import Analysis
from consider.facts.staleness import output_staleness, slo_staleness
from consider.lineage.delays import describe_collection
from consider.lineage.graph import DRAWING, FEEDBACK, Graph, lineage_graph
from consider.lineage.staleness import Walk, data_walk, slo_walk, walk_path
from consider.model import Spec
from consider.units import format_duration

FORMATS = ("mermaid", "dot", "json")
NEAR = 0.8
"""Share of an SLO above which a path is drawn as near its limit."""


@dataclass(frozen=True, slots=True)
class Node:
    """One entity as drawn."""

    id: str
    kind: str
    lines: tuple[str, ...]
    state: str = ""
    """``over``, ``near`` or ``ok`` for outputs with a freshness SLO; empty otherwise."""
    loop: bool = False
    critical: bool = False


@dataclass(frozen=True, slots=True)
class Edge:
    """One edge as drawn."""

    source: str
    target: str
    type: str
    critical: str = ""
    """The state of the critical path it is on (``over``, ``near``, ``ok``), or empty."""
    loop: bool = False


@dataclass(frozen=True, slots=True)
class CriticalPath:
    """The worst staleness path of one output, against one SLO (or none)."""

    output: str
    slo: str | None
    worst: float | None
    max_staleness: float | None
    ratio: float | None
    state: str
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Drawing:
    """What is drawn, independent of the format."""

    file: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    critical_paths: tuple[CriticalPath, ...] = ()
    loops: tuple[tuple[str, ...], ...] = field(default=())


def _state(ratio: float | None) -> str:
    if ratio is None:
        return "ok"
    if ratio > 1:
        return "over"
    return "near" if ratio > NEAR else "ok"


def layout(spec: Spec) -> Drawing:
    """The drawing of a spec's lineage: nodes, edges, critical paths and loops.

    The figures are the staleness facts' (``_facts.staleness`` of each SLO, else of the
    output); the path drawn is the fact's, read whole from the same walk (the fact elides a
    very long one)."""
    analysis = Analysis(spec)
    graph = lineage_graph(analysis)
    by_slo = slo_staleness(analysis)
    by_output = output_staleness(analysis)
    paths: list[CriticalPath] = []
    output_lines: dict[str, list[str]] = {}
    output_state: dict[str, str] = {}
    highlighted: dict[str, CriticalPath] = {}
    for output in spec.entities("outputs"):
        node = graph.nodes[output.ref]
        lines: list[str] = []
        found: list[CriticalPath] = []
        for slo in spec.entities("slos"):
            fact = by_slo.get(slo.id)
            if slo.fields.get("applies_to") != output.ref or fact is None:
                continue
            promised = fact["max_staleness"]
            if promised is None:
                continue
            worst, ratio = fact["worst"], fact["ratio"]
            route = _route(graph, slo_walk(analysis, slo), node) if worst is not None else ()
            found.append(
                CriticalPath(output.ref, slo.id, worst, promised, ratio, _state(ratio), route)
            )
            shown = format_duration(worst) if worst is not None else "n/a"
            lines.append(f"worst {shown} vs SLO {format_duration(promised)} ({slo.id})")
        unpromised = by_output.get(output.id)
        if not found and unpromised is not None:
            worst = unpromised["worst"]
            route = _route(graph, data_walk(analysis), node)
            found.append(CriticalPath(output.ref, None, worst, None, None, "ok", route))
            lines.append(f"worst {format_duration(worst or 0.0)} (no freshness SLO)")
        paths.extend(found)
        if found:
            tightest = max(found, key=lambda p: (p.ratio or 0.0, p.worst or 0.0))
            highlighted[output.ref] = tightest
            if tightest.slo is not None:
                output_state[output.ref] = tightest.state
        output_lines[output.ref] = lines
    on_path: dict[tuple[str, str], str] = {}
    critical_nodes: set[str] = set()
    rank = {"ok": 0, "near": 1, "over": 2}
    for chosen in highlighted.values():
        if len(chosen.path) < 2:
            continue
        critical_nodes.update(chosen.path)
        for pair in zip(chosen.path, chosen.path[1:], strict=False):
            current = on_path.get(pair)
            if current is None or rank[chosen.state] > rank[current]:
                on_path[pair] = chosen.state
    in_loop = {graph.refs[n] for group in graph.loops for n in group}
    loop_edges = _loop_edges(graph)
    nodes = []
    for entity in graph.entities:
        lines = [entity.ref, describe_collection(entity), *output_lines.get(entity.ref, [])]
        nodes.append(
            Node(
                entity.ref,
                entity.kind,
                tuple(line for line in lines if line),
                output_state.get(entity.ref, ""),
                entity.ref in in_loop,
                entity.ref in critical_nodes,
            )
        )
    edges = []
    for source, target, kind in graph.edges():
        pair = (graph.refs[source], graph.refs[target])
        critical = on_path.get(pair, "") if kind != FEEDBACK else ""
        edges.append(Edge(pair[0], pair[1], kind, critical, (source, target) in loop_edges))
    loops = tuple(tuple(graph.refs[n] for n in group) for group in graph.loops)
    return Drawing(spec.document.path, tuple(nodes), tuple(edges), tuple(paths), loops)


def _route(graph: Graph, walk: Walk, node: int) -> tuple[str, ...]:
    return tuple(graph.refs[i] for i in walk_path(walk, node))


def _loop_edges(graph: Graph) -> set[tuple[int, int]]:
    member = {}
    for number, group in enumerate(graph.loops):
        for node in group:
            member[node] = number
    return {
        (u, v)
        for u, v, kind in graph.edges()
        if kind not in DRAWING and u in member and member.get(v) == member[u]
    }


# -- Graphviz DOT -------------------------------------------------------------------------------

_DOT_SHAPES = {
    "sources": ("cylinder", "#e0f2fe"),
    "datasets": ("cylinder", "#ecfccb"),
    "features": ("box", "#fef9c3"),
    "models": ("box3d", "#ede9fe"),
    "outputs": ("box", "#ffffff"),
    "services": ("hexagon", "#f1f5f9"),
    "stores": ("cylinder", "#f1f5f9"),
}
_STATE_COLOURS = {"over": "#dc2626", "near": "#d97706", "ok": "#2563eb"}
_LOOP_COLOUR = "#9333ea"
_EDGE_STYLES = {
    "calls": 'style=dashed, color="#64748b"',
    FEEDBACK: f'style=dashed, color="{_LOOP_COLOUR}", label="logged", '
    f'fontcolor="{_LOOP_COLOUR}", constraint=false',
    "fallback": 'style=dotted, color="#64748b", label="fallback"',
    "cold_start": 'style=dotted, color="#64748b", label="cold start"',
    "writes": 'style=dotted, color="#94a3b8", arrowhead=odot, constraint=false',
    "stored_in": 'style=dotted, color="#94a3b8", arrowhead=odot, constraint=false',
}


def dot_quote(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, control characters dropped."""
    cleaned = "".join(ch if ch >= " " else " " for ch in text)
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_label(lines: tuple[str, ...]) -> str:
    escaped = [dot_quote(line)[1:-1] for line in lines]
    return '"' + "\\n".join(escaped) + '"'


def render_dot(drawing: Drawing) -> str:
    """The drawing as a Graphviz digraph (``dot -Tsvg`` renders it)."""
    out = [
        "digraph lineage {",
        f"  graph [rankdir=LR, fontname=Helvetica, fontsize=11, labelloc=t, "
        f"label={dot_quote('lineage of ' + drawing.file)}];",
        '  node [style="rounded,filled", fontname=Helvetica, fontsize=10];',
        '  edge [fontname=Helvetica, fontsize=9, color="#475569"];',
    ]
    for node in drawing.nodes:
        shape, fill = _DOT_SHAPES.get(node.kind, ("box", "#ffffff"))
        attributes = [f"label={_dot_label(node.lines)}", f"shape={shape}", f'fillcolor="{fill}"']
        if node.kind == "outputs":
            attributes.append("peripheries=2")
        if node.state:
            attributes.append(f'color="{_STATE_COLOURS[node.state]}", penwidth=2')
        elif node.loop:
            attributes.append(f'color="{_LOOP_COLOUR}", penwidth=2')
        out.append(f"  {dot_quote(node.id)} [{', '.join(attributes)}];")
    for edge in drawing.edges:
        attributes = [_EDGE_STYLES.get(edge.type, "")]
        if edge.critical:
            attributes = [f'color="{_STATE_COLOURS[edge.critical]}", penwidth=3']
        elif edge.loop and edge.type != FEEDBACK:
            attributes = [f'color="{_LOOP_COLOUR}", penwidth=1.5']
        if edge.type == FEEDBACK or edge.type in ("writes", "stored_in"):
            attributes = [_EDGE_STYLES[edge.type]]
        joined = ", ".join(a for a in attributes if a)
        tail = f" [{joined}]" if joined else ""
        out.append(f"  {dot_quote(edge.source)} -> {dot_quote(edge.target)}{tail};")
    out.append("}")
    return "\n".join(out) + "\n"


# -- Mermaid ------------------------------------------------------------------------------------

_MERMAID_SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;_-+/%'=*"
)
_MERMAID_SHAPES = {
    "sources": ('[("', '")]'),
    "datasets": ('[("', '")]'),
    "features": ('["', '"]'),
    "models": ('[["', '"]]'),
    "outputs": ('(["', '"])'),
    "services": ('{{"', '"}}'),
    "stores": ('[("', '")]'),
}
_MERMAID_ARROWS = {
    "calls": "-.->",
    FEEDBACK: "-.->|logged|",
    "fallback": "-.->|fallback|",
    "cold_start": "-.->|cold start|",
    "writes": "-.->",
    "stored_in": "-.->",
}


def mermaid_text(text: str) -> str:
    """Label text for a quoted Mermaid label: unsafe characters as ``#<code>;`` entities."""
    return "".join(ch if ch in _MERMAID_SAFE else f"#{ord(ch)};" for ch in text)


def render_mermaid(drawing: Drawing) -> str:
    """The drawing as a Mermaid flowchart (for Markdown that renders Mermaid)."""
    ids = {node.id: f"n{i}" for i, node in enumerate(drawing.nodes)}
    out = ["flowchart LR"]
    for node in drawing.nodes:
        opening, closing = _MERMAID_SHAPES.get(node.kind, ('["', '"]'))
        label = "<br/>".join(mermaid_text(line) for line in node.lines)
        out.append(f"  {ids[node.id]}{opening}{label}{closing}")
    link_styles: dict[str, list[int]] = {}
    for number, edge in enumerate(drawing.edges):
        arrow = "==>" if edge.critical else _MERMAID_ARROWS.get(edge.type, "-->")
        out.append(f"  {ids[edge.source]} {arrow} {ids[edge.target]}")
        if edge.critical:
            link_styles.setdefault(edge.critical, []).append(number)
        elif edge.loop:
            link_styles.setdefault("loop", []).append(number)
    out += [
        "  classDef over fill:#fee2e2,stroke:#dc2626,stroke-width:2px",
        "  classDef near fill:#fef3c7,stroke:#d97706,stroke-width:2px",
        "  classDef ok stroke:#2563eb,stroke-width:2px",
        f"  classDef loop stroke:{_LOOP_COLOUR},stroke-width:2px",
    ]
    for state in ("over", "near", "ok"):
        members = [ids[n.id] for n in drawing.nodes if n.state == state]
        if members:
            out.append(f"  class {','.join(members)} {state}")
    looped = [ids[n.id] for n in drawing.nodes if n.loop and not n.state]
    if looped:
        out.append(f"  class {','.join(looped)} loop")
    colours = {**_STATE_COLOURS, "loop": _LOOP_COLOUR}
    for state, numbers in link_styles.items():
        width = 3 if state != "loop" else 2
        out.append(
            f"  linkStyle {','.join(map(str, numbers))} "
            f"stroke:{colours[state]},stroke-width:{width}px"
        )
    return "\n".join(out) + "\n"


# -- JSON ---------------------------------------------------------------------------------------


def render_json(drawing: Drawing) -> str:
    """The drawing as JSON: nodes, edges, critical paths (seconds) and loops. A ratio with
    no finite value (any staleness against a target of 0) is null; its state says over."""
    data: dict[str, Any] = asdict(drawing)
    for path in data["critical_paths"]:
        if path["ratio"] is not None and not math.isfinite(path["ratio"]):
            path["ratio"] = None
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render(spec: Spec, output_format: str) -> str:
    """The spec's lineage in ``mermaid``, ``dot`` or ``json``."""
    drawing = layout(spec)
    renderers: Mapping[str, Any] = {
        "mermaid": render_mermaid,
        "dot": render_dot,
        "json": render_json,
    }
    text: str = renderers[output_format](drawing)
    return text


def graph(
    spec_path: Path, *, output_format: str, max_file_size: int, warn: Callable[[str], None]
) -> str:
    """The lineage of the spec at ``spec_path``, drawn in ``output_format``."""
    from consider.commands.reading import read_for_lineage

    return render(read_for_lineage(spec_path, max_file_size, warn), output_format)
