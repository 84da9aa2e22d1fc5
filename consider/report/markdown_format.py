"""``--format markdown``: a review packet for a pull-request comment.

A heading with the summary line, then the risks by severity (errors, warnings, info), the
waived and baselined findings with owner, expiry and reason, the open questions grouped by
pack, and the files that could not be read; each as a table of place, rule and message.
``View.quiet`` keeps only what fails the gate; ``View.questions`` off leaves the questions
out of the listing (the summary still counts them).

Every string taken from a spec or pack goes through ``escape`` (or ``cell`` inside a table),
the one place that makes text safe for GitHub-flavoured Markdown; ``consider questions
--format markdown`` uses them too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from consider.findings import Finding, Kind, Severity, Status, counts, fails
from consider.report import (
    DEFAULT_VIEW,
    View,
    printable,
    related_text,
    summary_line,
    suppression_text,
)
from consider.result import Result

_MARKUP = str.maketrans(
    {
        **{c: "\\" + c for c in "\\`*_[]|~$!#"},
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        # An HTML comment splits the text, so GitHub neither links an address nor mentions
        # a user or team; it is not shown.
        "@": "@<!-- -->",
        "\n": " ",
    }
)
# A backslash before the ':' of '://' or the '.' of 'www.' keeps an address from being linked.
_AUTOLINK = re.compile(r"(?i)(?<=www)\.|:(?=//)")
# What starts a block when it opens a line: a list item, a setext underline, a numbered item.
_LEADING = re.compile(r"^([+=-]|\d+(?=[.)]))")
_HEADINGS = {Severity.ERROR: "Errors", Severity.WARNING: "Warnings", Severity.INFO: "Info"}


def escape(text: str) -> str:
    """``text`` as literal inline Markdown: no emphasis, code, link, autolink, mention, HTML,
    math or table cell break can come of it, and it stays on one line."""
    inline = _AUTOLINK.sub(lambda m: "\\" + m.group(), printable(text).translate(_MARKUP))
    return _LEADING.sub(r"\\\1", inline)


def cell(text: str) -> str:
    """``text`` for a table cell: escaped, its line breaks kept as ``<br>``."""
    return "<br>".join(escape(line) for line in text.split("\n"))


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], limit: int | None = None) -> str:
    """A table; ``headers`` are ours, and each row's cells must already be ``cell``s. Past
    ``limit`` rows, a line after the table says how many were left out."""
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    written = list(rows)
    lines.extend("| " + " | ".join(row) + " |" for row in written[:limit])
    if limit is not None and len(written) > limit:
        lines.append(
            f"\n…and {len(written) - limit} more, in the full report (text, JSON or SARIF)."
        )
    return "\n".join(lines)


COMMENT_LIMIT = 65_000
"""A little under the 65,536 characters GitHub takes in a pull-request comment."""
_ROW_LIMITS = (None, 100, 25, 5, 1)


def render(result: Result, view: View = DEFAULT_VIEW) -> str:
    """The review packet; tables are cut short where the whole would not fit in a comment."""
    for limit in _ROW_LIMITS:
        packet = _packet(result, view, limit)
        if len(packet) <= COMMENT_LIMIT:
            break
    return packet


def _packet(result: Result, view: View, limit: int | None) -> str:
    findings = list(result.findings())
    shown = [f for f in findings if not view.quiet or fails(f, view.threshold)]
    files = len(result.files)
    unreadable = [f for f in result.files if f.error is not None]
    parts = [f"## consider: {summary_line(counts(findings))}"]
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    if unreadable:
        checked += f", {len(unreadable)} could not be read"
    gate = "never fails" if view.threshold is None else f"fails on {view.threshold.value}"
    parts.append(f"{checked}; the gate {gate}.")
    risks = [f for f in shown if f.kind is not Kind.QUESTION and f.suppressed is None]
    if risks:
        parts.append("### Risks")
        for severity, heading in _HEADINGS.items():
            some = [f for f in risks if f.severity is severity]
            if some:
                parts.append(f"#### {heading} ({len(some)})")
                parts.append(
                    table(
                        ("Where", "Rule", "Finding"),
                        ((_where(f), cell(f.rule), _finding_cell(f)) for f in some),
                        limit,
                    )
                )
    waived = [f for f in shown if f.kind is not Kind.QUESTION and f.suppressed is not None]
    if waived:
        parts.append(f"### Waived ({len(waived)})")
        parts.append(
            table(
                ("Where", "Rule", "Severity", "Finding", "Owner", "Expires", "Reason"),
                (_waived_row(f) for f in waived),
                limit,
            )
        )
    questions = [f for f in shown if f.kind is Kind.QUESTION] if view.questions else []
    if questions:
        parts.append(f"### Open questions ({len(questions)})")
        by_pack: dict[str, list[Finding]] = {}
        for question in questions:
            by_pack.setdefault(question.pack, []).append(question)
        for pack in sorted(by_pack):
            some = by_pack[pack]
            parts.append(f"#### Pack {escape(pack)} ({len(some)})")
            parts.append(
                table(
                    ("Where", "Question", "Ask"),
                    ((_where(q), cell(q.rule), _question_cell(q)) for q in some),
                    limit,
                )
            )
    if unreadable:
        parts.append(f"### Files that could not be read ({len(unreadable)})")
        parts.append(
            table(
                ("File", "Problem"),
                ((cell(f.path), cell(str(f.error))) for f in unreadable if f.error is not None),
                limit,
            )
        )
    if len(parts) == 2:
        parts.append("Nothing to report.")
    return "\n\n".join(parts) + "\n"


def _where(finding: Finding) -> str:
    return cell(f"{finding.file}:{finding.line}:{finding.column}")


def _finding_cell(finding: Finding) -> str:
    text = cell(finding.message)
    for question in finding.folded:
        text += f"<br>Open: {cell(question.message)}"
    for member in finding.subsumed:
        text += f"<br>Related{cell(related_text(member)[len('related') :])}"
    if finding.fix:
        text += f"<br>Fix: {cell(finding.fix)}"
    return text


def _question_cell(question: Finding) -> str:
    text = cell(question.message)
    if question.status is Status.ACKNOWLEDGED:
        text += " (tbd)"
    return text


def _waived_row(finding: Finding) -> tuple[str, ...]:
    suppression = finding.suppressed
    assert suppression is not None
    severity = finding.severity.value if finding.severity else ""
    baselined = suppression.kind == "baseline"
    reason = suppression_text(suppression) if baselined else suppression.reason
    return (
        _where(finding),
        cell(finding.rule),
        severity,
        cell(finding.message),
        cell(suppression.owner),
        cell(suppression.expires),
        cell(reason),
    )
