"""The spec against ``schemas/spec.schema.json``: every violation a finding with its position.

A valid spec, the common case, is checked by a validator generated from the schema at build
time (``consider/_validators/``), so a clean run never imports jsonschema. Only a spec that
fails is validated again by jsonschema, lazily, to explain each problem: the most relevant
error of a ``oneOf`` (``best_match``), the closest valid name for an unknown key.

Before validation, every field that says ``tbd`` is set aside: the question it answers stays
open and is shown as acknowledged. An entity (or a whole collection, or the product) that says
``tbd`` becomes an empty mapping instead, so that it exists and its questions are asked. After
validation, invalid values are dropped so that rules see them as absent; the schema finding
stands for them.

A file whose top level is not a mapping with a ``consider`` key is not a spec: it gets one
finding saying so (``Validation.is_spec`` is False) and nothing else.

:func:`editor_schema` is the schema as published for editors, where any field may say ``tbd``.
"""

from __future__ import annotations

import copy
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
    "percentage": 'a quoted percentage from 0% to 100%, such as "99.9%", "0.5%" or "100%"',
    "ratio": 'a percentage that may exceed 100%, such as "50%" or "200%"',
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


COLLECTIONS = ("outputs", "slos", "models", "datasets", "features", "sources", "services", "stores")
"""The entity collections: top-level mappings keyed by entity id."""

_ID_FORM = "start with a letter or digit and use only letters, digits, '_', '.' and '-'"
_REF_KINDS = re.compile(r"^\^\(?([a-z]+(?:\|[a-z]+)*)\)?:")
_REF_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class Validation(NamedTuple):
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
    if not isinstance(document.data, dict) or "consider" not in document.data:
        return Validation(
            data={}, tbd=frozenset(), findings=(_not_a_spec(document),), is_spec=False
        )
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
        message = (
            f"this is not a consider spec: its top level is {_show(document.data)}, not a mapping"
        )
    return _finding(document, rule, message, "", (1, 1), document.data)


# -- tbd --------------------------------------------------------------------------------------

_ENTITY_SLOTS = frozenset({"/product", *(f"/{name}" for name in COLLECTIONS)})
_COLLECTION_POINTERS = frozenset(f"/{name}" for name in COLLECTIONS)


