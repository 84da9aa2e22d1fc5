"""Bounds on pack expressions, on what the loader reads and builds, and on quoted values."""

from __future__ import annotations

import os
from pathlib import Path

import jmespath
import pytest

from consider import bounds
from consider.errors import InputError
from consider.loader import Limits, parse, read_bytes


def _parsed(expression: str) -> object:
    return jmespath.compile(expression).parsed


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("mode == 'online' || !fallback", None),
        ("_refs.depends_on[*].availability | min(@)", None),
        (" || ".join(["mode"] * 60), "nests more than 48 levels"),
        (" | ".join(["mode"] * 60), "nests more than 48 levels"),
        ("[@,@][][@,@][][@,@][][@,@][][@,@][]", "multiply its work"),
    ],
)
def test_an_expression_is_refused_past_its_bounds(expression: str, problem: str | None) -> None:
    found = bounds.problem(_parsed(expression))
    assert (found is None) if problem is None else (problem in (found or ""))


def test_an_evaluation_stops_past_its_work() -> None:
    many = "[" + ",".join(["@"] * 200) + "]"
    expression = _parsed(f"{many}[].{many}[].{many}[]")
    assert bounds.problem(expression) is None
    with pytest.raises(bounds.WorkExceeded, match="more than 250,000 steps"):
        bounds.BoundedInterpreter().search(expression, {})


def test_an_evaluation_within_its_work_gives_jmespaths_answer() -> None:
    data = {"items": [{"a": i} for i in range(100)]}
    assert bounds.BoundedInterpreter().search(_parsed("items[*].a | sum(@)"), data) == 4950


def test_clip_says_how_much_it_left_out() -> None:
    assert bounds.clip("x" * 10, 20) == "x" * 10
    assert bounds.clip("x" * 250, 200) == "x" * 200 + "... (50 more characters)"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("a: 0x" + "f" * 5000, "0x" + "f" * 5000),
        ("a: " + "9" * 5000, "9" * 5000),
        ("a: 1000000000000000000", "1000000000000000000"),
        ("a: .inf", ".inf"),
        ("a: -.inf", "-.inf"),
        ("a: .nan", ".nan"),
        ("a: 1e999", "1e999"),
        ("a: 12", 12),
        ("a: 1.5", 1.5),
    ],
)
def test_numbers_no_spec_means_are_kept_as_text(text: str, kept: object) -> None:
    assert parse(text, path="t.yaml").data == {"a": kept}


def test_aliases_are_bounded_by_the_bytes_they_expand_to() -> None:
    text = "a: &a {k: '" + "v" * 1000 + "'}\nb: [" + ", ".join(["*a"] * 30) + "]\n"
    assert parse(text, path="t.yaml", limits=Limits(max_alias_bytes=100_000)).data["b"]
    with pytest.raises(InputError, match=r"^t.yaml:2:\d+: aliases expand to more than 10,000 "):
        parse(text, path="t.yaml", limits=Limits(max_alias_bytes=10_000))


def test_a_fifo_is_refused_before_it_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"is a FIFO \(named pipe\), not a regular file"):
        read_bytes(fifo, display="spec.yaml", max_bytes=100)


def test_the_limit_is_on_the_bytes_read(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_bytes(b"x" * 101)
    with pytest.raises(InputError, match="over the limit of 100"):
        read_bytes(path, display="spec.yaml", max_bytes=100)
    assert read_bytes(path, display="spec.yaml", max_bytes=101) == b"x" * 101
