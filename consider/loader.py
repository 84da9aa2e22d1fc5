"""YAML → data plus a source position for every node, parsed safely and within limits.

One pass over PyYAML's event stream (libyaml's when present) builds plain Python data and,
beside it, the line and column of every key and value, addressed by JSON pointer. Building
from events rather than PyYAML's constructors is what gives us, in the same pass:

- duplicate keys, reported as data (``Document.duplicates``), not as a crash;
- dates kept as the strings that were written;
- no tags beyond YAML's standard ones, so nothing can name a Python object;
- aliases expanded by copy, counted, and refused past a limit (the "billion laughs" bomb);
- nesting depth bounded without recursion.

Anything that is not readable YAML raises :class:`~consider.errors.InputError` naming the
file, line and column.
"""

from __future__ import annotations

import bisect
import copy
import itertools
import math
import os
import stat
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from consider.errors import InputError
from consider.lazyre import LazyPattern, import_lazily
from consider.records import Record
from consider.vocabulary import TBD

if TYPE_CHECKING:
    import yaml
else:
    yaml = import_lazily("yaml")  # its patterns compiled on first use (consider/lazyre.py)

try:  # libyaml is much faster; the pure-Python parser gives the same events.
    from yaml import CSafeLoader as _Loader

    _LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    _LIBYAML = False

DEFAULT_MAX_BYTES = 1_000_000
DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_ALIAS_NODES = 10_000
DEFAULT_MAX_ALIAS_BYTES = 2_000_000
"""Text (keys, scalars and their pointers) that aliases may add by expansion: counting nodes
alone lets a few aliases of one long key or value grow a 1 MB file to gigabytes."""

MAX_INTEGER = 10**18
"""Integers a spec can mean (counts, tiers, bytes) lie well inside this; a larger one is kept
as the text written, so the schema reports it where a number is expected and nothing
downstream does arithmetic on (or prints) a 5,000-digit number."""
_MAX_NUMBER_TEXT = 100

Position = tuple[int, int]
"""A 1-based (line, column)."""

_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {
    f"{_YAML}{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "binary", "merge", "value")
}
_MAP_TAGS = {None, "!", f"{_YAML}map", f"{_YAML}omap"}
_SEQ_TAGS = {None, "!", f"{_YAML}seq"}


class Limits(Record):
    """Hard limits on what a file may make the parser do."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    max_alias_nodes: int = DEFAULT_MAX_ALIAS_NODES
    max_alias_bytes: int = DEFAULT_MAX_ALIAS_BYTES


DEFAULT_LIMITS = Limits()


class Duplicate(Record):
    """A key written twice in one mapping; the first value is kept."""

    pointer: str
    line: int
    column: int
    first_line: int


class Document(Record):
    """A parsed file: its data, and where each piece of it was written.

    The data is only ever read: the model shares its unchanged parts, and a mapping entry's
    position is found by the entry's place among the mapping's keys.
    """

    path: str
    data: Any
    values: Mapping[str, Position]
    keys: Mapping[str, Position]
    duplicates: tuple[Duplicate, ...] = ()
    tbd_free: bool = False
    """True when no value is the text ``tbd``: validation then has nothing to set aside."""

    def position(self, pointer: str, *, prefer: str = "key") -> Position:
        """Where ``pointer`` was written, or its nearest written parent.

        ``prefer="key"`` gives the key of a mapping entry (``fallback:``), which is where a
        finding about a whole entity or an absent field belongs; ``"value"`` gives the value.
        """
        current = pointer
        while True:
            first, second = (
                (self.keys, self.values) if prefer == "key" else (self.values, self.keys)
            )
            found = first.get(current) or second.get(current)
            if found is not None:
                return found
            if not current:
                return (1, 1)
            current = current.rsplit("/", 1)[0]


def escape_pointer_token(token: str) -> str:
    """Escape one JSON-pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


_SIZE_HINT = (
    "raise it with --max-file-size (for example --max-file-size 20MB) "
    "if it is meant to be this large"
)


