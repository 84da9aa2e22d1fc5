"""The README's picture of the output, regenerated from a real run so it stays true."""

from __future__ import annotations

from pathlib import Path

README_EXAMPLE = "examples/home-recommender.yaml"
_START, _END = "<!-- output:start -->", "<!-- output:end -->"


def readme_output(root: Path) -> str:
    """The text report of ``consider check`` on the README's example, as a terminal shows it."""
    from consider.check import check_file
    from consider.engine import load_rules
    from consider.report.text_format import render
    from consider.result import Result

    checked = check_file(root / README_EXAMPLE, load_rules(), display=README_EXAMPLE)
    return f"$ consider check {README_EXAMPLE}\n{render(Result((checked,)))}"


def with_output(readme: str, output: str) -> str:
    """The README with its output block replaced by ``output``."""
    head, rest = readme.split(_START, 1)
    _, tail = rest.split(_END, 1)
    return f"{head}{_START}\n```\n{output}```\n{_END}{tail}"
