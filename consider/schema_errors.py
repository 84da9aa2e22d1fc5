"""Explaining a JSON-schema error, for a spec or a rule pack: where it is, what is wrong in
words, and the closest valid name for an unknown key. jsonschema is imported only here and
only for a document that fails (a clean run validates with the generated validators).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from consider.engine_rules import schema_finding
from consider.errors import PackError
from consider.findings import Finding
from consider.loader import Document
from consider.resources import schema
from consider.text import closest, escape_pointer_token, or_list, pointer_tokens
from consider.vocabulary import UNIT_HELP

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


_ID_FORM = "start with a letter or digit and use only letters, digits, '_', '.' and '-'"
_REF_KINDS = re.compile(r"^\^\(?([a-z]+(?:\|[a-z]+)*)\)?:")
_REF_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def explain(
    document: Document, data: Any, tbd: frozenset[str] = frozenset()
) -> list[tuple[Finding, str | None]]:
    import jsonschema
    from jsonschema.exceptions import best_match

    spec_schema = schema("spec")
    definitions = spec_schema.get("definitions", {})
    units = {_key(body): name for name, body in definitions.items() if name in UNIT_HELP}
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
        pointer = error_pointer(error)
        if error.validator == "additionalProperties":
            explained.extend(_unknown_keys(document, error, pointer))
            continue
        if error.validator == "required":
            missing = _missing(error)
            if pointer in tbd or f"{pointer}/{escape_pointer_token(missing)}" in tbd:
                continue  # written as tbd: an acknowledged open question, not an error
            where = document.position(pointer, prefer="key")
            message = f"{human_pointer(pointer) or 'the spec'} lacks the required field '{missing}'"
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


def unknown_keys(error: Any) -> Iterator[tuple[str, list[str]]]:
    """The keys an ``additionalProperties`` error is about (defined by no property and
    matched by no pattern), each with the closest defined key, if one is close."""
    known = sorted(error.schema.get("properties", {}))
    patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
    for key in error.instance:
        if key in known or any(p.search(str(key)) for p in patterns):
            continue
        yield key, closest(str(key), known)


def error_pointer(error: Any) -> str:
    """The JSON pointer of the value a jsonschema error is about."""
    return "".join(f"/{escape_pointer_token(str(p))}" for p in error.absolute_path)


def _unknown_keys(
    document: Document, error: Any, pointer: str
) -> Iterable[tuple[Finding, str | None]]:
    # A collection keyed by entity id: a key that fits no pattern is a malformed id.
    keyed_by_id = any(p != "^x-" for p in error.schema.get("patternProperties", {}))
    place = human_pointer(pointer) or "the top level"
    for key, close in unknown_keys(error):
        where_pointer = f"{pointer}/{escape_pointer_token(key)}"
        if keyed_by_id and not close:
            rule = "invalid-value"
            message = f"'{shown_key(key)}' is not a valid id in {place}: ids {_ID_FORM}"
        else:
            rule = "unknown-key"
            hint = (
                f"; did you mean '{close[0]}'?"
                if close
                else "; keys of your own must start with 'x-'"
            )
            message = f"unknown key '{shown_key(key)}' in {place}{hint}"
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
    where = human_pointer(pointer) or "the spec"
    shown = show_value(error.instance)
    if unit is not None:
        return f"{where} is {shown}, which is not a {unit}: write {UNIT_HELP[unit]}"
    if error.validator == "type":
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        return f"{where} must be {wanted}, not {shown}"
    if error.validator == "enum":
        options = [str(o) for o in error.validator_value]
        close = closest(str(error.instance), options)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{where} is {shown}; use one of: {', '.join(options)}{hint}"
    if error.validator == "const":
        return f"{where} is {shown}; it must be {error.validator_value!r}"
    if error.validator == "pattern":
        kinds = (references or {}).get(_key(error.schema)) or _reference_kinds(error.schema)
        if kinds:
            return f"{where} is {shown}, which {_bad_reference(str(error.instance), kinds)}"
        examples = error.schema.get("examples") if isinstance(error.schema, dict) else None
        if isinstance(examples, list) and examples:
            # An example reads better than the regular expression it stands for.
            return f"{where} is {shown}, which is not in the form it takes, such as {examples[0]}"
        return f"{where} is {shown}, which does not match {error.validator_value}"
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = "at least" if "inimum" in error.validator else "at most"
        return f"{where} is {shown}; it must be {bound} {error.validator_value}"
    if error.validator in ("oneOf", "anyOf"):
        alternatives = _alternative_types(error.validator_value)
        if alternatives:
            return f"{where} must be {alternatives}, not {shown}"
    return f"{where}: {error.message}"


def _alternative_types(options: Any) -> str | None:
    """The types a oneOf/anyOf takes, in words ("true or false or a list"), when each of its
    alternatives names its type; None otherwise."""
    names: list[str] = []
    for option in options if isinstance(options, list) else ():
        kind = option.get("type") if isinstance(option, dict) else None
        kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else None
        if not kinds:
            return None
        for name in kinds:
            word = _TYPE_NAMES.get(name, name)
            if word not in names:
                names.append(word)
    return " or ".join(names) if names else None


def _bad_reference(value: str, kinds: tuple[str, ...]) -> str:
    """What is wrong with a reference, and the closest one this field takes."""
    kind, colon, ident = value.partition(":")
    if colon and kind in kinds:
        return f"is not a reference this field takes: the id after '{kind}:' must {_ID_FORM}"
    text = f"is not a reference this field takes: write kind:id with kind {or_list(kinds)}"
    if colon and _REF_ID.match(ident):
        close = closest(kind.lower(), list(kinds))
        if close:
            return f"{text}; did you mean {close[0]}:{ident}?"
    elif not colon and len(kinds) == 1 and _REF_ID.match(value):
        return f"{text}; did you mean {kinds[0]}:{value}?"
    return text


def show_value(value: Any) -> str:
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


def human_pointer(pointer: str) -> str:
    """``/outputs/home-rows/fallback`` → ``outputs.home-rows.fallback``."""
    parts = pointer_tokens(pointer)
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text


def _finding(
    document: Document, rule: str, message: str, pointer: str, where: tuple[int, int], content: Any
) -> Finding:
    return schema_finding(rule, message, document.path, pointer, where, content)


# -- a rule pack that fails ------------------------------------------------------------------


def explain_pack(document: Document) -> PackError | None:
    """The most relevant problem of a rule pack that fails its schema, as the error to raise
    (naming the rule, the place and the fix); None when the pack is valid."""
    import jsonschema
    from jsonschema.exceptions import best_match

    data = document.data
    if not isinstance(data, dict):
        return PackError(
            "the file is empty or not a mapping; a rule pack starts with "
            "'pack: <id>' and 'title: ...' (see docs/packs.md)",
            path=document.path,
        )
    if "consider" in data and "pack" not in data:
        return PackError(
            "this is a spec, not a rule pack; check it with `consider check`, and "
            "give --pack a pack file (see docs/packs.md)",
            path=document.path,
        )
    validator = jsonschema.Draft7Validator(schema("rulepack"))
    error = best_match(validator.iter_errors(data))
    if error is None:
        return None
    path = list(error.absolute_path)
    pointer = error_pointer(error)
    line, column = document.position(pointer, prefer="value")
    rule = ""
    if len(path) >= 2 and path[0] in ("questions", "risks") and isinstance(path[1], int):
        entry = data[path[0]][path[1]]
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            rule = f"rule '{entry['id']}': "
    where = ".".join(str(p) for p in path) or "the pack"
    message = error.message
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        # jsonschema says "'sevrity' does not match any of the regexes: '^x-'": name the key,
        # point at it, and offer the closest valid one.
        unknown = [(k, c) for k, c in unknown_keys(error) if not str(k).startswith("x-")]
        if unknown:
            key, close = unknown[0]
            known = sorted(error.schema.get("properties", {}))
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(known)})"
            message = f"unknown key '{key}'{hint}"
            key_pointer = f"{pointer}/{escape_pointer_token(str(key))}"
            line, column = document.position(key_pointer, prefer="key")
    return PackError(
        f"{rule}{where}: {message}; see schemas/rulepack.schema.json",
        path=document.path,
        line=line,
        column=column,
    )


def shown_key(key: str) -> str:
    """A key written in the spec, for a message: one line, and clipped."""
    from consider.report import one_line

    return one_line(key if len(key) < 60 else key[:57] + "...")
