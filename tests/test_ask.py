"""``consider ask``: driven in a real pseudo-terminal, answers written back line by line."""

from __future__ import annotations

import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from consider.answers import Answer, Editor, field
from consider.check import read_spec
from consider.engine import RuleSet
from consider.errors import UsageError
from consider.findings import Kind

pexpect = pytest.importorskip("pexpect")

Run = Callable[..., tuple[int, str, str]]

SPEC = """\
# The home page rows: a spec for the questionnaire test.
consider: 1

product:
  name: Home rows   # shown on the home page
  owner: team-discovery
  working_backwards:
    customer: "Returning shoppers"
    problem: 'Generic rows'
    solution: Rows picked for you
    benefits:
      - Find something in seconds   # the main one

# What we compute.
outputs:
  home-rows:
    input_space: finite    # every user is known
    decision: rank
    depends_on: [model:ranker]

  # Typed queries: anything can be asked.
  search-box:
    input_space: unbounded
    depends_on: [model:ranker]

models:
  ranker:
    trained_on: [dataset:orders]   # daily orders

datasets:
  orders:
    refresh: {method: batch, interval: 1d}
"""


def _consider() -> list[str]:
    # The console script beside the running interpreter (CI does not put .venv/bin on PATH).
    script = Path(sys.executable).parent / "consider"
    if script.exists():
        return [str(script)]
    found = shutil.which("consider")
    return [found] if found else [sys.executable, "-m", "consider"]


def _spawn(spec: Path, *args: str) -> pexpect.spawn:
    command = [*_consider(), "ask", spec.name, "--date", "2026-03-02", *args]
    return pexpect.spawn(
        command[0],
        command[1:],
        cwd=str(spec.parent),
        encoding="utf-8",
        timeout=20,
        dimensions=(50, 400),
    )


def _answer(child: pexpect.spawn, header: str, typed: str) -> str:
    """Wait for the question ``header`` and its prompt; answer; return what was shown."""
    child.expect_exact(header)
    child.expect_exact("\r\n> ")
    shown: str = child.before
    child.sendline(typed)
    return shown


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    return path


