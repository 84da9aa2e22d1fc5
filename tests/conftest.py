"""Shared fixtures: the built-in rules, loaded once per test session."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from consider.engine import RuleSet, load_rules
from consider.loader import parse
from consider.model import Spec, build
from consider.schema import validate

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Compiled packs are cached in a folder of the test session, never the user's cache."""
    folder = tmp_path_factory.mktemp("consider-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONSIDER_CACHE_DIR", str(folder))
        patch.delenv("CONSIDER_NO_CACHE", raising=False)
        yield folder


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """The real entry point, ``consider.cli.main``: (exit code, stdout, stderr)."""
    from consider.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
        except SystemExit as done:
            code = done.code
        else:  # pragma: no cover - main always exits
            raise AssertionError("consider.cli.main returned instead of exiting")
        out, err = capsys.readouterr()
        return (code if isinstance(code, int) else 0), out, err

    return run


@pytest.fixture(scope="session")
def builtin_rules() -> RuleSet:
    return load_rules()


_FENCED = re.compile(r"^ *```(\w+)(?: ([^\n]+))?\n(.*?)^ *```$", re.MULTILINE | re.DOTALL)


def fenced_blocks(path: Path) -> list[tuple[str, str, str]]:
    """(language, file name or '', text) of every fenced block of a Markdown page: the
    pages' examples say which file they are, as in a block opened by ```yaml .consider.yaml.
    A block indented under a list item is read with its indent removed."""
    blocks = []
    for match in _FENCED.finditer(path.read_text(encoding="utf-8")):
        indent = len(match[0]) - len(match[0].lstrip(" "))
        text = "".join(line[indent:] for line in match[3].splitlines(keepends=True))
        blocks.append((match[1], match[2] or "", text))
    return blocks


def valid_spec(text: str) -> Spec:
    """A spec built from YAML text that must be free of schema findings (for fact tests)."""
    document = parse(text, path="spec.yaml")
    validation = validate(document)
    assert [f.message for f in validation.findings] == []
    return build(document, validation)