def _is_tbd(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() == TBD


def _stays_as_mapping(pointer: str, key: str) -> bool:
    """Whether a tbd at ``pointer/key`` is a whole entity, collection or product.

    Such a tbd becomes an empty mapping rather than nothing, so that the entity exists:
    references to it resolve and its questions are asked.
    """
    if pointer in _COLLECTION_POINTERS:
        return not key.startswith("x-")
    return not pointer and f"/{escape_pointer_token(key)}" in _ENTITY_SLOTS


def _strip_tbd(value: Any, pointer: str, tbd: set[str]) -> Any:
    if isinstance(value, dict):
        kept: dict[str, Any] = {}
        for key, item in value.items():
            where = f"{pointer}/{escape_pointer_token(key)}"
            if _is_tbd(item):
                tbd.add(where)
                if _stays_as_mapping(pointer, key):
                    kept[key] = {}
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
) -> list[tuple[Finding, str | None]]:
    import jsonschema
    from jsonschema.exceptions import best_match

    spec_schema = schema("spec")
    definitions = spec_schema.get("definitions", {})
    units = {_key(body): name for name, body in definitions.items() if name in _UNIT_HELP}
    references = {
        _key(body): _reference_kinds(body)
        for name, body in definitions.items()
        if name == "ref" or name.startswith("ref_")
    }
    validator = jsonschema.Draft7Validator(spec_schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    explained: list[tuple[Finding, str | None]] = []
    # One problem, one finding: of the errors about one value (a type and a const, say), the
    # most telling is reported; its index in ``explained`` and its rank, by pointer.
    values: dict[str, tuple[int, int]] = {}
    for top in errors:
        error = best_match([top]) if top.context else top
        pointer = "".join(f"/{escape_pointer_token(str(p))}" for p in error.absolute_path)
        if error.validator == "additionalProperties":
            explained.extend(_unknown_keys(document, error, pointer))
            continue
        if error.validator == "required":
            missing = _missing(error)
            if pointer in tbd or f"{pointer}/{escape_pointer_token(missing)}" in tbd:
                continue  # written as tbd: an acknowledged open question, not an error
            where = document.position(pointer, prefer="key")
            message = f"{_human(pointer) or 'the spec'} lacks the required field '{missing}'"
            explained.append(
                (
                    _finding(
                        document, "missing-required-field", message, pointer, where, error.instance
                    ),
                    None,
                )
            )
            continue
        rank = _RANKS.get(error.validator, len(_RANKS))
        seen = values.get(pointer)
        if seen is not None and seen[1] <= rank:
            continue
        unit = _unit_of(error, units)
        message = _describe(error, pointer, unit, references)
        rule = "invalid-type" if error.validator == "type" else "invalid-value"
        where = document.position(pointer, prefer="value")
        finding = (
            _finding(document, rule, message, pointer, where, error.instance),
            pointer or None,
        )
        if seen is None:
            values[pointer] = (len(explained), rank)
            explained.append(finding)
        else:
            values[pointer] = (seen[0], rank)
            explained[seen[0]] = finding
    return explained


_RANKS = {"type": 0, "const": 1, "enum": 1, "pattern": 2}
"""Which error about a value tells most: a wrong type first, then a wrong value, a wrong form."""


def _key(body: Any) -> str:
    return repr(body)


def _reference_kinds(body: Any) -> tuple[str, ...]:
    """``^(source|dataset|feature):...`` → ("source", "dataset", "feature")."""
    match = _REF_KINDS.match(str(body.get("pattern", "")) if isinstance(body, dict) else "")
    return tuple(match[1].split("|")) if match else ()


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
    pattern_keys = list(error.schema.get("patternProperties", {}))
    patterns = [re.compile(p) for p in pattern_keys]
    # A collection keyed by entity id: a key that fits no pattern is a malformed id.
    keyed_by_id = any(p != "^x-" for p in pattern_keys)
    place = _human(pointer) or "the top level"
    for key in error.instance:
        if key in known or any(p.search(key) for p in patterns):
            continue
        where_pointer = f"{pointer}/{escape_pointer_token(key)}"
        close = _close(key, known)
        if keyed_by_id and not close:
            rule = "invalid-value"
            message = f"'{_shown_key(key)}' is not a valid id in {place}: ids {_ID_FORM}"
        else:
            rule = "unknown-key"
            hint = (
                f"; did you mean '{close[0]}'?"
                if close
                else "; keys of your own must start with 'x-'"
            )
            message = f"unknown key '{_shown_key(key)}' in {place}{hint}"
        yield (
            _finding(
                document,
                rule,
                message,
                where_pointer,
                document.position(where_pointer, prefer="key"),
                error.instance[key],
            ),
            where_pointer,
        )


def _describe(
    error: Any,
    pointer: str,
    unit: str | None,
    references: dict[str, tuple[str, ...]] | None = None,
) -> str:
    where = _human(pointer) or "the spec"
    shown = _show(error.instance)
    if unit is not None:
        return f"{where} is {shown}, which is not a {unit}: write {_UNIT_HELP[unit]}"
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
        kinds = (references or {}).get(_key(error.schema)) or _reference_kinds(error.schema)
        if kinds:
            return f"{where} is {shown}, which {_bad_reference(str(error.instance), kinds)}"
        return f"{where} is {shown}, which does not match {error.validator_value}"
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = "at least" if "inimum" in error.validator else "at most"
        return f"{where} is {shown}; it must be {bound} {error.validator_value}"
    return f"{where}: {error.message}"


def _bad_reference(value: str, kinds: tuple[str, ...]) -> str:
    """What is wrong with a reference, and the closest one this field takes."""
    kind, colon, ident = value.partition(":")
    if colon and kind in kinds:
        return f"is not a reference this field takes: the id after '{kind}:' must {_ID_FORM}"
    text = f"is not a reference this field takes: write kind:id with kind {_or(kinds)}"
    if colon and _REF_ID.match(ident):
        close = _close(kind.lower(), list(kinds))
        if close:
            return f"{text}; did you mean {close[0]}:{ident}?"
    elif not colon and len(kinds) == 1 and _REF_ID.match(value):
        return f"{text}; did you mean {kinds[0]}:{value}?"
    return text


def _or(words: tuple[str, ...]) -> str:
    """("a", "b", "c") → "a, b or c"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _close(word: str, options: list[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(word, options, n=1, cutoff=0.6)


def _shown_key(key: str) -> str:
    """A key written in the spec, for a message: one line, and clipped."""
    from consider.report import one_line

    return one_line(key if len(key) < 60 else key[:57] + "...")


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
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


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
        f"'{_shown_key(key)}' is written twice in "
        f"{_human(dup.pointer.rsplit('/', 1)[0]) or 'the top level'} "
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


# -- the schema for editors -------------------------------------------------------------------

TBD_DEFINITION: dict[str, Any] = {
    "const": TBD,
    "description": "An open question, acknowledged: consider reports the question as open but "
    "raises no schema error.",
}
_SHOWN = ("title", "description", "markdownDescription")
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf")
_SCHEMA_ONE = ("items", "additionalItems", "additionalProperties", "contains", "propertyNames")


def editor_schema(spec_schema: dict[str, Any]) -> dict[str, Any]:
    """The spec schema as editors should see it: any field may also say ``tbd``.

    consider sets ``tbd`` aside before validating, so the checked-in schema never sees it;
    an editor validates what is typed, so in this version every property (and every entity
    of a collection) is ``anyOf: [<its schema>, tbd]``, with its title and description lifted
    to the wrapper so that hovers and completion still show them. Conditions (``if``,
    ``then``, ``else``, ``not``) are left as they are. ``spec_schema`` is not changed.
    """
    definitions = spec_schema.get("definitions", {})
    result: dict[str, Any] = _allow_tbd(copy.deepcopy(spec_schema), definitions)
    result.setdefault("definitions", {})["tbd"] = dict(TBD_DEFINITION)
    return result


def _allow_tbd(node: Any, definitions: dict[str, Any]) -> Any:
    if not isinstance(node, dict):
        return node
    for keyword in _SCHEMA_MAPS:
        members = node.get(keyword)
        if not isinstance(members, dict):
            continue
        for name, sub in members.items():
            sub = _allow_tbd(sub, definitions)
            if keyword != "definitions" and sub not in ({}, True):
                sub = _or_tbd(sub, definitions)
            members[name] = sub
    for keyword in _SCHEMA_LISTS:
        if isinstance(node.get(keyword), list):
            node[keyword] = [_allow_tbd(sub, definitions) for sub in node[keyword]]
    for keyword in _SCHEMA_ONE:
        if isinstance(node.get(keyword), dict):
            node[keyword] = _allow_tbd(node[keyword], definitions)
    return node


def _or_tbd(sub: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    wrapper = {key: sub[key] for key in _SHOWN if isinstance(sub, dict) and key in sub}
    ref = sub.get("$ref", "") if isinstance(sub, dict) else ""
    target = definitions.get(ref.removeprefix("#/definitions/"), {}) if ref else {}
    if not wrapper and isinstance(target, dict):  # a bare $ref: what the definition says
        wrapper = {key: target[key] for key in _SHOWN if key in target}
    wrapper["anyOf"] = [sub, {"$ref": "#/definitions/tbd"}]
    return wrapper


def engine_rule_docs() -> dict[str, tuple[str, str, str]]:
    """The engine's own schema rules: id → (title, why, fix), for ``rules list`` and docs."""
    return {rule: (_TITLES[rule], _WHY[rule], _FIX[rule]) for rule in _TITLES}
