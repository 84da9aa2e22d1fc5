"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=PATH,line=L,col=C,title=TITLE::MESSAGE`` for findings of severity error,
``::warning`` for warnings and ``::notice`` for info; questions are notices too (unless
``View.quiet`` or ``View.questions`` leaves them out), and a waived or baselined finding is a
notice that says so, since it no longer fails the gate. A file that could not be read is an
error annotation on that file. The summary line follows, as plain text.

Everything taken from a spec or pack is escaped the way the runner unescapes it: in the
message ``%`` ``CR`` ``LF`` become ``%25`` ``%0D`` ``%0A``, and in properties ``:`` and ``,``
also become ``%3A`` and ``%2C``. Other control and direction-override characters are shown as
escapes first. So every annotation is one line, and no spec value can start a line with
``::`` and inject a command of its own.
"""

from __future__ import annotations

from consider.findings import Finding, Kind, Severity, Status, counts, fails
from consider.report import (
    DEFAULT_VIEW,
    View,
    printable,
    related_text,
    summary_line,
    suppression_text,
)
from consider.result import FileResult, Result

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(result: Result, view: View = DEFAULT_VIEW) -> str:
    """Every finding as an annotation, then the summary line."""
    parts = [render_file(file, view, first=not i) for i, file in enumerate(result.files)]
    return "".join(parts) + render_end(result, view)


def render_file(file: FileResult, view: View = DEFAULT_VIEW, *, first: bool = True) -> str:
    """One file's annotations; a file that could not be read is an error annotation too."""
    lines = [annotation(f) for f in file.findings if _shown(f, view)]
    if file.error is not None:
        error = file.error
        properties = [("file", file.path)]
        if error.line is not None:
            properties.append(("line", str(error.line)))
            if error.column is not None:
                properties.append(("col", str(error.column)))
        properties.append(("title", "consider: the file could not be read"))
        lines.append(_command("error", properties, error.message))
    return "".join(line + "\n" for line in lines)


def render_end(result: Result, view: View = DEFAULT_VIEW) -> str:
    """The run's summary line (plain text in the log)."""
    return "consider: " + summary_line(counts(result.findings())) + "\n"


def annotation(finding: Finding) -> str:
    """One workflow command for one finding."""
    if finding.kind is Kind.QUESTION or finding.severity is None:
        command, title = "notice", f"question {finding.rule}"
    elif finding.suppressed is not None:
        command, title = "notice", f"{finding.rule} ({finding.suppressed.kind})"
    else:
        command, title = _COMMANDS[finding.severity], finding.rule
    if finding.title:
        title += f": {finding.title}"
    message = finding.message
    if finding.status is Status.ACKNOWLEDGED:
        message += " (tbd)"
    for question in finding.folded:
        message += f"\nopen: {question.message}"
    for member in finding.subsumed:
        message += f"\n{related_text(member)}"
    if finding.suppressed is not None:
        message += f"\n{suppression_text(finding.suppressed)}"
    properties = [
        ("file", finding.file),
        ("line", str(finding.line)),
        ("col", str(finding.column)),
        ("title", title),
    ]
    return _command(command, properties, message)


def _command(command: str, properties: list[tuple[str, str]], message: str) -> str:
    written = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
    return f"::{command} {written}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """A command's message, escaped as the runner expects."""
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value, escaped as the runner expects."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _shown(finding: Finding, view: View) -> bool:
    if view.quiet:
        return fails(finding, view.threshold)
    return view.questions or finding.kind is not Kind.QUESTION
