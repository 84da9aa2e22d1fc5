"""``--format json``: the result as one JSON document, shaped by schemas/report.schema.json."""

from __future__ import annotations

import json
from typing import Any

from consider import __version__
from consider.findings import Finding, counts
from consider.report import DEFAULT_VIEW, View
from consider.result import Result


def finding_json(finding: Finding) -> dict[str, Any]:
    """One finding as a JSON object."""
    return {
        "kind": finding.kind.value,
        "rule": finding.rule,
        "pack": finding.pack,
        "severity": finding.severity.value if finding.severity else None,
        "status": finding.status.value if finding.status else None,
        "title": finding.title,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "pointer": finding.pointer,
        "why": finding.why,
        "fix": finding.fix,
        "references": list(finding.references),
        "choices": list(finding.choices),
        "fingerprint": finding.fingerprint,
        "folded": [finding_json(q) for q in finding.folded],
        "related": list(finding.related),
        "subsumed": [finding_json(f) for f in finding.subsumed],
        "suppression": None if finding.suppressed is None else finding.suppressed._asdict(),
    }


def document(result: Result) -> dict[str, Any]:
    """The report as plain data."""
    files = []
    for file in result.files:
        error = None
        if file.error is not None:
            error = {
                "message": file.error.message,
                "line": file.error.line,
                "column": file.error.column,
            }
        files.append(
            {
                "file": file.path,
                "error": error,
                "summary": counts(file.findings),
                "findings": [finding_json(f) for f in file.findings],
            }
        )
    summary = counts(result.findings())
    return {
        "tool": "consider",
        "version": __version__,
        "summary": {
            **summary,
            "files": len(result.files),
            "unreadable": sum(1 for f in result.files if f.error is not None),
        },
        "files": files,
    }


def render(result: Result, view: View = DEFAULT_VIEW) -> str:
    """The JSON text, indented for people and diffs."""
    return json.dumps(document(result), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
