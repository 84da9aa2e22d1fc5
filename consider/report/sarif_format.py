"""``--format sarif``: SARIF 2.1.0, the log that code-scanning services read.

One run, its driver ``consider`` with a rule for each rule that made a finding (title as the
short description, ``why`` as the full one, ``why``, ``fix`` and references as help in text
and Markdown, the first web reference as ``helpUri``), and one result per finding:

- ``level`` is the severity: ``error``, ``warning``, or ``note`` for info. A question is a
  ``note`` too, with the ``question`` tag on its rule and ``consider/kind`` in its properties.
  Its ``kind`` stays the default, ``fail``: SARIF requires level ``none`` for every other kind,
  and code scanning hides results of level ``none``, so a question would not be seen.
- the location is the file as it was given (a relative URI against ``%SRCROOT%``), with the
  line and column (in Unicode code points); the finding's JSON pointer is its logical location.
- ``partialFingerprints`` carries consider's own fingerprint (rule, pointer and the entity's
  content, not the line), so code scanning follows a finding across edits.
- a waived or baselined finding carries a ``suppressions`` entry, status ``accepted``, its
  justification the reason, owner and expiry in its properties. A waiver written in the spec
  itself is ``inSource``; a waiver in a waivers file, and a baseline entry, are ``external``.

``View.quiet`` keeps only the results that fail the gate; ``View.questions`` off leaves the
questions out. A file that could not be read is a tool execution notification, and makes the
invocation unsuccessful.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from consider import __version__
from consider.findings import Finding, Kind, Severity, Suppression, fails
from consider.report import DEFAULT_VIEW, View
from consider.result import Result

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# A web address that can be a Markdown link destination as it is.
_LINK = re.compile(r"https?://[^\s<>()\[\]\"'`\\]+")
FINGERPRINT = "consider/v1"
"""The key of consider's fingerprint among a result's ``partialFingerprints``."""


def render(result: Result, view: View = DEFAULT_VIEW) -> str:
    """The SARIF log as JSON text."""
    return json.dumps(document(result, view), indent=2, ensure_ascii=False) + "\n"


def document(result: Result, view: View = DEFAULT_VIEW) -> dict[str, Any]:
    """The SARIF log as plain data."""
    findings = [f for f in result.findings() if _shown(f, view)]
    rules: dict[str, Finding] = {}
    for finding in sorted(findings, key=lambda f: f.rule):
        rules.setdefault(finding.rule, finding)
    index = {rule: i for i, rule in enumerate(rules)}
    notifications = [
        {
            "level": "error",
            "message": {"text": file.error.message},
            "locations": [_location(file.path, file.error.line, file.error.column)],
        }
        for file in result.files
        if file.error is not None
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "consider",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(finding) for finding in rules.values()],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not notifications,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "originalUriBaseIds": {
                    "%SRCROOT%": {
                        "description": {"text": "The folder consider was run in."},
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index[f.rule], view) for f in findings],
            }
        ],
    }


def _rule(finding: Finding) -> dict[str, Any]:
    question = finding.kind is Kind.QUESTION
    rule: dict[str, Any] = {
        "id": finding.rule,
        "name": "".join(part.capitalize() for part in finding.rule.split("-")) or finding.rule,
        "shortDescription": {"text": finding.title or finding.rule},
    }
    if finding.why:
        rule["fullDescription"] = {"text": finding.why}
    help_text = "\n\n".join(
        part
        for part in (
            finding.why,
            f"Fix: {finding.fix}" if finding.fix else "",
            "References: " + "; ".join(finding.references) if finding.references else "",
        )
        if part
    )
    if help_text:
        rule["help"] = {"text": help_text, "markdown": _help_markdown(finding)}
    links = [r for r in finding.references if r.startswith(("https://", "http://"))]
    if links:
        rule["helpUri"] = links[0]
    rule["defaultConfiguration"] = {
        "level": "note" if question or finding.severity is None else _LEVELS[finding.severity]
    }
    rule["properties"] = {
        "tags": sorted({finding.kind.value, finding.pack}),
        "consider/pack": finding.pack,
    }
    return rule


def _help_markdown(finding: Finding) -> str:
    """The rule's help for code scanning's rule page, every pack string escaped."""
    from consider.report.markdown_format import escape

    parts = []
    if finding.why:
        parts.append(f"**Why.** {escape(finding.why)}")
    if finding.fix:
        parts.append(f"**Fix.** {escape(finding.fix)}")
    if finding.references:
        items = [
            f"- [{escape(ref)}]({ref})" if _LINK.fullmatch(ref) else f"- {escape(ref)}"
            for ref in finding.references
        ]
        parts.append("**References**\n\n" + "\n".join(items))
    return "\n\n".join(parts)


def _result(finding: Finding, rule_index: int, view: View) -> dict[str, Any]:
    level = "note" if finding.severity is None else _LEVELS[finding.severity]
    message = finding.message
    for question in finding.folded:
        message += f"\nOpen: {question.message}"
    properties: dict[str, Any] = {"consider/kind": finding.kind.value}
    if finding.status is not None:
        properties["consider/status"] = finding.status.value
    if finding.related:
        properties["consider/related"] = list(finding.related)
    properties["consider/failsGate"] = fails(finding, view.threshold)
    location = _location(finding.file, finding.line, finding.column)
    location["logicalLocations"] = [
        {"fullyQualifiedName": finding.pointer or "/", "kind": "object"}
    ]
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: finding.fingerprint or "0"},
        "properties": properties,
    }
    if finding.subsumed:
        # The related findings of the same cause: where each stands, and what it says, so
        # that code scanning shows one alert per problem with the others linked from it.
        result["relatedLocations"] = [
            {
                "id": i,
                **_location(member.file, member.line, member.column),
                "message": {"text": f"{member.rule}: {member.message}"},
            }
            for i, member in enumerate(finding.subsumed, start=1)
        ]
        properties["consider/subsumed"] = [
            {
                "ruleId": member.rule,
                "level": "note" if member.severity is None else _LEVELS[member.severity],
                "fingerprint": member.fingerprint,
                "suppressed": member.suppressed is not None,
            }
            for member in finding.subsumed
        ]
    if finding.suppressed is not None:
        result["suppressions"] = [_suppression(finding, finding.suppressed)]
    return result


def _suppression(finding: Finding, suppression: Suppression) -> dict[str, Any]:
    properties = {"consider/kind": suppression.kind}
    if suppression.owner:
        properties["owner"] = suppression.owner
    if suppression.expires:
        properties["expires"] = suppression.expires
    if suppression.source:
        properties["source"] = suppression.source
    entry: dict[str, Any] = {
        "kind": "inSource" if in_source(finding, suppression) else "external",
        "status": "accepted",
        "properties": properties,
    }
    if suppression.reason:
        entry["justification"] = suppression.reason
    return entry


def in_source(finding: Finding, suppression: Suppression) -> bool:
    """Whether a waiver is written in the spec the finding is about (``path:line`` there)."""
    if suppression.kind != "waiver":
        return False
    path, _, line = suppression.source.rpartition(":")
    return line.isdigit() and path == finding.file


def _location(path: str, line: int | None, column: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(path)}
    if line is not None:
        region: dict[str, Any] = {"startLine": line}
        if column is not None:
            region["startColumn"] = column
        physical["region"] = region
    return {"physicalLocation": physical}


def _artifact(path: str) -> dict[str, Any]:
    """A file as a URI: relative ones against ``%SRCROOT%``, absolute ones as ``file:`` URIs."""
    if PureWindowsPath(path).drive or path.startswith("/"):
        absolute = PureWindowsPath(path) if PureWindowsPath(path).drive else PurePosixPath(path)
        return {"uri": absolute.as_uri()}
    posix = path.replace("\\", "/")
    return {"uri": quote(posix, safe="/-._~!$&'()*+,;=@"), "uriBaseId": "%SRCROOT%"}


def _shown(finding: Finding, view: View) -> bool:
    if view.quiet:
        return fails(finding, view.threshold)
    return view.questions or finding.kind is not Kind.QUESTION
