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
from typing import TYPE_CHECKING, Protocol

from consider.findings import Finding, Severity, Suppression
from consider.records import Record

if TYPE_CHECKING:
    from collections.abc import Mapping

    from consider.result import FileResult, Result

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "concise")
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
        0x2028,  # line and paragraph separators: a log viewer may start a new line there
        0x2029,
    )
    if code not in (0x09, 0x0A)
}


class View(Record):
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


def path_text(path: str) -> str:
    """A file's path for the start of a line: escaped, and with ``./`` before a relative path
    that starts with ``::``, which a CI runner would read as a workflow command."""
    shown = printable(path)
    return f"./{shown}" if shown.startswith("::") else shown


def no_command(line: str) -> str:
    """A line of a report that must not be read as a workflow command: GitHub's runner strips
    leading blanks before looking for ``::``, so a ``::`` there gets a backslash before it."""
    stripped = line.lstrip()
    if not stripped.startswith("::"):
        return line
    return line[: len(line) - len(stripped)] + "\\" + stripped


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


_COLOURS = {
    Severity.ERROR: "\x1b[1;31m",  # bold red
    Severity.WARNING: "\x1b[33m",  # yellow
    Severity.INFO: "\x1b[36m",  # cyan
}


def paint(text: str, severity: Severity | None, *, accepted: bool = False) -> str:
    """``text`` in its severity's ANSI colour; dim for questions and accepted findings."""
    colour = "\x1b[2m" if severity is None or accepted else _COLOURS[severity]
    return f"{colour}{text}\x1b[0m"


def summary_line(total: Mapping[str, int]) -> str:
    """The counts every command prints after its findings (``consider.findings.counts``):
    problems by severity, waived ones, then open questions and how many of them are
    acknowledged (marked ``tbd``)."""
    return (
        f"{_plural(total['error'], 'error')}, {_plural(total['warning'], 'warning')}, "
        f"{total['info']} info, {total['waived']} waived, "
        f"{_plural(total['questions'], 'open question')} ({total['acknowledged']} acknowledged)"
    )


def related_text(finding: Finding) -> str:
    """A finding grouped inside its primary, in one line: ``related: RULE (SEVERITY) at
    LINE:COL: MESSAGE``, its waiver or baseline after it; not yet escaped for any format."""
    severity = finding.severity.value if finding.severity else "info"
    where = f"{finding.line}:{finding.column}"
    text = f"related: {finding.rule} ({severity}) at {where}: {finding.message}"
    if finding.suppressed is not None:
        text += f" [{suppression_text(finding.suppressed)}]"
    return text


def suppression_text(suppression: Suppression) -> str:
    """Why a finding is accepted, in one line: ``waived by OWNER until DATE: REASON`` or
    ``baselined``, not yet escaped for any format."""
    if suppression.kind == "baseline":
        where = f" in {suppression.source}" if suppression.source else ""
        return f"baselined{where}"
    text = "waived"
    if suppression.owner:
        text += f" by {suppression.owner}"
    if suppression.expires:
        text += f" until {suppression.expires}"
    if suppression.reason:
        text += f": {suppression.reason}"
    return text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class LineFormat(Protocol):
    """A format that can be printed file by file: its ``render_file`` and ``render_end``."""

    def render_file(self, file: FileResult, view: View, *, first: bool) -> str: ...

    def render_end(self, result: Result, view: View) -> str: ...


def line_format(name: str) -> LineFormat | None:
    """The format ``name`` as a line format, or None for a document format."""
    module = importlib.import_module(f"consider.report.{name}_format")
    if hasattr(module, "render_file") and hasattr(module, "render_end"):
        found: LineFormat = module
        return found
    return None