def read_bytes(
    path: Path, *, display: str, max_bytes: int, hint: str = _SIZE_HINT, what: str = "file"
) -> bytes:
    """At most ``max_bytes`` of a regular file; anything else is an :class:`InputError`.

    Special files are refused before they are read: a FIFO would block and a device
    (``/dev/zero``) never ends. The limit is checked on the bytes read, not the stated size.
    """
    try:
        status = os.stat(path)  # follows a symlink, so a link to /dev/zero is a device
    except FileNotFoundError:
        raise InputError(f"{what} not found; check the path", path=display) from None
    except OSError as error:
        raise InputError(f"cannot read the {what}: {error.strerror}", path=display) from None
    if stat.S_ISDIR(status.st_mode):
        raise InputError("is a folder, not a file", path=display)
    if not stat.S_ISREG(status.st_mode):
        raise InputError(
            f"is {_special_kind(status.st_mode)}, not a regular file; name the {what} itself",
            path=display,
        )
    if status.st_size > max_bytes:
        raise _too_large(status.st_size, max_bytes, display, hint, what)
    try:
        # O_NONBLOCK: should the path become a FIFO after the stat, opening it cannot hang.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise InputError(f"is not a regular file; name the {what} itself", path=display)
            chunks = []
            left = max_bytes + 1
            while left > 0:
                chunk = os.read(descriptor, min(left, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise InputError(f"cannot read the {what}: {error.strerror}", path=display) from None
    raw = b"".join(chunks)
    if len(raw) > max_bytes:
        raise _too_large(None, max_bytes, display, hint, what)
    return raw


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"  # pragma: no cover - every kind is named above


def _too_large(size: int | None, max_bytes: int, display: str, hint: str, what: str) -> InputError:
    stated = f"{size:,} bytes" if size is not None else "larger than the limit"
    return InputError(
        f"the {what} is {stated}, over the limit of {max_bytes:,}; {hint}", path=display
    )


def read_text(path: Path, *, display: str, max_bytes: int) -> str:
    """The file's text, refused when missing, special, too large or not UTF-8."""
    return decode(read_bytes(path, display=display, max_bytes=max_bytes), display=display)


def decode(raw: bytes, *, display: str) -> str:
    """UTF-8 text (a BOM is allowed), or an error at the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8",
            path=display,
            line=line,
            column=column,
        ) from None


def load(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read and parse one YAML file."""
    shown = display if display is not None else str(path)
    return parse(
        read_text(path, display=shown, max_bytes=limits.max_bytes), path=shown, limits=limits
    )


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
        # Where the container and each of its children were written (see _Builder.root_marks).
        self.marks: list[Any] = [mark]
        self.key: str | None = None
        self.key_mark = 0  # packed; 0 for none
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


def _packed(mark: Any) -> int:
    """Where a YAML mark is, as one small int: its character offset plus one (never 0)."""
    index: int = mark.index
    return index + 1


class _Lines:
    """Character offsets to 1-based (line, column), by the line breaks YAML counts (CR LF,
    CR, LF, NEL, LS, PS, as libyaml and PyYAML do). Positions are kept as offsets, one small
    int per node: the table of line starts is made only when a position is first asked for."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[int] | None = None

    def at(self, packed: int) -> Position:
        """The (line, column) of a packed place; (0, 0) for none."""
        if not packed:
            return (0, 0)
        starts = self._starts
        if starts is None:
            starts = self._starts = _line_starts(self._text)
        index = packed - 1
        line = bisect.bisect_right(starts, index)
        return (line, index - starts[line - 1] + 1)


def parse(text: str, *, path: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Parse YAML text into a :class:`Document`."""
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        raise InputError(
            f"the text is over the limit of {limits.max_bytes:,} bytes; "
            "raise it with --max-file-size",
            path=path,
        )
    if text.startswith("\ufeff"):
        # A byte-order mark is no character of the spec (libyaml skips it, and offsets count
        # from after it); decode() removes it from a file, this from text given directly.
        text = text[1:]
    builder = _Builder(path, limits, _Lines(text))
    loader = None
    try:
        loader = _Loader(text)  # the pure-Python reader checks the characters here
        builder.run(loader.get_event)
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, text, path) from None
    except yaml.reader.ReaderError as error:
        raise _reader_error(error, text, path) from None
    except yaml.YAMLError as error:  # pragma: no cover - every YAML error is one of the above
        raise InputError(f"not valid YAML: {error}", path=path) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Document(
        path=path,
        data=builder.root,
        values=_Positions(builder, keys=False),
        keys=_Positions(builder, keys=True),
        duplicates=tuple(builder.duplicates),
        tbd_free=not builder.tbd_seen,
    )


def _line_starts(text: str) -> list[int]:
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
    return [0, *(m.end() for m in _LINE_BREAK.finditer(text))]


def _syntax_error(error: yaml.MarkedYAMLError, text: str, path: str) -> InputError:
    """A syntax error at its place; a tab used for indentation is named as such."""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        # libyaml says only "found character that cannot start any token".
        message = "a tab character, which YAML does not allow for indentation; indent with spaces"
    else:
        problem = error.problem or "not valid YAML"
        context = f" {error.context}" if error.context else ""
        message = f"not valid YAML: {problem}{context}; fix the syntax at this place"
    return InputError(message, path=path, line=line, column=column)


_LINE_BREAK = LazyPattern("\r\n|[\r\n\x85\u2028\u2029]")


def _reader_error(error: yaml.reader.ReaderError, text: str, path: str) -> InputError:
    """A character YAML does not allow (NUL, BEL, ...), at its line and column.

    A ReaderError carries no mark, only a position: a character index from the pure-Python
    reader, a byte offset into the UTF-8 text from libyaml.
    """
    character = chr(error.character) if isinstance(error.character, int) else None
    index = _reader_index(error.position, character, text)
    if unicodedata.category(character or "\0") == "Cc":
        what = "a control character"
    else:
        what = "a character"
    code = f" (U+{ord(character):04X})" if character is not None else ""
    message = f"{what}{code} that YAML does not allow; remove it"
    if index is None:
        return InputError(message, path=path)
    breaks = list(_LINE_BREAK.finditer(text, 0, index))
    line_start = breaks[-1].end() if breaks else 0
    return InputError(message, path=path, line=len(breaks) + 1, column=index - line_start + 1)


def _reader_index(position: int, character: str | None, text: str) -> int | None:
    """The index in ``text`` of the character a ReaderError names."""
    index = position
    if _LIBYAML:  # a byte offset: count the characters of the bytes before it
        index = len(text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore"))
    if 0 <= index < len(text) and (character is None or text[index] == character):
        return index
    found = text.find(character) if character is not None else -1  # pragma: no cover
    return found if found >= 0 else None  # pragma: no cover


class _Builder:
    """Turns events into data; kept apart from ``parse`` so the loop stays flat."""

    def __init__(self, path: str, limits: Limits, lines: _Lines) -> None:
        self.path = path
        self.limits = limits
        self.lines = lines
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.root_mark = 0  # packed; 0 for no root
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
                known = _slots(frame.marks, self._key_place(container, key), mapping=True)[0]
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
            frame.key_mark = _packed(event.start_mark)
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
        self._place(value, _packed(event.start_mark))

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
        frame = _Frame(container, parent, token, _packed(event.start_mark))
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
        self._place(copied, _packed(event.start_mark))


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


def _slots(marks: list[Any] | None, place: int, *, mapping: bool) -> tuple[int, Any]:
    """What a container's ``marks`` (see :attr:`_Builder.root_marks`) hold for the child
    added ``place``-th: the key's place (0 for a list item, or none kept), and the value's
    place or, for a container, its own marks (None when none were kept)."""
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


class _Positions(Mapping[str, Position]):
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

    def __init__(self, builder: _Builder, *, keys: bool) -> None:
        self._root = builder.root
        self._root_mark = builder.root_mark
        self._root_marks = builder.root_marks
        self._lines = builder.lines
        self._aliases = builder.alias_copies
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
                key_place, entry = _slots(marks, self._place(node, token), mapping=True)
            elif type(node) is list:
                if not (token.isascii() and token.isdigit()) or str(int(token)) != token:
                    return None
                slot = int(token)
                if slot >= len(node):
                    return None
                key_place, entry = _slots(marks, slot, mapping=False)
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
            key_place, entry = _slots(marks, place, mapping=mapping)
            below_marks = entry if type(entry) is list else None
            if self._keys:
                if key_place:
                    yield where
            elif entry is not None or inherited is not None:
                yield where
            alias = None if self._keys else self._aliases.get(id(child))
            below = alias[1] if alias is not None and alias[0] is child else inherited
            yield from self._below(child, where, below, below_marks)
