"""The README's quickstart is what CI runs, and its picture is what the tool prints."""

from __future__ import annotations

import re

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quickstart() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:sh|bash|console)\n(.*?)\n```", section, flags=re.S)


def test_quickstart_is_exactly_two_commands() -> None:
    blocks = _quickstart()
    assert len(blocks) == 2
    assert all("\n" not in block.strip() for block in blocks), "each command is one line"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _quickstart()[1].strip()
    assert test_command in ci.splitlines()


def test_readme_main_command_names_a_bundled_example() -> None:
    run_command = _quickstart()[0]
    example = re.search(r"consider check (\S+)", run_command)
    assert example is not None
    assert (ROOT / example[1]).is_file()
