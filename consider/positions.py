"""Where each key and value of a loaded document was written, found by JSON pointer.

The builder (:mod:`consider.builder`) keeps each place as a character offset plus one, in
lists beside the data; :class:`Positions` answers by walking the data along a pointer, and
:class:`Lines` turns an offset into a line and column, with YAML's line breaks, only when a
position is asked for.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from typing import Any

from consider.lazyre import LazyPattern
from consider.text import escape_pointer_token

Position = tuple[int, int]
"""A 1-based (line, column)."""

LINE_BREAK = LazyPattern("\r\n|[\r\n\x85\u2028\u2029]")
"""Every line break YAML counts: CR LF, CR, LF, NEL, LS and PS."""


class Lines:
    """Character offsets to 1-based (line, column), by the line breaks YAML counts (CR LF,
    CR, LF, NEL, LS, PS, as libyaml and PyYAML do). Positions are kept as offsets, one small
    int per node: the table of line starts is made only when a position is first asked for."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[int] | None = None

    def at(self, place: int) -> Position:
        """The (line, column) of a place (a character offset plus one); (0, 0) for none."""
        if not place:
            return (0, 0)
        starts = self._starts
        if starts is None:
            starts = self._starts = line_starts(self._text)
        index = place - 1
        line = bisect.bisect_right(starts, index)
        return (line, index - starts[line - 1] + 1)


def line_starts(text: str) -> list[int]:
    """The offset where each line begins. Where every line ends in LF (or CR LF), a search
    for LF finds them all, a tenth of the time a pattern of all YAML's breaks takes."""
    if (
        "\x85" not in text
        and "\u2028" not in text
        and "\u2029" not in text
        and text.count("\r") == text.count("\r\n")
    ):
        starts = [0]
        find = text.find
        at = find("\n")
        while at != -1:
            at += 1
            starts.append(at)
            at = find("\n", at)
        return starts
    return [0, *(m.end() for m in LINE_BREAK.finditer(text))]


def slots(marks: list[Any] | None, place: int, *, mapping: bool) -> tuple[int, Any]:
    """What a container's ``marks`` (see :attr:`consider.builder.Builder.root_marks`) hold
    for the child added ``place``-th: the key's place (0 for a list item, or none kept), and
    the value's place or, for a container, its own marks (None when none were kept)."""
    if marks is None:
        return 0, None
    if mapping:
        at = 1 + 2 * place
        return (marks[at], marks[at + 1]) if at + 1 < len(marks) else (0, None)
    at = 1 + place
    return (0, marks[at]) if at < len(marks) else (0, None)


_SCANNED = 8
"""A mapping of up to this many keys is searched for a key's place; a larger one (a
collection of entities) gets an index of its keys, made once."""


class Positions(Mapping[str, Position]):
    """Where each value (or each mapping key) of a document was written, by JSON pointer.

    Looked up by walking the data along the pointer, so no pointer is built for a node
    until something asks where it is: a large spec has hundreds of thousands of nodes and
    findings on a few of them. Inside a copy made by an alias, every value was written at
    the alias; keys of such a copy, and of merged (``<<``) entries, have no place of their own.
    """

    __slots__ = (
        "_aliases",
        "_keys",
        "_lines",
        "_places",
        "_root",
        "_root_mark",
        "_root_marks",
    )

    def __init__(
        self,
        root: Any,
        root_mark: int,
        root_marks: list[Any] | None,
        lines: Lines,
        aliases: dict[int, tuple[Any, Position]],
        *,
        keys: bool,
    ) -> None:
        """``root`` and its place (0 for none), the places beside it (see
        :attr:`consider.builder.Builder.root_marks`), the document's ``lines``, and each copy
        made by an alias by id, with where the alias is; ``keys``: keys' places, not values'."""
        self._root = root
        self._root_mark = root_mark
        self._root_marks = root_marks
        self._lines = lines
        self._aliases = aliases
        self._keys = keys
        # id of a large mapping of the data -> each key's place in it. The data is kept
        # alive by ``_root``, so no id here can be reused.
        self._places: dict[int, dict[str, int]] = {}

    def get(self, pointer: str, default: Any = None) -> Any:
        found = self._find(pointer)
        return default if found is None else found

    def __getitem__(self, pointer: str) -> Position:
        found = self._find(pointer)
        if found is None:
            raise KeyError(pointer)
        return found

    def __contains__(self, pointer: object) -> bool:
        return isinstance(pointer, str) and self._find(pointer) is not None

    def __iter__(self) -> Iterator[str]:
        if self._root_mark and not self._keys:
            yield ""
        yield from self._below(self._root, "", None, self._root_marks)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def _find(self, pointer: str) -> Position | None:
        if not pointer:
            return None if self._keys or not self._root_mark else self._lines.at(self._root_mark)
        if pointer[0] != "/":
            return None
        tokens = pointer[1:].split("/")
        last = len(tokens) - 1
        node = self._root
        marks = self._root_marks
        inherited: Position | None = None
        for step, token in enumerate(tokens):
            if type(node) is dict:
                if "~" in token:
                    token = token.replace("~1", "/").replace("~0", "~")
                if token not in node:
                    return None
                slot: Any = token
                key_place, entry = slots(marks, self._place(node, token), mapping=True)
            elif type(node) is list:
                if not (token.isascii() and token.isdigit()) or str(int(token)) != token:
                    return None
                slot = int(token)
                if slot >= len(node):
                    return None
                key_place, entry = slots(marks, slot, mapping=False)
            else:
                return None
            child = node[slot]
            marks = entry if type(entry) is list else None
            if step == last:
                if self._keys:
                    return self._lines.at(key_place) if key_place else None
                if entry is not None:
                    return self._lines.at(marks[0] if marks is not None else entry)
                return inherited
            if inherited is None and not self._keys:
                alias = self._aliases.get(id(child))
                if alias is not None and alias[0] is child:
                    inherited = alias[1]
            node = child
        return None  # pragma: no cover - the loop returns at its last step

    def _place(self, mapping: dict[str, Any], key: str) -> int:
        """Where ``key`` is among the keys of ``mapping``, in the order they were added."""
        if len(mapping) <= _SCANNED:
            for place, written in enumerate(mapping):
                if written == key:
                    return place
        places = self._places.get(id(mapping))
        if places is None or key not in places or len(places) != len(mapping):
            places = self._places[id(mapping)] = {k: i for i, k in enumerate(mapping)}
        return places[key]

    def _below(
        self, node: Any, pointer: str, inherited: Position | None, marks: list[Any] | None
    ) -> Iterator[str]:
        if not isinstance(node, dict | list):
            return
        mapping = isinstance(node, dict)
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for place, (slot, child) in enumerate(items):
            where = f"{pointer}/{escape_pointer_token(str(slot))}"
            key_place, entry = slots(marks, place, mapping=mapping)
            below_marks = entry if type(entry) is list else None
            if self._keys:
                if key_place:
                    yield where
            elif entry is not None or inherited is not None:
                yield where
            alias = None if self._keys else self._aliases.get(id(child))
            below = alias[1] if alias is not None and alias[0] is child else inherited
            yield from self._below(child, where, below, below_marks)
