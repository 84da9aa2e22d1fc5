"""The engine's own rules, not a pack's: the schema checks (``duplicate-key``,
``unknown-key``, ``invalid-type``, ``invalid-value``, ``missing-required-field``) and
``dangling-reference``; their texts, and the one constructor of their findings. Beside them,
the constructor of the findings that the policy adds (waivers, the baseline, the question
gate), risks of the ``consider`` pack whose texts live with the module that raises them."""

from __future__ import annotations

from typing import Any

from consider.findings import Finding, Kind, Severity, fingerprint

PACK = "schema"
"""The pack the engine's own findings name."""
POLICY_PACK = "consider"
"""The pack the findings of waivers, the baseline and the question gate name."""


def schema_finding(
    rule: str,
    message: str,
    file: str,
    pointer: str,
    where: tuple[int, int],
    content: Any,
    severity: Severity = Severity.ERROR,
) -> Finding:
    """A finding of one of the engine's own rules, at ``where`` (line, column)."""
    return policy_finding(
        rule,
        severity,
        message,
        file=file,
        pointer=pointer,
        where=where,
        docs=(_TITLES[rule], _WHY[rule], _FIX[rule]),
        fingerprint=fingerprint(rule, pointer, content),
        kind=Kind.SCHEMA,
        pack=PACK,
    )


def policy_finding(
    rule: str,
    severity: Severity,
    message: str,
    *,
    file: str,
    pointer: str,
    where: tuple[int, int],
    docs: tuple[str, str, str],
    fingerprint: str = "",
    kind: Kind = Kind.RISK,
    pack: str = POLICY_PACK,
) -> Finding:
    """A finding the engine or the policy adds about the spec or itself, at ``where`` (line,
    column), with its rule's ``docs`` (title, why, fix)."""
    title, why, fix = docs
    return Finding(
        kind=kind,
        rule=rule,
        pack=pack,
        severity=severity,
        message=message,
        file=file,
        line=where[0],
        column=where[1],
        pointer=pointer,
        title=title,
        why=why,
        fix=fix,
        fingerprint=fingerprint,
    )


_TITLES = {
    "duplicate-key": "A key is written twice in one mapping",
    "unknown-key": "A key the spec format does not define",
    "invalid-type": "A value of the wrong type",
    "invalid-value": "A value the spec format does not allow",
    "missing-required-field": "A required field is missing",
    "dangling-reference": "A reference to an entity that is not defined",
    "special-file": "A YAML name on something that is not a regular file",
}
_WHY = {
    "duplicate-key": "YAML keeps only one of the two values, silently; whichever was meant, "
    "the other is lost.",
    "unknown-key": "A misspelt key is ignored, so the question it answers stays open and the "
    "risk it mitigates is still reported.",
    "invalid-type": "Rules cannot read a value of the wrong type; it counts as absent.",
    "invalid-value": "Rules cannot read a value outside the format; it counts as absent.",
    "missing-required-field": "The spec cannot be read as a spec without it.",
    "dangling-reference": "Lineage, freshness and availability are computed by following "
    "references; one that leads nowhere breaks the chain.",
    "special-file": "A FIFO or a device could block the check or feed it without end, so it "
    "is never read; a spec kept there is not checked.",
}
_FIX = {
    "duplicate-key": "Keep one of the two keys.",
    "unknown-key": "Fix the spelling, or prefix keys of your own with 'x-'.",
    "invalid-type": "Write the value in the type the field takes (see docs/spec.md).",
    "invalid-value": "Write the value in the form the field takes (see docs/spec.md).",
    "missing-required-field": "Add the field.",
    "dangling-reference": "Define the entity, or fix the reference's kind or id.",
    "special-file": "Keep specs in regular files, or leave the folder out of the check.",
}


def engine_rule_docs() -> dict[str, tuple[str, str, str]]:
    """The engine's own schema rules: id → (title, why, fix), for ``rules list`` and docs."""
    return {rule: (_TITLES[rule], _WHY[rule], _FIX[rule]) for rule in _TITLES}


GATE_RULES: dict[str, tuple[str, str, str, str]] = {
    "waiver-expired": (
        "error",
        "Waiver expired",
        "A waiver is a decision with a date on it; past the date, the finding it accepted "
        "counts again until someone decides anew.",
        "Fix the finding, or renew the waiver with a new expiry date and reason.",
    ),
    "waiver-unused": (
        "info",
        "Waiver matches no finding",
        "The finding it accepted is gone (fixed, or the rule no longer fires): the waiver "
        "would otherwise outlive its reason and silently accept a future finding.",
        "Remove the waiver.",
    ),
    "waiver-unknown-rule": (
        "error",
        "Waiver names no rule",
        "A misspelt rule id waives nothing, so the finding the team meant to accept still "
        "fails the gate, or the waiver hides a typo.",
        "Write the rule id as `consider rules list` shows it.",
    ),
    "baseline-stale": (
        "info",
        "Baseline entry no longer matches",
        "A baseline only shrinks: an entry that matches nothing would accept a future finding "
        "with the same fingerprint.",
        "Run `consider check --write-baseline FILE` to record today's findings.",
    ),
    "open-questions": (
        "error",
        "Open questions fail the gate",
        "The project's config asks for specs whose questions are answered or acknowledged.",
        "Answer the open questions (consider ask), or write tbd for those not known yet.",
    ),
}
"""The gate's own rules (pack ``consider``): id → (severity, title, why, fix). Their findings
are about waivers, the baseline and the question gate, not about the spec's design."""


def gate_docs(rule: str) -> tuple[str, str, str]:
    """(title, why, fix) of one of the gate's own rules."""
    _, title, why, fix = GATE_RULES[rule]
    return title, why, fix
