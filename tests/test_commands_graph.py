"""``consider graph``: Graphviz accepts the DOT, the Mermaid is well formed, all is escaped."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import spec_of

from consider.check import read_spec
from consider.cli import cli
from consider.commands.graph import (
    Drawing,
    Edge,
    Node,
    dot_quote,
    layout,
    mermaid_text,
    render_dot,
    render_json,
    render_mermaid,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
DOT = shutil.which("dot")
needs_dot = pytest.mark.skipif(
    DOT is None,
    reason="Graphviz's `dot` is not installed (Debian: apt-get install graphviz); "
    ".ci/run installs it so this runs in CI",
)

HOSTILE = 'a"b\\c\n<br/>#35; `x` [y] {z} |w| & ; -->'


def hostile_drawing() -> Drawing:
    return Drawing(
        file=HOSTILE,
        nodes=(
            Node("source:a", "sources", (HOSTILE, "batch")),
            Node(HOSTILE, "outputs", ("x", HOSTILE), state="over", loop=True),
        ),
        edges=(
            Edge("source:a", HOSTILE, "depends_on", critical="over"),
            Edge(HOSTILE, "source:a", "logged_from", loop=True),
        ),
    )


@needs_dot
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_graphviz_accepts_the_dot_of_every_example(path: Path) -> None:
    text = render_dot(layout(read_spec(path)))
    done = subprocess.run(
        [DOT or "dot", "-Tsvg"], input=text, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "<svg" in done.stdout and not done.stderr


@needs_dot
def test_graphviz_accepts_hostile_ids_and_labels() -> None:
    done = subprocess.run(
        [DOT or "dot", "-Tsvg"],
        input=render_dot(hostile_drawing()),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_dot_strings_are_quoted_and_escaped() -> None:
    assert dot_quote('say "hi" \\ now') == '"say \\"hi\\" \\\\ now"'
    assert dot_quote("two\nlines") == '"two lines"'


# A line of our Mermaid is one of these, and nothing else.
_ID = r"n\d+"
_LABEL = r'[^"\n<>]*(?:<br/>[^"\n<>]*)*'
_MERMAID_LINES = [
    re.compile(r"^flowchart LR$"),
    re.compile(
        rf'^  {_ID}(?:\[\("{_LABEL}"\)\]|\[\["{_LABEL}"\]\]|\(\["{_LABEL}"\]\)|'
        rf'\{{\{{"{_LABEL}"\}}\}}|\["{_LABEL}"\])$'
    ),
    re.compile(rf"^  {_ID} (?:-->|==>|-\.->)(?:\|[a-z ]+\|)? {_ID}$"),
    re.compile(r"^  classDef [a-z]+ [a-z0-9:#,\-]+$"),
    re.compile(rf"^  class {_ID}(?:,{_ID})* [a-z]+$"),
    re.compile(r"^  linkStyle \d+(?:,\d+)* [a-z0-9:#,\-]+$"),
]


def assert_well_formed_mermaid(text: str) -> None:
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    declared: set[str] = set()
    edges = 0
    for line in lines:
        assert any(p.match(line) for p in _MERMAID_LINES), f"not well formed: {line!r}"
        node = re.match(rf"^  ({_ID})[\[({{]", line)
        if node:
            assert node[1] not in declared
            declared.add(node[1])
        edge = re.match(rf"^  ({_ID}) \S+ ({_ID})$", line)
        if edge:
            edges += 1
            assert {edge[1], edge[2]} <= declared, "edge to an undeclared node"
        style = re.match(r"^  linkStyle ([\d,]+) ", line)
        if style:
            assert all(int(n) < edges for n in style[1].split(","))
        classed = re.match(rf"^  class ({_ID}(?:,{_ID})*) ", line)
        if classed:
            assert set(classed[1].split(",")) <= declared
    # entity codes only where we wrote them, each closed
    for code in re.findall(r"#[^;\s\"]*;?", text):
        if not code.startswith(("#9", "#f", "#d", "#2", "#e", "#1")):  # colours in styles
            assert re.fullmatch(r"#\d+;", code), code


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_mermaid_of_every_example_is_well_formed(path: Path) -> None:
    assert_well_formed_mermaid(render_mermaid(layout(read_spec(path))))


def test_mermaid_escapes_hostile_labels() -> None:
    text = render_mermaid(hostile_drawing())
    assert_well_formed_mermaid(text)
    assert mermaid_text('a"b') == "a#34;b"
    assert mermaid_text("<br/>") == "#60;br/#62;"
    assert mermaid_text("#35;") == "#35;35;"


def test_the_critical_path_and_the_loop_are_marked() -> None:
    drawing = layout(read_spec(EXAMPLES / "home-recommender.yaml"))
    critical = [(e.source, e.target, e.critical) for e in drawing.edges if e.critical]
    assert critical == [
        ("dataset:orders-daily", "feature:user-category-affinity", "over"),
        ("feature:user-category-affinity", "output:home-rows", "over"),
        ("source:orders-db", "dataset:orders-daily", "over"),
    ]
    output = next(n for n in drawing.nodes if n.id == "output:home-rows")
    assert output.lines == (
        "output:home-rows",
        "online",
        "worst 75h40m vs SLO 1h (home-rows-freshness)",
    )
    assert output.state == "over" and output.loop
    assert drawing.loops == (("output:home-rows", "model:home-ranker", "dataset:impressions-log"),)
    loop_edges = {(e.source, e.target) for e in drawing.edges if e.loop}
    assert loop_edges == {
        ("model:home-ranker", "output:home-rows"),
        ("dataset:impressions-log", "model:home-ranker"),
        ("output:home-rows", "dataset:impressions-log"),
    }


def test_labels_say_how_each_entity_is_collected_or_served() -> None:
    drawing = layout(read_spec(EXAMPLES / "home-recommender.yaml"))
    lines = {n.id: n.lines[1] for n in drawing.nodes}
    assert lines["source:orders-db"] == "batch pull every 1d (+2h)"
    assert lines["source:clickstream"] == "stream push, lag 2m"
    assert lines["feature:user-category-affinity"] == "batch, materialised every 1d (+40m)"
    assert lines["model:home-ranker"] == "retrain every 1d, +3h, deploy 1h"
    assert lines["service:deals-partner"] == "99.5%, p99 300ms"


def test_json_has_nodes_edges_paths_and_loops() -> None:
    data = json.loads(render_json(layout(read_spec(EXAMPLES / "weekly-digest.yaml"))))
    assert set(data) == {"file", "nodes", "edges", "critical_paths", "loops"}
    (path,) = data["critical_paths"]
    assert path["slo"] == "weekly-digest-delivery" and path["state"] == "near"
    assert path["worst"] == 205 * 3600.0


def test_an_output_without_freshness_slo_shows_its_worst_case() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: plain}
        outputs:
          out: {mode: online, depends_on: [source:s]}
        sources:
          s: {method: batch, interval: 1h}
    """)
    node = next(n for n in layout(spec).nodes if n.id == "output:out")
    assert node.lines[-1] == "worst 1h (no freshness SLO)" and node.state == ""


