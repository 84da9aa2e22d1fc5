"""The spec against ``schemas/spec.schema.json``: every violation a finding with its position.

A valid spec, the common case, is checked by a validator generated from the schema at build
time (``consider/_validators/``), so a clean run never imports jsonschema. Only a spec that
fails is validated again by jsonschema, lazily, to explain each problem
(consider/schema_errors.py).

Before validation, every field that says ``tbd`` is set aside (consider/tbd.py). After
validation, invalid values are dropped so that rules see them as absent; the schema finding
stands for them.

A file whose top level is not a mapping with a ``consider`` key is not a spec: it gets one
finding saying so (``Validation.is_spec`` is False) and nothing else. A file that has the
sections of a spec but lacks the key (``consider.specfiles``) is checked as a spec, with a
finding at its start that says the key is missing.
"""

from __future__ import annotations

from typing import Any

from consider.engine_rules import PACK, engine_rule_docs, schema_finding
from consider.findings import Finding
from consider.loader import Document
from consider.records import Record
from consider.specfiles import SPEC_KEY, FileKind, kind_of, spec_sections
from consider.tbd import strip_tbd
from consider.text import pointer_tokens, unescape_pointer_token
from consider.vocabulary import TBD

__all__ = ["PACK", "TBD", "Validation", "editor_schema", "engine_rule_docs", "validate"]


class Validation(Record):
    """A spec after validation: the data rules may see, what was tbd, and the findings.

    ``is_spec`` is False for a file that is not a spec at all (its top level is not a mapping,
    or has no ``consider`` key): its one finding says so, and rules have nothing to check.
    """

    data: dict[str, Any]
    tbd: frozenset[str]
    findings: tuple[Finding, ...]
    is_spec: bool = True


def validate(document: Document) -> Validation:
    """Validate a parsed spec; never raises for a spec that is merely wrong."""
    kind = kind_of(document.data)
    if kind is FileKind.OTHER:
        return Validation(
            data={}, tbd=frozenset(), findings=(_not_a_spec(document),), is_spec=False
        )
    tbd: set[str] = set()
    given = document.data
    findings = [_duplicate(document, dup) for dup in document.duplicates]
    if kind is FileKind.SPEC_LIKE:
        # One finding for the missing key, not a second one from the schema's `required`.
        findings.insert(0, _missing_version(document))
        given = {SPEC_KEY: 1, **given}
    # Each distinct value was looked at once, as it was loaded: most specs say tbd nowhere.
    data = given if document.tbd_free else strip_tbd(given, "", tbd)
    if not _fast_valid(data):
        from consider.schema_errors import explain  # only a spec that fails pays for it

        problems = list(explain(document, data, frozenset(tbd)))
        findings.extend(problem for problem, _ in problems)
        if problems:
            # strip_tbd shares what it did not change with the document; invalid values are
            # dropped from a copy, never from what was loaded.
            import copy

            data = copy.deepcopy(data)
        for pointer in sorted({p for _, p in problems if p is not None}, key=_depth, reverse=True):
            data = _remove(data, pointer)
    if not isinstance(data, dict):
        data = {}
    return Validation(data=data, tbd=frozenset(tbd), findings=tuple(findings))


def _not_a_spec(document: Document) -> Finding:
    """The one finding of a file that is not a spec, at its start."""
    if isinstance(document.data, dict):
        rule = "missing-required-field"
        message = (
            "this is not a consider spec: its top level has no 'consider: 1' key; add it, "
            "or leave the file out of the check"
        )
    else:
        rule = "invalid-type"
        from consider.schema_errors import show_value

        shown = show_value(document.data)
        message = f"this is not a consider spec: its top level is {shown}, not a mapping"
    return schema_finding(rule, message, document.path, "", (1, 1), document.data)


def _missing_version(document: Document) -> Finding:
    """The finding of a file with the sections of a spec but no ``consider`` key."""
    sections = " and ".join(f"'{key}'" for key in spec_sections(document.data))
    message = (
        f"this looks like a consider spec (it has {sections}) but its top level has no "
        "'consider: 1' key; add 'consider: 1' as its first line"
    )
    return schema_finding(
        "missing-required-field", message, document.path, "", (1, 1), document.data
    )


# -- the fast path ----------------------------------------------------------------------------


def _fast_valid(data: Any) -> bool:
    try:
        from consider._validators import spec as generated
    except ImportError:  # not generated (a bare checkout): fall back to jsonschema
        return False
    try:
        generated.validate(data)  # type: ignore[no-untyped-call]
    except generated.JsonSchemaValueException:
        return False
    return True


def _duplicate(document: Document, dup: Any) -> Finding:
    from consider.schema_errors import human_pointer, shown_key

    key = unescape_pointer_token(dup.pointer.rsplit("/", 1)[-1])
    parent = human_pointer(dup.pointer.rsplit("/", 1)[0]) or "the top level"
    message = (
        f"'{shown_key(key)}' is written twice in {parent} (first at line {dup.first_line}); "
        "only the first is used"
    )
    return schema_finding(
        "duplicate-key", message, document.path, dup.pointer, (dup.line, dup.column), key
    )


def _depth(pointer: str) -> int:
    return pointer.count("/")


def _remove(data: Any, pointer: str) -> Any:
    if not pointer:
        return {}
    parts = pointer_tokens(pointer)
    parent = data
    for part in parts[:-1]:
        if isinstance(parent, dict):
            parent = parent.get(part)
        elif isinstance(parent, list) and part.isdigit() and int(part) < len(parent):
            parent = parent[int(part)]
        else:
            return data
    last = parts[-1]
    if isinstance(parent, dict):
        parent.pop(last, None)
    elif isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        parent[int(last)] = None
    return data


def editor_schema(spec_schema: dict[str, Any]) -> dict[str, Any]:
    """The spec schema as editors should see it (see consider/editor_schema.py)."""
    from consider import editor_schema as editor

    return editor.editor_schema(spec_schema)
