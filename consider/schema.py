"""The spec against ``schemas/spec.schema.json``: every violation a finding with its position.

A valid spec, the common case, is checked by a validator generated from the schema at build
time (``consider/_validators/``), so a clean run never imports jsonschema. Only a spec that
fails is validated again by jsonschema, lazily, to explain each problem: the most relevant
error of a ``oneOf`` (``best_match``), the closest valid name for an unknown key.

Before validation, every field that says ``tbd`` is set aside: the question it answers stays
open and is shown as acknowledged. After it, invalid values are dropped so that rules see
them as absent; the schema finding stands for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from consider.findings import Finding, Kind, Severity, fingerprint
from consider.loader import Document, escape_pointer_token
from consider.resources import schema

TBD = "tbd"
PACK = "schema"

_UNIT_HELP = {
    "duration": "a number and a unit: 250ms, 30s, 15m, 6h, 1d or 2w (no months or years)",
    "percentage": 'a quoted percentage such as "99.9%"',
    "rate": 'a rate such as "1200/s" or "5000/h", or {requests: 5000, per: 1h}',
    "size": "a size such as 16B, 50KB, 50MB, 2TB (decimal) or 512MiB (binary)",
    "count": "a count such as 1200, 12K, 11M or 2G (never B, which is bytes)",
    "schedule": 'a duration such as 6h, or {cron: "0 6 * * MON"}',
}
_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


class Validation(NamedTuple):
    """A spec after validation: the data rules may see, what was tbd, and the findings."""

    data: dict[str, Any]
    tbd: frozenset[str]
    findings: tuple[Finding, ...]


def validate(document: Document) -> Validation:
    """Validate a parsed spec; never raises for a spec that is merely wrong."""
    tbd: set[str] = set()
    data = _strip_tbd(document.data, "", tbd)
    findings = [_duplicate(document, dup) for dup in document.duplicates]
    if not _fast_valid(data):
        problems = list(_explain(document, data, frozenset(tbd)))
        findings.extend(problem for problem, _ in problems)
        for pointer in sorted({p for _, p in problems if p is not None}, key=_depth, reverse=True):
            data = _remove(data, pointer)
    if not isinstance(data, dict):
        data = {}
    return Validation(data=data, tbd=frozenset(tbd), findings=tuple(findings))


# -- tbd --------------------------------------------------------------------------------------


def _strip_tbd(value: Any, pointer: str, tbd: set[str]) -> Any:
    if isinstance(value, dict):
        kept: dict[str, Any] = {}
        for key, item in value.items():
            where = f"{pointer}/{escape_pointer_token(key)}"
            if isinstance(item, str) and item.strip().lower() == TBD:
                tbd.add(where)
            else:
                kept[key] = _strip_tbd(item, where, tbd)
        return kept
    if isinstance(value, list):
        return [_strip_tbd(item, f"{pointer}/{i}", tbd) for i, item in enumerate(value)]
    return value


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


# -- explaining a spec that fails -------------------------------------------------------------


def _explain(
    document: Document, data: Any, tbd: frozenset[str] = frozenset()
) -> Iterable[tuple[Finding, str | None]]:
    import jsonschema
    from jsonschema.exceptions import best_match

    spec_schema = schema("spec")
    units = {
        _key(body): name
        for name, body in spec_schema.get("definitions", {}).items()
        if name in _UNIT_HELP
    }
    validator = jsonschema.Draft7Validator(spec_schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    for top in errors:
        error = best_match([top]) if top.context else top
        pointer = "".join(f"/{escape_pointer_token(str(p))}" for p in error.absolute_path)
        if error.validator == "additionalProperties":
            yield from _unknown_keys(document, error, pointer)
            continue
        if error.validator == "required":
            missing = _missing(error)
            if f"{pointer}/{escape_pointer_token(missing)}" in tbd:
                continue  # written as tbd: an acknowledged open question, not an error
            where = document.position(pointer, prefer="key")
            message = f"{_human(pointer) or 'the spec'} lacks the required field '{missing}'"
            yield (
                _finding(
                    document, "missing-required-field", message, pointer, where, error.instance
                ),
                None,
            )
            continue
        unit = _unit_of(error, units)
        message = _describe(error, pointer, unit)
        rule = "invalid-type" if error.validator == "type" else "invalid-value"
        where = document.position(pointer, prefer="value")
        yield _finding(document, rule, message, pointer, where, error.instance), pointer or None


def _key(body: Any) -> str:
    return repr(body)


def _unit_of(error: Any, units: dict[str, str]) -> str | None:
    for candidate in (error, *error.context):
        name = units.get(_key(candidate.schema))
        if name:
            return name
    parent = error.parent
    while parent is not None:
        name = units.get(_key(parent.schema))
        if name:
            return name
        parent = parent.parent
    return None


def _missing(error: Any) -> str:
    match = re.match(r"'([^']*)' is a required property", error.message)
    return match[1] if match else str(error.message)


def _unknown_keys(
    document: Document, error: Any, pointer: str
) -> Iterable[tuple[Finding, str | None]]:
    known = sorted(error.schema.get("properties", {}))
    patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
    for key in error.instance:
        if key in known or any(p.search(key) for p in patterns):
            continue
        where_pointer = f"{pointer}/{escape_pointer_token(key)}"
        close = _close(key, known)
        hint = (
            f"; did you mean '{close[0]}'?" if close else "; keys of your own must start with 'x-'"
        )
        place = _human(pointer) or "the top level"
        message = f"unknown key '{key}' in {place}{hint}"
        yield (
            _finding(
                document,
                "unknown-key",
                message,
                where_pointer,
                document.position(where_pointer, prefer="key"),
                error.instance[key],
            ),
            where_pointer,
        )


def _describe(error: Any, pointer: str, unit: str | None) -> str:
    where = _human(pointer) or "the spec"
    shown = _show(error.instance)
    if unit is not None:
        return f"{where} is {shown}, which is not {_article(unit)}: write {_UNIT_HELP[unit]}"
    if error.validator == "type":
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        return f"{where} must be {wanted}, not {shown}"
    if error.validator == "enum":
        options = [str(o) for o in error.validator_value]
        close = _close(str(error.instance), options)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{where} is {shown}; use one of: {', '.join(options)}{hint}"
    if error.validator == "const":
        return f"{where} is {shown}; it must be {error.validator_value!r}"
    if error.validator == "pattern":
        kind = (
            "reference"
            if "|" in str(error.validator_value) and ":" in str(error.validator_value)
            else "value"
        )
        if kind == "reference":
            return (
                f"{where} is {shown}, which is not a valid reference here: write "
                f"kind:id matching {error.validator_value}"
            )
        return f"{where} is {shown}, which does not match {error.validator_value}"
    return f"{where}: {error.message}"


def _close(word: str, options: list[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(word, options, n=1, cutoff=0.6)


def _article(unit: str) -> str:
    return f"a {unit}"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) < 60 else repr(value[:57] + "...")
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _human(pointer: str) -> str:
    """``/outputs/home-rows/fallback`` → ``outputs.home-rows.fallback``."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text


