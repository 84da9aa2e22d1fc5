"""YAML events → plain data, with the place of every key and value beside it.

One pass over PyYAML's event stream (libyaml's when present) builds the data and, in lists
beside it, where each key and value was written. Building from events rather than PyYAML's
constructors is what gives us, in the same pass:

- duplicate keys, reported as data (:class:`Duplicate`), not as a crash;
- dates kept as the strings that were written;
- no tags beyond YAML's standard ones, so nothing can name a Python object;
- aliases expanded by copy, counted, and refused past a limit (the "billion laughs" bomb);
- nesting depth bounded without recursion.

:func:`consider.loader.parse` runs it and makes the :class:`~consider.loader.Document`.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from consider.errors import InputError
from consider.lazyre import import_lazily
from consider.positions import Lines, Position, slots
from consider.records import Record
from consider.text import escape_pointer_token
from consider.vocabulary import TBD

if TYPE_CHECKING:
    import yaml

    from consider.loader import Limits
else:
    yaml = import_lazily("yaml")  # its patterns compiled on first use (consider/lazyre.py)

MAX_INTEGER = 10**18
"""Integers a spec can mean (counts, tiers, bytes) lie well inside this; a larger one is kept
as the text written, so the schema reports it where a number is expected and nothing
downstream does arithmetic on (or prints) a 5,000-digit number."""
_MAX_NUMBER_TEXT = 100

_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {
    f"{_YAML}{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "binary", "merge", "value")
}
_MAP_TAGS = {None, "!", f"{_YAML}map", f"{_YAML}omap"}
_SEQ_TAGS = {None, "!", f"{_YAML}seq"}


class Duplicate(Record):
    """A key written twice in one mapping; the first value is kept."""

    pointer: str
    line: int
    column: int
    first_line: int


class _Frame:
    __slots__ = (
        "anchor",
        "container",
        "discard",
        "key",
        "key_mark",
        "mark",
        "marks",
        "merges",
        "parent",
        "token",
    )

    def __init__(
        self,
        container: dict[str, Any] | list[Any],
        parent: _Frame | None,
        token: str | int,
        mark: int,
    ) -> None:
        self.container = container
        # Where the container sits: under ``token`` in its parent's. Its JSON pointer is
        # built from these only when something needs it (a duplicate key, an anchor).
        self.parent = parent
        self.token = token
        self.mark = mark
        # Where the container and each of its children were written (see Builder.root_marks).
        self.marks: list[Any] = [mark]
        self.key: str | None = None
        self.key_mark = 0  # its place; 0 for none
        self.merges: list[Any] | None = None
        self.anchor: str | None = None
        # Inside the value of a duplicate key, which is dropped: its positions are not kept,
        # so they cannot overwrite those of the first value, which is.
        self.discard = False

    @property
    def pointer(self) -> str:
        """The container's JSON pointer."""
        tokens: list[str] = []
        frame: _Frame | None = self
        while frame is not None and frame.parent is not None:
            token = frame.token
            tokens.append(escape_pointer_token(token) if isinstance(token, str) else str(token))
            frame = frame.parent
        return "".join(f"/{token}" for token in reversed(tokens))


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


