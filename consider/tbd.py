"""``tbd``: any field may say it. Before validation every field that says ``tbd`` is set
aside, so the question it answers stays open (shown as acknowledged) and no schema error is
raised; an entity, a collection or the product that says ``tbd`` becomes an empty mapping,
so that it exists and its questions are asked."""

from __future__ import annotations

from itertools import islice
from typing import Any

from consider.text import escape_pointer_token
from consider.vocabulary import COLLECTIONS, TBD

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
    """``value`` with every field that says tbd set aside (its pointer added to ``tbd``).

    Only the containers on the way to a tbd are copied; where nothing says tbd, the value
    itself is returned, so a spec without one (the usual case) costs a walk, not a copy.
    """
    if isinstance(value, dict):
        kept: dict[str, Any] | None = None
        for index, (key, item) in enumerate(value.items()):
            if _is_tbd(item):
                if kept is None:
                    kept = dict(islice(value.items(), index))
                tbd.add(f"{pointer}/{escape_pointer_token(key)}")
                if _stays_as_mapping(pointer, key):
                    kept[key] = {}
                continue
            stripped = (
                strip_tbd(item, f"{pointer}/{escape_pointer_token(key)}", tbd)
                if isinstance(item, dict | list)
                else item
            )
            if kept is None and stripped is not item:
                kept = dict(islice(value.items(), index))
            if kept is not None:
                kept[key] = stripped
        return value if kept is None else kept
    if isinstance(value, list):
        copied: list[Any] | None = None
        for index, item in enumerate(value):
            stripped = (
                strip_tbd(item, f"{pointer}/{index}", tbd)
                if isinstance(item, dict | list)
                else item
            )
            if copied is None and stripped is not item:
                copied = value[:index]
            if copied is not None:
                copied.append(stripped)
        return value if copied is None else copied
    return value
