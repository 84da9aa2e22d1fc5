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