def test_a_session_in_a_terminal(spec_file: Path) -> None:
    child = _spawn(spec_file, "--only-pack", "realtime")
    child.expect_exact(
        "spec.yaml: 6 open questions, most urgent first. Type an answer, or skip, tbd "
        "(known, not decided yet) or quit."
    )
    shown = _answer(child, "[1/6] realtime · output:home-rows · output-mode", "")
    assert shown.splitlines()[-5:] == [
        "  recommended: precomputed: Every input is known ahead of time and no user action must "
        "show up at once, so answers can be computed in batch and served from a key-value store. "
        "(press Enter to accept)",
        "  1) online",
        "  2) precomputed (recommended)",
        "  3) hybrid",
        "  answer with a number from 1 to 3 or the choice's name",
    ]
    child.expect_exact("  wrote mode: precomputed to spec.yaml\r\n")
    child.expect_exact("  raised: warning precompute-unbounded-input: home-rows is precomputed")
    _answer(child, "[2/9] realtime · output:home-rows · precompute-cardinality", "tbd")
    child.expect_exact("  wrote cardinality: tbd to spec.yaml\r\n  no risk raised or cleared")
    _answer(child, "[3/9] realtime · output:home-rows · reacts-to", "skip")
    _answer(child, "[4/9] realtime · output:home-rows · cold-start", "skip")
    _answer(child, "[5/9] realtime · output:search-box · output-mode", "fast")
    child.expect_exact(
        "  'fast' is not one of the choices; answer with a number from 1 to 3 or the "
        "choice's name\r\n> "
    )
    child.sendline("1")
    child.expect_exact("  wrote mode: online to spec.yaml\r\n")
    child.expect_exact("  raised: warning realtime-without-fallback:")
    for header in ("reacts-to", "output-fallback", "fanout", "cold-start"):
        _answer(child, f"realtime · output:search-box · {header}", "skip")
    _answer(child, "[10/13] realtime · output:home-rows · precompute-schedule", "six hours")
    child.expect_exact(
        "  'six hours' is not a duration; answer with a duration such as 6h (every six hours)\r\n> "
    )
    child.sendline("6h")
    child.expect_exact("  wrote precompute.schedule: 6h to spec.yaml\r\n")
    _answer(child, "[11/13] realtime · output:home-rows · precompute-runtime", "quit")
    child.expect_exact("4 answers written to spec.yaml; 41 open questions left: ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    # Line by line: the original lines, in order, with the answers and the log added.
    written = spec_file.read_text().splitlines()
    original = SPEC.splitlines()
    expected = [
        *original[:18],
        "    depends_on: [model:ranker]",
        "    mode: precomputed",
        "    cardinality: tbd",
        "    precompute:",
        "      schedule: 6h",
        *original[19:24],
        "    mode: online",
        *original[24:],
        "clarifications:",
        "  - question: output-mode",
        "    target: output:home-rows",
        "    answer: precomputed",
        "    date: '2026-03-02'",
        "  - question: precompute-cardinality",
        "    target: output:home-rows",
        "    answer: tbd",
        "    date: '2026-03-02'",
        "  - question: output-mode",
        "    target: output:search-box",
        "    answer: online",
        "    date: '2026-03-02'",
        "  - question: precompute-schedule",
        "    target: output:home-rows",
        "    answer: 6h",
        "    date: '2026-03-02'",
    ]
    assert original[18] == "    depends_on: [model:ranker]"
    assert written == expected
    comments = [line for line in original if "#" in line]
    assert [line for line in written if "#" in line] == comments


def test_ctrl_c_keeps_the_answers_given(spec_file: Path, builtin_rules: RuleSet) -> None:
    child = _spawn(spec_file, "--entity", "output:home-rows")
    _answer(child, "· output-mode", "2")
    child.expect_exact("  wrote mode: precomputed to spec.yaml")
    child.expect_exact("· precompute-cardinality")
    child.expect_exact("\r\n> ")
    child.send("half an ans")
    child.kill(signal.SIGINT)
    child.expect_exact("interrupted: 1 answer written to spec.yaml;")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    spec = read_spec(spec_file)
    assert [f for f in spec.findings if f.kind is Kind.SCHEMA] == []
    assert spec.collections["outputs"]["home-rows"].raw["mode"] == "precomputed"
    assert "half" not in spec_file.read_text()
    assert [p.name for p in spec_file.parent.iterdir()] == ["spec.yaml"]


def test_not_a_terminal(spec_file: Path, run_cli: Run) -> None:
    code, out, err = run_cli("ask", spec_file)
    assert (code, out) == (2, "")
    assert err == (
        "consider: consider ask needs a terminal to ask its questions in; to list them "
        f"without one, run: consider questions {spec_file}\n"
    )
    assert spec_file.read_text() == SPEC


def test_a_missing_spec_is_named_before_the_terminal_is_asked_for(
    tmp_path: Path, run_cli: Run
) -> None:
    missing = tmp_path / "nothere.yaml"
    assert run_cli("ask", str(missing)) == (
        2,
        "",
        f"consider: {missing}: file not found; check the path\n",
    )


@pytest.mark.parametrize(
    ("kind", "path", "typed", "value"),
    [
        ("slos", "freshness.max_staleness", "1d", "1d"),
        ("slos", "availability", "99.9%", "99.9%"),
        ("sources", "volume.peak", "1200/s", "1200/s"),
        ("models", "trained_on", "dataset:orders", ["dataset:orders"]),
        ("models", "reproducible", "yes", True),
        ("outputs", "fanout.count", "12", 12),
        ("outputs", "reacts_to", "[]", []),
        ("models", "inputs_from", "none", []),
    ],
)
def test_typed_answers(kind: str, path: str, typed: str, value: object) -> None:
    accepts = field(kind, path, lambda ref: ref == "dataset:orders")
    assert accepts.parse is not None
    assert accepts.parse(typed) == value


@pytest.mark.parametrize(
    ("kind", "path", "typed", "reason"),
    [
        ("slos", "freshness.max_staleness", "1 month", "'1 month' is not a duration"),
        ("slos", "availability", "high", "'high' is not a percentage"),
        ("models", "trained_on", "dataset:nope", "dataset:nope names no entity of this spec"),
        ("models", "trained_on", "orders", "'orders' is not a reference; write dataset:ID"),
        ("models", "reproducible", "maybe", "'maybe' is not yes or no"),
    ],
)
def test_invalid_typed_answers(kind: str, path: str, typed: str, reason: str) -> None:
    accepts = field(kind, path, lambda ref: ref == "dataset:orders")
    assert accepts.parse is not None
    with pytest.raises(ValueError, match=reason):
        accepts.parse(typed)


def test_a_layout_that_cannot_be_kept_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    text = "consider: 1\nproduct:\n    name:    X\n"
    path.write_text(text)
    with pytest.raises(UsageError, match="cannot be kept exactly"):
        Editor(path, text)


def test_a_file_changed_meanwhile_is_not_overwritten(spec_file: Path) -> None:
    editor = Editor(spec_file, SPEC)
    spec_file.write_text(SPEC + "# mine\n")
    answer = Answer(
        "outputs", "home-rows", "mode", "online", "output-mode", "output:x", "2026-03-02"
    )
    with pytest.raises(UsageError, match="was changed by something else"):
        editor.write(answer)
    assert spec_file.read_text() == SPEC + "# mine\n"


def test_an_answer_the_schema_refuses_is_not_written(spec_file: Path) -> None:
    editor = Editor(spec_file, SPEC)
    answer = Answer("outputs", "home-rows", "mode", "sometimes", "output-mode", "x", "2026-03-02")
    with pytest.raises(ValueError, match="mode"):
        editor.write(answer)
    assert spec_file.read_text() == SPEC


def test_duplicate_keys_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    text = "consider: 1\nproduct:\n  name: X\n  name: Y\n"
    path.write_text(text)
    with pytest.raises(UsageError) as refused:
        Editor(path, text)
    assert str(refused.value) == (
        f'{path} cannot be edited safely (found duplicate key "name" with value "Y" (original '
        f'value: "X")); fix what `consider check {path}` reports (duplicate keys, say), then '
        "ask again"
    )
    assert path.read_text() == text
