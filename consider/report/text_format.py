"""``--format text``: per file, a table of risks, then waived findings, then questions, then
the file's counts; after several files, the run's summary line.

Each row starts with ``path:line:col``, which editors and terminals open at the place. With
``View.quiet`` only what fails the gate is listed (and the summary line is always printed);
with ``View.questions`` off, questions are counted but not listed; with ``View.colour``,
severities are coloured with ANSI codes.
"""

from __future__ import annotations

from consider.findings import Finding, Kind, Status, counts, fails
from consider.report import (
    DEFAULT_VIEW,
    View,
    no_command,
    paint,
    path_text,
    printable,
    related_text,
    summary_line,
    suppression_text,
)
from consider.result import FileResult, Result

_MESSAGE_WIDTH = 72


def render(result: Result, view: View = DEFAULT_VIEW) -> str:
    """The report as people read it in a terminal or a CI log."""
    parts = [render_file(file, view, first=not i) for i, file in enumerate(result.files)]
    return "".join(parts) + render_end(result, view)


def render_file(file: FileResult, view: View = DEFAULT_VIEW, *, first: bool = True) -> str:
    """One file's block, ready to print as soon as the file is checked."""
    block = _file_block(file, view)
    if not block:
        return ""
    return block + "\n" if first else "\n" + block + "\n"


def render_end(result: Result, view: View = DEFAULT_VIEW) -> str:
    """The run's summary line, after every file (with one file, its own counts say it all,
    except when ``quiet`` left them out)."""
    if len(result.files) < 2 and not view.quiet:
        return ""
    unreadable = sum(1 for f in result.files if f.error is not None)
    tail = f", {unreadable} unreadable" if unreadable else ""
    label = f"{_plural(len(result.files), 'file')}{tail}"
    return f"\n{label}: {summary_line(counts(result.findings()))}\n"


def where(finding: Finding) -> str:
    """``path:line:col``, escaped for a terminal."""
    return path_text(f"{finding.file}:{finding.line}:{finding.column}")


def _file_block(file: FileResult, view: View) -> str:
    if file.error is not None:
        return ""  # the command line prints the error itself, once, on standard error
    if view.quiet:
        failing = [f for f in file.findings if fails(f, view.threshold)]
        if not failing:
            return ""
        return "\n".join([path_text(file.path), "", *_risks_table(failing, view)])
    risks = [f for f in file.findings if f.kind is not Kind.QUESTION and f.suppressed is None]
    waived = [f for f in file.findings if f.kind is not Kind.QUESTION and f.suppressed]
    questions = [f for f in file.findings if f.kind is Kind.QUESTION]
    lines = [path_text(file.path)]
    if risks:
        lines += ["", *_risks_table(risks, view)]
    if waived:
        lines += ["", *_risks_table(waived, view, heading="Waived")]
    if questions and view.questions:
        from tabulate import tabulate

        acknowledged = sum(1 for q in questions if q.status is Status.ACKNOWLEDGED)
        note = f", {acknowledged} marked tbd" if acknowledged else ""
        lines.append("")
        lines.append(f"Unanswered questions ({len(questions)}{note})")
        lines.append(
            tabulate(
                [(where(q), printable(q.rule), _question_text(q)) for q in questions],
                headers=("where", "question", "ask"),
                tablefmt="simple",
                disable_numparse=True,
            )
        )
    if not file.findings:
        lines.append("no findings")
    lines.append("")
    lines.append(f"{path_text(file.path)}: {summary_line(counts(file.findings))}")
    return "\n".join(lines)


def _risks_table(findings: list[Finding], view: View, heading: str = "Risks") -> list[str]:
    from tabulate import tabulate  # only a report with findings draws one

    table = tabulate(
        [(where(f), _severity(f, view), printable(f.rule), _risk_text(f, view)) for f in findings],
        headers=("where", "severity", "rule", "message"),
        tablefmt="simple",
        disable_numparse=True,
    )
    return [f"{heading} ({len(findings)})", table]


def _severity(finding: Finding, view: View) -> str:
    name = finding.severity.value if finding.severity else ""
    if not view.colour or finding.severity is None:
        return name
    return paint(name, finding.severity, accepted=finding.suppressed is not None)


def _risk_text(finding: Finding, view: View) -> str:
    text = _flat(finding.message)
    if view.questions and not view.quiet:
        for question in finding.folded:
            text += f"\n  open: {_flat(question.message)}"
    for member in finding.subsumed:
        text += f"\n  {_flat(related_text(member))}"
    if finding.suppressed is not None:
        text += f"\n  {_flat(suppression_text(finding.suppressed))}"
    return _wrap(text)


def _question_text(question: Finding) -> str:
    if question.status is Status.ACKNOWLEDGED:
        return _wrap(f"{_flat(question.message)} (tbd)")
    return _wrap(_flat(question.message))


def _flat(text: str) -> str:
    """Text from a spec or pack on one line: its own line breaks shown as ``\\n``."""
    return printable(text.replace("\n", "\\n"))


def _wrap(text: str) -> str:
    """Each line wrapped to the message column on its own: tabulate's ``maxcolwidths`` would
    join a folded question's line to the risk's."""
    import textwrap

    lines = text.splitlines()
    indents = [line[: len(line) - len(line.lstrip())] for line in lines]
    return "\n".join(
        no_command(wrapped)
        for line, indent in zip(lines, indents, strict=True)
        for wrapped in textwrap.wrap(line, _MESSAGE_WIDTH, subsequent_indent=indent)
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
