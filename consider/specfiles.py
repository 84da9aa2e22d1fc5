"""Which YAML files are specs: one rule for files named on the command line, files found in
folders and files a pre-commit hook passes.

A file is a *spec* when its top level has a ``consider`` key. It *looks like* a spec when its
top level has the sections a spec is made of, ``product`` with ``outputs``, ``slos`` or
``sources``, but no ``consider`` key: such a file is checked, with a finding that says the key
is missing, so a spec that forgot ``consider: 1`` is never passed over in silence. Anything
else is *other* (an OpenAPI document, a compose file, CI config).

The rule is applied to parsed data (:func:`kind_of`) and, where reading a file in full would
be wasted, to the top-level keys at the head of its text (:func:`head_kind`): how folders are
searched, and how ``--skip-non-specs`` passes over a large or malformed non-spec without
parsing it.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from typing import Any

from consider.lazyre import LazyPattern

SPEC_KEY = "consider"
SECTIONS = ("outputs", "slos", "sources")
"""With ``product``, the sections that make a file a spec even without its ``consider`` key."""

HEAD_BYTES = 65536
"""How much of a file :func:`head_kind` reads."""

# A top-level key in block style: at column 0, plain or quoted, then ':' and a space or the end.
_TOP_KEY = LazyPattern(
    rb"""^(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#'"\-?:{\[][^:\n]*?))[ \t]*:(?:[ \t]|$)"""
)


class FileKind(enum.Enum):
    """What a YAML file is, for consider."""

    SPEC = "spec"
    SPEC_LIKE = "spec-like"
    OTHER = "other"


def kind_from_keys(keys: Collection[str]) -> FileKind:
    """The kind of a file whose top-level mapping has ``keys``."""
    if SPEC_KEY in keys:
        return FileKind.SPEC
    if "product" in keys and any(section in keys for section in SECTIONS):
        return FileKind.SPEC_LIKE
    return FileKind.OTHER


def kind_of(data: Any) -> FileKind:
    """The kind of a parsed YAML document."""
    return kind_from_keys(data.keys()) if isinstance(data, dict) else FileKind.OTHER


def spec_sections(data: dict[str, Any]) -> list[str]:
    """The spec sections a mapping has, ``product`` first: what makes it look like a spec."""
    return [key for key in ("product", *SECTIONS) if key in data]


def head_kind(head: bytes, *, whole: bool = True) -> FileKind | None:
    """The kind read from the block-style top-level keys at the head of a file's text, or
    None when the head cannot tell: it shows no such key (flow style, a list, an empty
    file), or it is not the ``whole`` file and shows no spec key (the rest might)."""
    keys = set()
    top_key = _TOP_KEY.match  # looked up once: each lookup goes through LazyPattern
    for line in head.splitlines():
        match = top_key(line)
        if match is not None:
            raw = next(group for group in match.groups() if group is not None)
            keys.add(raw.strip().decode("utf-8", "replace"))
    kind = kind_from_keys(keys) if keys else None
    return None if kind is FileKind.OTHER and not whole else kind
