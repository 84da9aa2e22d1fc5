"""YAML → data plus a source position for every node, read safely and within limits.

Files are read within a byte limit (special files refused before they are read) and
decoded; :func:`parse` runs PyYAML's event stream through :class:`consider.builder.Builder`,
which builds the data, and answers where each key and value was written through
:class:`consider.positions.Positions`, by JSON pointer.

Anything that is not readable YAML raises :class:`~consider.errors.InputError` naming the
file, line and column.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from consider.builder import Builder, Duplicate
from consider.errors import InputError
from consider.lazyre import import_lazily
from consider.positions import LINE_BREAK, Lines, Position, Positions
from consider.records import Record

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


class Limits(Record):
    """Hard limits on what a file may make the parser do."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    max_alias_nodes: int = DEFAULT_MAX_ALIAS_NODES
    max_alias_bytes: int = DEFAULT_MAX_ALIAS_BYTES


DEFAULT_LIMITS = Limits()


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


_BOM = b"\xef\xbb\xbf"


def decode(raw: bytes, *, display: str) -> str:
    """UTF-8 text (a BOM is allowed), or an error at the first byte that is not UTF-8.

    Decoded as UTF-8 and the BOM dropped after, not with ``utf-8-sig``: that codec counts an
    error's offset from after the BOM, so the wrong byte was named, and it is one more
    module to import at every start. The error's line and column are counted as every other
    position is: from after the BOM, in characters."""
    body = raw[len(_BOM) :] if raw.startswith(_BOM) else raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        start = error.start - (len(raw) - len(body))
        before = body[:start]  # valid UTF-8: the error is at the first byte that is not
        line_start = before.rfind(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{body[start]:02x}); save the file as UTF-8",
            path=display,
            line=before.count(b"\n") + 1,
            column=len(before[line_start:].decode("utf-8")) + 1,
        ) from None
    return text[1:] if body is not raw else text


def load(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read and parse one YAML file."""
    shown = display if display is not None else str(path)
    return parse(
        read_text(path, display=shown, max_bytes=limits.max_bytes), path=shown, limits=limits
    )


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
    builder = Builder(path, limits, Lines(text))
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
        values=_positions(builder, keys=False),
        keys=_positions(builder, keys=True),
        duplicates=tuple(builder.duplicates),
        tbd_free=not builder.tbd_seen,
    )


def _positions(builder: Builder, *, keys: bool) -> Positions:
    return Positions(
        builder.root,
        builder.root_mark,
        builder.root_marks,
        builder.lines,
        builder.alias_copies,
        keys=keys,
    )


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
    breaks = list(LINE_BREAK.finditer(text, 0, index))
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
