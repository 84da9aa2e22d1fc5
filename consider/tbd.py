"""``tbd``: any field may say it. Before validation every field that says ``tbd`` is set
aside, so the question it answers stays open (shown as acknowledged) and no schema error is
raised; an entity, a collection or the product that says ``tbd`` becomes an empty mapping,
so that it exists and its questions are asked."""

from __future__ import annotations

from typing import Any

from consider.loader import escape_pointer_token
from consider.vocabulary import COLLECTIONS

TBD = "tbd"


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


def strip_tbd(value: Any, pointer: str, tbd: set[str]) -> Any:
    if isinstance(value, dict):
        kept: dict[str, Any] = {}
        for key, item in value.items():
            where = f"{pointer}/{escape_pointer_token(key)}"
            if _is_tbd(item):
                tbd.add(where)
                if _stays_as_mapping(pointer, key):
                    kept[key] = {}
            else:
                kept[key] = strip_tbd(item, where, tbd)
        return kept
    if isinstance(value, list):
        return [strip_tbd(item, f"{pointer}/{i}", tbd) for i, item in enumerate(value)]
    return value
