"""The spec schema as published for editors (``consider schema spec``): any field may also
say ``tbd``, which consider sets aside before validating."""

from __future__ import annotations

import copy
from typing import Any

from consider.vocabulary import TBD

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
