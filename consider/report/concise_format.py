"""``--format concise``: one line per finding, ``path:line:col: severity rule message``, the
form editors, terminals and problem matchers make clickable; then the summary line.

A question has ``question`` in the severity's place (its rule is the question's id); a
waived or baselined finding keeps its severity and ends with ``[waived by OWNER until DATE:
REASON]`` or ``[baselined]``, so a reader sees it was accepted. Each line is one finding:
line breaks inside a message are written as ``\\n``, control characters as escapes.
"""

from __future__ import annotations

from consider.findings import Finding, Kind, Status, counts, fails
from consider.report import (
    DEFAULT_VIEW,
    View,
    paint,
    path_text,
    printable,
    summary_line,
    suppression_text,
)
from consider.result import FileResult, Result


def render(result: Result, view: View = DEFAULT_VIEW) -> str:
    """Every finding on its line, then the summary line."""
    parts = [render_file(file, view, first=not i) for i, file in enumerate(result.files)]
    return "".join(parts) + render_end(result, view)


def render_file(file: FileResult, view: View = DEFAULT_VIEW, *, first: bool = True) -> str:
    """One file's lines (no separator is needed between files)."""
    return "".join(line(f, view) + "\n" for f in file.findings if _shown(f, view))


def render_end(result: Result, view: View = DEFAULT_VIEW) -> str:
    """The run's summary line."""
    return summary_line(counts(result.findings())) + "\n"


def line(finding: Finding, view: View = DEFAULT_VIEW) -> str:
    """``path:line:col: severity rule message``, on one line."""
    if finding.kind is Kind.QUESTION:
        label = "question"
        message = finding.message
        if finding.status is Status.ACKNOWLEDGED:
            message += " (tbd)"
    else:
        label = finding.severity.value if finding.severity else "info"
        message = finding.message
        if finding.suppressed is not None:
            message += f" [{suppression_text(finding.suppressed)}]"
        if finding.subsumed:
            message += f" [related: {', '.join(m.rule for m in finding.subsumed)}]"
    if view.colour:
        label = paint(label, finding.severity, accepted=finding.suppressed is not None)
    return (
        f"{path_text(_flat(finding.file))}:{finding.line}:{finding.column}: "
        f"{label} {_flat(finding.rule)} {_flat(message)}"
    )


def _shown(finding: Finding, view: View) -> bool:
    if view.quiet:
        return fails(finding, view.threshold)
    return view.questions or finding.kind is not Kind.QUESTION


def _flat(text: str) -> str:
    return printable(text.replace("\n", "\\n"))