@pytest.mark.parametrize("output_format", ["mermaid", "dot", "json"])
def test_cli_graph_formats(output_format: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["graph", str(EXAMPLES / "checkout-fraud.yaml"), "--format", output_format],
        standalone_mode=False,
    )
    assert result.exit_code == 0, result.output
    assert "fraud-score" in result.output


@needs_dot
def test_the_installed_command_pipes_into_graphviz(tmp_path: Path) -> None:
    # Beside the running interpreter first: CI does not put .venv/bin on PATH.
    consider = shutil.which("consider", path=str(Path(sys.executable).parent))
    consider = consider or shutil.which("consider")
    if consider is None:
        pytest.skip("the console script is not installed")
    dot = subprocess.run(
        [consider, "graph", str(EXAMPLES / "weekly-digest.yaml"), "--format", "dot"],
        capture_output=True,
        text=True,
        check=True,
    )
    svg = subprocess.run(
        [DOT or "dot", "-Tsvg"], input=dot.stdout, capture_output=True, text=True, check=True
    )
    assert "weekly&#45;digest" in svg.stdout  # SVG writes hyphens as entities


def test_a_zero_freshness_target_is_drawn_over_as_the_fact_says() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: zero}
        outputs:
          out: {mode: online, depends_on: [source:s]}
        slos:
          fresh: {applies_to: output:out, freshness: {max_staleness: 0s}}
        sources:
          s: {method: batch, interval: 1h}
    """)
    drawing = layout(spec)
    node = next(n for n in drawing.nodes if n.id == "output:out")
    assert node.state == "over"
    (path,) = drawing.critical_paths
    assert path.state == "over" and path.worst == 3600.0
    assert "Infinity" not in render_json(drawing)  # still valid JSON
