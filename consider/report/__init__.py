"""Output formats: each module a pure function from a result to text.

Formats are imported by name only when asked for, so a run pays for its own format alone.

Every format module has ``render(result, view) -> str``. A *line* format (one whose output
can be printed file by file as a run goes) also has ``render_file(file, view, first) -> str`` and
``render_end(result, view) -> str``, and ``render`` is their concatenation (``first`` tells
the first file's part, which needs no separator before it); the command line prints each
file's part as soon as it is ready. A *document* format (JSON, SARIF, JUnit,
Markdown) is written once, at the end.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from consider.findings import Severity

if TYPE_CHECKING:
    from consider.check import Result

FORMATS = ("text", "json")
"""The formats ``consider check --format`` accepts."""

# C0 and C1 controls (but tab and newline), DEL, the bidirectional overrides, and the line and
# paragraph separators (which `splitlines` and some viewers treat as line ends): written in a
# spec or pack (a key, a value, a message), they could rewrite a terminal or CI log line.
_UNPRINTABLE = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in (
        *range(0x00, 0x20),
        *range(0x7F, 0xA0),
        *range(0x200E, 0x2010),
        0x2028,
        0x2029,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
    if code not in (0x09, 0x0A)
}


class View(NamedTuple):
    """How much of a result a format shows, and how: the options a reader chose."""

    threshold: Severity | None = Severity.ERROR
    """The lowest severity that fails the gate (``--fail-on``), None for ``never``."""
    quiet: bool = False
    """Only what fails the gate, and the summary (``--quiet``)."""
    questions: bool = True
    """List questions (``--no-questions`` leaves them out; they are still counted)."""
    colour: bool = False
    """ANSI colour, for a terminal that is not told ``NO_COLOR``."""


DEFAULT_VIEW = View()


def printable(text: str) -> str:
    """``text`` with control and direction-override characters shown as escapes."""
    return text.translate(_UNPRINTABLE)


_UNPRINTABLE_IN_LINE = {**_UNPRINTABLE, 0x0A: "\\n"}


def one_line(text: str) -> str:
    """``text`` as :func:`printable`, and its newlines shown as ``\\n``: for what must stay one
    line, such as an error on stderr, where a newline could start a CI workflow command."""
    return text.translate(_UNPRINTABLE_IN_LINE)


def formatter(name: str) -> Callable[[Result, View], str]:
    """The ``render`` function of the format ``name``."""
    module = importlib.import_module(f"consider.report.{name}_format")
    render: Callable[[Result, View], str] = module.render
    return render