def _finding(
    document: Document, rule: str, message: str, pointer: str, where: tuple[int, int], content: Any
) -> Finding:
    return Finding(
        kind=Kind.SCHEMA,
        rule=rule,
        pack=PACK,
        severity=Severity.ERROR,
        message=message,
        file=document.path,
        line=where[0],
        column=where[1],
        pointer=pointer,
        title=_TITLES[rule],
        why=_WHY[rule],
        fix=_FIX[rule],
        fingerprint=fingerprint(rule, pointer, content),
    )


def _duplicate(document: Document, dup: Any) -> Finding:
    key = dup.pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    message = (
        f"'{key}' is written twice in {_human(dup.pointer.rsplit('/', 1)[0]) or 'the top level'} "
        f"(first at line {dup.first_line}); only the first is used"
    )
    return Finding(
        kind=Kind.SCHEMA,
        rule="duplicate-key",
        pack=PACK,
        severity=Severity.ERROR,
        message=message,
        file=document.path,
        line=dup.line,
        column=dup.column,
        pointer=dup.pointer,
        title=_TITLES["duplicate-key"],
        why=_WHY["duplicate-key"],
        fix=_FIX["duplicate-key"],
        fingerprint=fingerprint("duplicate-key", dup.pointer, key),
    )


def _depth(pointer: str) -> int:
    return pointer.count("/")


def _remove(data: Any, pointer: str) -> Any:
    if not pointer:
        return {}
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
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


_TITLES = {
    "duplicate-key": "A key is written twice in one mapping",
    "unknown-key": "A key the spec format does not define",
    "invalid-type": "A value of the wrong type",
    "invalid-value": "A value the spec format does not allow",
    "missing-required-field": "A required field is missing",
    "dangling-reference": "A reference to an entity that is not defined",
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
}
_FIX = {
    "duplicate-key": "Keep one of the two keys.",
    "unknown-key": "Fix the spelling, or prefix keys of your own with 'x-'.",
    "invalid-type": "Write the value in the type the field takes (see docs/spec.md).",
    "invalid-value": "Write the value in the form the field takes (see docs/spec.md).",
    "missing-required-field": "Add the field.",
    "dangling-reference": "Define the entity, or fix the reference's kind or id.",
}


def engine_rule_docs() -> dict[str, tuple[str, str, str]]:
    """The engine's own schema rules: id → (title, why, fix), for ``rules list`` and docs."""
    return {rule: (_TITLES[rule], _WHY[rule], _FIX[rule]) for rule in _TITLES}
