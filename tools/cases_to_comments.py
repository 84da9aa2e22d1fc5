"""Turn x-test case files (tests/cases/) into test specs for ``consider rules test``.

    python -m tools.cases_to_comments tests/cases            # rewrite in place
    python -m tools.cases_to_comments --check tests/cases    # say what would change, exit 1
    python -m tools.cases_to_comments --out DIR tests/cases  # write converted copies to DIR

Each ``expect`` entry of the header (``rule severity line:col``, optionally with
``message``) becomes ``# expect: RULE col=C severity=S message="..."`` at the end of its line;
a rule the header lists but expects nowhere becomes an ``# expect-not:`` on the first line,
which puts it under test for the whole file. The ``x-test`` block itself is removed, lines
after it renumbered. Nothing the header asserts is lost: rule scope, line, column, severity
(a question has none) and message. The result is checked before it is written: its comments
must read back as exactly the header's expectations.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from consider.rule_tests import Expectation, parse_comments


class ConversionError(ValueError):
    """A case that cannot be converted without losing something."""


def _header(text: str, path: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    header = data.get("x-test") if isinstance(data, dict) else None
    if not isinstance(header, dict):
        raise ConversionError(f"{path}: no x-test mapping")
    return header


def x_test_block(lines: list[str]) -> tuple[int, int]:
    """The 0-based [start, end) lines of the top-level ``x-test`` key and its body."""
    start = next(
        (i for i, line in enumerate(lines) if line.startswith(("x-test:", '"x-test":'))), None
    )
    if start is None:
        raise ConversionError("no top-level x-test key")
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "\t", "#")):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return start, end


def _wanted(header: dict[str, Any]) -> list[Expectation]:
    found = []
    for item in header.get("expect") or []:
        line_text = item if isinstance(item, str) else item["finding"]
        rule, label, place = line_text.split()
        line, column = (int(n) for n in place.split(":"))
        message = item.get("message") if isinstance(item, dict) else None
        found.append(
            Expectation(rule, line, True, column, None if label == "question" else label, message)
        )
    return found


def convert(text: str, path: str = "<case>") -> str:
    """One case file's text → the same spec with expect comments and no x-test."""
    header = _header(text, path)
    lines = text.splitlines()
    start, end = x_test_block(lines)
    wanted = _wanted(header)
    listed = list(dict.fromkeys(header.get("rules") or []))
    quiet = [rule for rule in listed if rule not in {e.rule for e in wanted}]
    removed = end - start

    def moved(line: int) -> int:
        if start < line <= end:
            raise ConversionError(f"{path}: an expectation points into the x-test block")
        return line - removed if line > end else line

    comments: dict[int, list[str]] = {}
    for expectation in wanted:
        comments.setdefault(moved(expectation.line), []).append(expectation.describe())
    if quiet:
        comments.setdefault(1, []).insert(0, f"expect-not: {', '.join(quiet)}")
    kept = lines[:start] + lines[end:]
    first_yaml = next(
        (
            i + 1
            for i, line in enumerate(kept)
            if line.strip() and not line.lstrip().startswith("#")
        ),
        1,
    )
    if 1 in comments and first_yaml != 1:
        comments.setdefault(first_yaml, [])[:0] = comments.pop(1)
    for number, said in comments.items():
        line = kept[number - 1]
        if not line.strip() or line.lstrip().startswith("#"):
            raise ConversionError(f"{path}:{number}: an expectation points at a line with no YAML")
        kept[number - 1] = f"{line.rstrip()}  # " + "; ".join(said)
    result = "\n".join(kept).rstrip("\n") + "\n"
    _verify(result, wanted, quiet, moved, path)
    return result


def _verify(
    result: str, wanted: list[Expectation], quiet: list[str], moved: Any, path: str
) -> None:
    """The comments read back as the header's expectations, and the spec is unchanged."""
    back = parse_comments(result)
    want = sorted((moved(e.line), e.rule, e.column, e.severity, e.message) for e in wanted)
    got = sorted((e.line, e.rule, e.column, e.severity, e.message) for e in back if e.present)
    if want != got:
        raise ConversionError(f"{path}: the comments do not read back as the x-test header")
    if sorted(e.rule for e in back if not e.present) != sorted(quiet):
        raise ConversionError(f"{path}: the quiet rules do not read back")


def _convert_file(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    before = yaml.safe_load(text)
    converted = convert(text, str(path))
    after = yaml.safe_load(converted)
    before.pop("x-test", None)
    if before != after:
        raise ConversionError(f"{path}: the spec itself would change")
    return converted


def main(argv: list[str] | None = None) -> int:
    """Convert the case files under the paths given; 1 when --check finds any to convert."""
    parser = argparse.ArgumentParser(prog="python -m tools.cases_to_comments")
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="only say which would change")
    parser.add_argument("--out", type=Path, help="write converted copies under this folder")
    options = parser.parse_args(argv)
    files = [
        (root, f)
        for root in options.paths
        for f in (sorted(root.rglob("*.yaml")) if root.is_dir() else [root])
    ]
    pending = 0
    for root, path in files:
        text = path.read_text(encoding="utf-8")
        if "x-test:" not in text:
            continue
        try:
            converted = _convert_file(path)
        except ConversionError as error:
            print(f"cases_to_comments: {error}", file=sys.stderr)
            return 2
        pending += 1
        if options.check:
            print(f"would convert {path}")
        elif options.out is not None:
            relative = path.relative_to(root) if root.is_dir() else Path(path.name)
            target = options.out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(converted, encoding="utf-8")
        else:
            path.write_text(converted, encoding="utf-8")
    print(f"{pending} case file(s) {'to convert' if options.check else 'converted'}")
    return 1 if options.check and pending else 0


if __name__ == "__main__":
    sys.exit(main())
