"""``--format text``: per file, a table of risks, then one of questions, then a summary."""

from __future__ import annotations

from consider.check import FileResult, Result
from consider.findings import Finding, Kind, Status, counts
from consider.report import DEFAULT_VIEW, View, printable

_MESSAGE_WIDTH = 72


def render(result: Result, view: View = DEFAULT_VIEW) -> str:
    """The report as people read it in a terminal or a CI log."""
    parts = [render_file(file, view, first=not i) for i, file in enumerate(result.files)]
    return "".join(parts) + render_end(result, view)


def render_file(file: FileResult, view: View = DEFAULT_VIEW, *, first: bool = True) -> str:
    """One file's block, ready to print as soon as the file is checked."""
    block = _file_block(file)
    if not block:
        return ""
    return block + "\n" if first else "\n" + block + "\n"


def render_end(result: Result, view: View = DEFAULT_VIEW) -> str:
    """The run's summary line, after every file."""
    line = _summary_line(result)
    return "\n" + line + "\n" if line else ""


def _file_block(file: FileResult) -> str:
    if file.error is not None:
        return ""  # the command line prints the error itself, once, on standard error
    risks = [f for f in file.findings if f.kind is not Kind.QUESTION]
    questions = [f for f in file.findings if f.kind is Kind.QUESTION]
    if risks or questions:
        from tabulate import tabulate  # only a report with findings draws one
    lines = [printable(file.path)]
    if risks:
        lines.append("")
        lines.append(f"Risks ({len(risks)})")
        lines.append(
            tabulate(
                [
                    (
                        f"{f.line}:{f.column}",
                        f.severity.value if f.severity else "",
                        printable(f.rule),
                        _risk_text(f),
                    )
                    for f in risks
                ],
                headers=("where", "severity", "rule", "message"),
                tablefmt="simple",
                disable_numparse=True,
            )
        )
    if questions:
        lines.append("")
        acknowledged = sum(1 for q in questions if q.status is Status.ACKNOWLEDGED)
        note = f", {acknowledged} marked tbd" if acknowledged else ""
        lines.append(f"Unanswered questions ({len(questions)}{note})")
        lines.append(
            tabulate(
                [(f"{q.line}:{q.column}", printable(q.rule), _question_text(q)) for q in questions],
                headers=("where", "question", "ask"),
                tablefmt="simple",
                disable_numparse=True,
            )
        )
    if not risks and not questions:
        lines.append("no findings")
    lines.append("")
    lines.append(_counts_line(printable(file.path), counts(file.findings)))
    return "\n".join(lines)


def _risk_text(finding: Finding) -> str:
    text = printable(finding.message)
    for question in finding.folded:
        text += f"\n  open: {printable(question.message)}"
    return _wrap(text)


def _question_text(question: Finding) -> str:
    if question.status is Status.ACKNOWLEDGED:
        return _wrap(f"{printable(question.message)} (tbd)")
    return _wrap(printable(question.message))


def _wrap(text: str) -> str:
    """Each line wrapped to the message column on its own: tabulate's ``maxcolwidths`` would
    join a folded question's line to the risk's."""
    import textwrap

    lines = text.splitlines()
    indents = [line[: len(line) - len(line.lstrip())] for line in lines]
    return "\n".join(
        textwrap.fill(line, _MESSAGE_WIDTH, subsequent_indent=indent)
        for line, indent in zip(lines, indents, strict=True)
    )


def _counts_line(label: str, total: dict[str, int]) -> str:
    return (
        f"{label}: {_plural(total['error'], 'error')}, "
        f"{_plural(total['warning'], 'warning')}, {total['info']} info, "
        f"{_plural(total['questions'], 'open question')}"
    )


def _summary_line(result: Result) -> str:
    if len(result.files) < 2:
        return ""
    unreadable = sum(1 for f in result.files if f.error is not None)
    tail = f", {unreadable} unreadable" if unreadable else ""
    return _counts_line(f"{_plural(len(result.files), 'file')}{tail}", counts(result.findings()))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