def _mark(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


_MISSING = object()


def _place_of(mark: Any) -> int:
    """Where a YAML mark is, as one small int: its character offset plus one (never 0)."""
    index: int = mark.index
    return index + 1


class Builder:
    """Turns events into data; kept apart from ``parse`` so the loop stays flat."""

    def __init__(self, path: str, limits: Limits, lines: Lines) -> None:
        self.path = path
        self.limits = limits
        self.lines = lines
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.root_mark = 0  # its place; 0 for no root
        # Positions are kept as a tree of lists beside the data, not by JSON pointer (a
        # pointer is built only when a finding asks). A place is a character offset plus
        # one. A container's list holds its own place, then its children's in the order each
        # was added to it: for a list item, the item's place; for a mapping entry, two
        # slots, the key's place and the value's. A child that is a container stands as its
        # own list, which starts with its place. Lists of small ints, not mappings keyed by
        # child or places packed in one large int: half a million entries in a large spec,
        # appended and freed for less, and no index by identity is needed to find a
        # container's. Entries added without a place (merged keys, copies made by an alias)
        # have none.
        self.root_marks: list[Any] | None = None
        # A spec writes the same few key names hundreds of thousands of times; one string each.
        self.key_texts: dict[str, str] = {}
        self.tbd_seen = False
        self.alias_copies: dict[int, tuple[Any, Position]] = {}
        # id of a mapping being built that holds a duplicate key -> the mapping (kept, so its
        # id cannot be reused) and each key's place in it, made when its first duplicate
        # comes and extended by the keys added since.
        self.key_places: dict[int, tuple[dict[str, Any], dict[str, int]]] = {}
        self.duplicates: list[Duplicate] = []
        self.anchors: dict[str, tuple[Any, str, tuple[int, int]]] = {}
        self.alias_nodes = 0
        self.alias_bytes = 0
        self.documents = 0
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()
        # A spec repeats its scalars (kinds, modes, units, references): each distinct text is
        # resolved and constructed once. The values are immutable, so they can be shared.
        # Plain scalars (no tag, not quoted), most of them, by text; the rest by tag too.
        self.plain: dict[str, Any] = {}
        self.constructed: dict[tuple[Any, bool, str], Any] = {}

    # -- errors ---------------------------------------------------------------------------
    def _fail(self, message: str, mark: Any) -> InputError:
        line, column = _mark(mark)
        return InputError(message, path=self.path, line=line, column=column)

    def _tag_error(self, tag: str, mark: Any) -> InputError:
        return self._fail(
            f"the tag {_shown_tag(tag)} is not allowed: consider reads only YAML's standard "
            "tags (a Python tag could run code); remove it",
            mark,
        )

    # -- events ---------------------------------------------------------------------------
    def run(self, get_event: Callable[[], Any]) -> None:
        """Build the document from its events, until the stream ends.

        One loop with the commonest cases written out (a mapping's key, a plain value, a
        container without anchor or tag): a large spec is half a million events, and a
        method call for each was a third of the loading. Anything rarer (anchors, aliases,
        merge keys, duplicate keys, tags, the root) goes through the methods below.

        The innermost frame's state is kept in locals (its container, marks, the key
        awaiting a value and where it was written), written back to the frame before a
        container opens inside it or a method reads it, and read again after.
        """
        stack = self.stack
        key_texts, plain = self.key_texts, self.plain
        max_depth = self.limits.max_depth
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        document_start, stream_end = yaml.DocumentStartEvent, yaml.StreamEndEvent
        frame: _Frame | None = None  # the innermost open container's frame
        container: Any = None  # and, while it is innermost, its state:
        marks: list[Any] = []
        key: str | None = None
        key_mark = 0
        discard = False
        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar_event:
                if frame is not None and not event.anchor:
                    if type(container) is dict:
                        if key is None:  # a mapping's key
                            tag = event.tag
                            if tag is not None and tag != "!" and tag not in _SCALAR_TAGS:
                                raise self._tag_error(tag, event.start_mark)
                            text = event.value
                            key = key_texts.setdefault(text, text)
                            key_mark = event.start_mark.index + 1
                            if key == "<<" and event.implicit[0]:
                                if frame.merges is None:
                                    frame.merges = []
                                frame.merges.append(None)
                            continue
                        if frame.merges is None and key not in container:  # its value
                            value = (
                                plain.get(event.value, _MISSING)
                                if event.tag is None and event.implicit[0]
                                else _MISSING
                            )
                            if value is _MISSING:
                                value = self._construct(event)
                            container[key] = value
                            if not discard:
                                marks.append(key_mark)
                                marks.append(event.start_mark.index + 1)
                            key = None
                            continue
                    else:  # a list's item
                        value = (
                            plain.get(event.value, _MISSING)
                            if event.tag is None and event.implicit[0]
                            else _MISSING
                        )
                        if value is _MISSING:
                            value = self._construct(event)
                        if not discard:
                            marks.append(event.start_mark.index + 1)
                        container.append(value)
                        continue
                if frame is not None:
                    frame.key, frame.key_mark = key, key_mark
                self._scalar(event)
                if frame is not None:
                    key, key_mark = frame.key, frame.key_mark
            elif kind is map_start or kind is seq_start:
                tag = event.tag
                if frame is not None:
                    frame.key, frame.key_mark = key, key_mark  # the parent's, for its close
                if (
                    frame is None
                    or event.anchor
                    or not (tag is None or tag in (_MAP_TAGS if kind is map_start else _SEQ_TAGS))
                    or len(stack) >= max_depth
                ):
                    self._start(event)  # the root, an anchor, a tag: checked and reported there
                    frame = stack[-1]
                    container, marks, discard = frame.container, frame.marks, frame.discard
                    key, key_mark = None, 0
                    continue
                token: str | int
                if type(container) is list:
                    token = len(container)
                else:
                    if key is None:
                        raise self._fail(
                            "a mapping or list used as a key; keys must be plain text",
                            event.start_mark,
                        )
                    token = key
                    discard = discard or key in container
                container = {} if kind is map_start else []
                frame = _Frame(container, frame, token, event.start_mark.index + 1)
                marks = frame.marks
                if discard:
                    frame.discard = True
                stack.append(frame)
                key, key_mark = None, 0
            elif kind is map_end or kind is seq_end:
                done = stack.pop()
                parent = done.parent
                if parent is None or done.merges or done.anchor is not None:
                    self._end(done)
                elif type(parent.container) is list:  # a list's item, placed as _place would
                    if not parent.discard:
                        parent.marks.append(done.marks)
                    parent.container.append(done.container)
                elif parent.merges is None and done.token not in parent.container:
                    parent.container[done.token] = done.container  # type: ignore[index]
                    parent.key = None  # a mapping's value, placed as _place would
                    if not parent.discard:
                        parent.marks.append(parent.key_mark)
                        parent.marks.append(done.marks)
                else:
                    self._end(done)  # a merge key's value, or a duplicate key's
                frame = parent
                if frame is not None:
                    container, marks, discard = frame.container, frame.marks, frame.discard
                    key, key_mark = frame.key, frame.key_mark
            elif kind is alias_event:
                if frame is not None:
                    frame.key, frame.key_mark = key, key_mark
                self._alias(event)
                if frame is not None:
                    key, key_mark = frame.key, frame.key_mark
            elif kind is document_start:
                self.documents += 1
                if self.documents > 1:
                    raise self._fail(
                        "a second YAML document (---) in one spec; keep one spec per file",
                        event.start_mark,
                    )
            elif event is None or kind is stream_end:
                return

    def _child_pointer(self, event: Any) -> str | None:
        """The pointer of the value this event starts, or None when it is a mapping key."""
        if not self.stack:
            return ""
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return f"{frame.pointer}/{len(frame.container)}"
        if frame.key is None:
            return None
        return f"{frame.pointer}/{escape_pointer_token(frame.key)}"

    def _place(self, value: Any, mark: int, marks: list[Any] | None = None) -> None:
        """Attach a finished value, written at ``mark``, to its parent: any case (a merge
        key's value, a duplicate key's, the root). ``marks``: the places in a container
        value (see ``root_marks``), which stand for ``mark``."""
        if not self.stack:
            self.root = value
            self.root_mark = mark
            self.root_marks = marks
            return
        frame = self.stack[-1]
        container = frame.container
        if isinstance(container, list):
            if not frame.discard:
                frame.marks.append(mark if marks is None else marks)
            container.append(value)
            return
        key = frame.key
        assert key is not None
        frame.key = None
        if key == "<<" and frame.merges is not None and frame.merges and frame.merges[-1] is None:
            frame.merges[-1] = value
            return
        if key in container:
            if not frame.discard:
                line, column = self.lines.at(frame.key_mark) if frame.key_mark else (1, 1)
                pointer = f"{frame.pointer}/{escape_pointer_token(key)}"
                known = slots(frame.marks, self._key_place(container, key), mapping=True)[0]
                first = self.lines.at(known)[0]
                self.duplicates.append(Duplicate(pointer, line, column, first))
            return
        container[key] = value
        if not frame.discard:
            frame.marks.append(frame.key_mark)
            frame.marks.append(mark if marks is None else marks)

    def _key_place(self, mapping: dict[str, Any], key: str) -> int:
        """Where ``key`` is among the keys added so far to ``mapping``, which is being built
        (keys are only added to it, at the end): linear in its keys over all its duplicates,
        so a file of nothing but duplicate keys is no quadratic search."""
        places = self.key_places.setdefault(id(mapping), (mapping, {}))[1]
        added = len(mapping) - len(places)
        if added:
            start = len(places)
            newest = list(itertools.islice(reversed(mapping), added))
            places.update((k, start + i) for i, k in enumerate(reversed(newest)))
        return places[key]

    def _scalar(self, event: Any) -> None:
        """A scalar in any place (the root, an anchored one, a merge key's value, a
        duplicate key's value); ``run`` writes out the common cases."""
        frame = self.stack[-1] if self.stack else None
        if frame is not None and frame.key is None and type(frame.container) is dict:
            # A key (anchored: the anchor is ignored, as keys must be plain text).
            tag = event.tag
            if tag is not None and tag != "!" and tag not in _SCALAR_TAGS:
                raise self._tag_error(tag, event.start_mark)
            key = frame.key = self.key_texts.setdefault(event.value, event.value)
            frame.key_mark = _place_of(event.start_mark)
            if key == "<<" and event.implicit[0]:
                if frame.merges is None:
                    frame.merges = []
                frame.merges.append(None)
            return
        value = self._construct(event)
        if event.anchor:
            pointer = self._child_pointer(event)
            assert pointer is not None
            self.anchors[event.anchor] = (value, pointer, (1, _scalar_bytes(value)))
        self._place(value, _place_of(event.start_mark))

    def _is_duplicate_slot(self) -> bool:
        frame = self.stack[-1] if self.stack else None
        if frame is None:
            return False
        return frame.discard or (isinstance(frame.container, dict) and frame.key in frame.container)

    def _construct(self, event: Any) -> Any:
        if event.tag is None and event.implicit[0]:  # plain, as most scalars are: by text
            memo: dict[Any, Any] = self.plain
            key: Any = event.value
        else:
            memo, key = self.constructed, (event.tag, event.implicit[0], event.value)
        found = memo.get(key, _MISSING)
        if found is not _MISSING:
            return found
        value = self._construct_new(event)  # an error raises here, at this event's place
        memo[key] = value
        if isinstance(value, str) and value.strip().lower() == TBD:
            self.tbd_seen = True
        return value

    def _construct_new(self, event: Any) -> Any:
        tag = event.tag
        if tag in (None, "!"):
            if event.implicit[0]:
                tag = self.resolver.resolve(  # type: ignore[no-untyped-call]
                    yaml.ScalarNode, event.value, (True, False)
                )
            else:
                tag = f"{_YAML}str"
        if tag not in _SCALAR_TAGS:
            raise self._tag_error(tag, event.start_mark)
        if tag in (
            f"{_YAML}str",
            f"{_YAML}timestamp",
            f"{_YAML}binary",
            f"{_YAML}merge",
            f"{_YAML}value",
        ):
            return event.value  # dates stay the strings that were written
        if len(event.value) > _MAX_NUMBER_TEXT:
            return event.value  # no number a spec means is this long (see MAX_INTEGER)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError):
            raise self._fail(
                f"{event.value!r} cannot be read as {tag.rsplit(':', 1)[-1]}; quote it if it is "
                "meant as text",
                event.start_mark,
            ) from None
        if isinstance(value, float) and not math.isfinite(value):
            return event.value  # .inf, .nan, 1e999: text, so no arithmetic or report sees them
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= MAX_INTEGER:
            return event.value
        return value

    def _start(self, event: Any) -> None:
        """A mapping or a list opens in any place (the root, an anchored one, a tagged one,
        one too deep); ``run`` writes out the common case."""
        is_map = isinstance(event, yaml.MappingStartEvent)
        if event.tag not in (_MAP_TAGS if is_map else _SEQ_TAGS):
            raise self._tag_error(event.tag, event.start_mark)
        stack = self.stack
        parent = stack[-1] if stack else None
        token: str | int = ""
        if parent is not None:
            if type(parent.container) is list:
                token = len(parent.container)
            elif parent.key is None:
                raise self._fail(
                    "a mapping or list used as a key; keys must be plain text", event.start_mark
                )
            else:
                token = parent.key
        if len(stack) >= self.limits.max_depth:
            raise self._fail(
                f"nesting is deeper than {self.limits.max_depth} levels; a spec never needs "
                "this, so flatten the structure",
                event.start_mark,
            )
        discard = parent is not None and (
            parent.discard or (type(parent.container) is dict and token in parent.container)
        )
        container: dict[str, Any] | list[Any] = {} if is_map else []
        frame = _Frame(container, parent, token, _place_of(event.start_mark))
        frame.discard = discard
        stack.append(frame)
        if event.anchor:
            self.anchors[event.anchor] = (container, frame.pointer, (-1, 0))
            frame.anchor = event.anchor

    def _end(self, frame: _Frame) -> None:
        """A container closes (popped already) in any place; ``run`` writes out the
        common case."""
        if frame.merges:
            self._apply_merges(frame)
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (
                frame.container,
                frame.pointer,
                _measure(frame.container),
            )
        self._place(frame.container, frame.mark, frame.marks)

    def _apply_merges(self, frame: _Frame) -> None:
        assert isinstance(frame.container, dict)
        for merged in frame.merges or ():
            sources = merged if isinstance(merged, list) else [merged]
            for source in sources:
                if not isinstance(source, dict):
                    continue
                for key, value in source.items():
                    frame.container.setdefault(key, copy.deepcopy(value))

    def _alias(self, event: Any) -> None:
        anchor = self.anchors.get(event.anchor)
        if anchor is None:  # libyaml reports this itself; kept for the pure-Python parser
            raise self._fail(f"the alias *{event.anchor} names no anchor", event.start_mark)
        value, _, (size, text) = anchor
        if size == -1:
            raise self._fail(
                f"the alias *{event.anchor} refers to a node that contains it", event.start_mark
            )
        self.alias_nodes += size
        if self.alias_nodes > self.limits.max_alias_nodes:
            raise self._fail(
                f"aliases expand to more than {self.limits.max_alias_nodes:,} nodes "
                "(a 'billion laughs' bomb, or a spec that leans too hard on anchors); "
                "write the repeated parts out",
                event.start_mark,
            )
        pointer = self._child_pointer(event)
        if pointer is None:
            raise self._fail("an alias used as a key; keys must be plain text", event.start_mark)
        self.alias_bytes += text + size * len(pointer)
        if self.alias_bytes > self.limits.max_alias_bytes:
            raise self._fail(
                f"aliases expand to more than {self.limits.max_alias_bytes:,} bytes of keys and "
                "values (an alias bomb built of long text, or a spec that leans too hard on "
                "anchors); write the repeated parts out",
                event.start_mark,
            )
        copied = copy.deepcopy(value)
        position = _mark(event.start_mark)
        if isinstance(copied, dict | list) and not self._is_duplicate_slot():
            # Everything inside the copy was written at the alias.
            self.alias_copies[id(copied)] = (copied, position)
        self._place(copied, _place_of(event.start_mark))


def _scalar_bytes(value: Any) -> int:
    return len(value) if isinstance(value, str) else 8


def _measure(value: Any) -> tuple[int, int]:
    """Nodes in ``value``, and the text a copy of it adds: each node's pointer below the
    copy's own, plus its scalar's length."""
    count = 0
    text = 0
    todo: list[tuple[Any, int]] = [(value, 0)]
    while todo:
        item, depth = todo.pop()
        count += 1
        text += depth
        if isinstance(item, dict):
            todo.extend((v, depth + len(k) + 1) for k, v in item.items())
        elif isinstance(item, list):
            todo.extend((v, depth + 4) for v in item)
        else:
            text += _scalar_bytes(item)
    return count, text
