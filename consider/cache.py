"""A small on-disk cache for compiled rule packs.

Entries are pickles keyed by a hash of everything the work depends on, including the
version of consider, so a stale entry is never read: it simply misses. An entry is read back
with only the classes its caller names (see :func:`read`): a poisoned cache folder cannot
make an entry run code. Specs are never cached. The folder is ``$CONSIDER_CACHE_DIR``, else
``$XDG_CACHE_HOME/consider``, else ``~/.cache/consider``; ``CONSIDER_NO_CACHE=1`` turns the
cache off. Any failure to read or write it is ignored: the cache only ever saves time, and an
entry that is not provably this user's own work for these packs is never used (see
:func:`read`).
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from consider import __version__
from consider.digest import hexdigest

try:  # the C pickler alone: importing the pure-Python pickle module is a millisecond a run
    from _pickle import Unpickler, UnpicklingError, dump
except ImportError:  # pragma: no cover - Pythons without the accelerator
    from pickle import Unpickler, UnpicklingError, dump

_PROTOCOL = 5
"""The pickle protocol entries are written with (Python 3.8's highest, and still today's)."""

_KEEP = 8


def directory() -> Path | None:
    """Where entries live, or None when caching is off."""
    if os.environ.get("CONSIDER_NO_CACHE"):
        return None
    explicit = os.environ.get("CONSIDER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "consider"


def key(
    name: str, version: int, parts: Iterable[tuple[str, bytes]], *, code: Iterable[Path] = ()
) -> str:
    """A key for ``name`` over named byte strings, this consider and Python.

    ``code``, folders, adds the size and modification time of the files in them (Python
    modules, schemas): an edited checkout, where the version does not change, then misses
    instead of reading stale work.
    """
    parts_seen = [f"{name}\0{__version__}\0{version}\0{_PROTOCOL}".encode()]
    parts_seen.extend(sorted(_stamps(code)))
    for label, content in parts:
        parts_seen.append(label.encode("utf-8", "surrogateescape"))
        parts_seen.append(content)
    return f"{name}-{hexdigest(*parts_seen)}"


def _stamps(folders: Iterable[Path]) -> Iterator[bytes]:
    """Path, size and modification time of each source file below ``folders``; scandir, not
    Path.rglob, as this runs on every check."""
    todo = [str(folder) for folder in folders]
    while todo:
        with os.scandir(todo.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        todo.append(entry.path)
                elif entry.name.endswith((".py", ".json")):
                    status = entry.stat()
                    yield f"{entry.path}:{status.st_size}:{status.st_mtime_ns}".encode()


def read(
    entry: str, allowed: frozenset[tuple[str, str]], verify: Callable[[Any], bool] | None = None
) -> Any:
    """The cached value, or None.

    The cache folder may be shared or restored (a CI cache), so an entry is not trusted. It is
    read only from a folder this user owns and no one else may write to, only when it is a
    regular file this user owns (a FIFO planted at its name cannot block the run), and it is
    unpickled with only the ``allowed`` (module, name) classes, the records it is made of, so
    no entry can run code. ``verify`` then checks that what it holds is what it claims to be
    (for rule packs: the packs' digests, rule ids, conditions and severities). Anything else
    counts as a miss, and the entry is rebuilt.
    """
    folder = directory()
    if folder is None or not _private(folder):
        return None
    try:
        raw = _read_regular(folder / f"{entry}.pickle")
        if raw is None:
            return None
        value = _Restricted(io.BytesIO(raw), allowed).load()
    except Exception:  # a missing, broken or refused entry is a miss
        return None
    if verify is not None:
        try:
            if not verify(value):
                return None
        except Exception:
            return None
    return value


_MAX_ENTRY = 64 << 20
"""A compiled rule set is about 130 KB; an entry past this is not one of ours."""


def _private(folder: Path) -> bool:
    """Whether ``folder`` is a folder this user owns that no one else may write to."""
    try:
        status = os.stat(folder)
    except OSError:
        return False
    if not stat.S_ISDIR(status.st_mode):
        return False
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows has no owner bits to check
        return True
    return status.st_uid == os.getuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read_regular(path: Path) -> bytes | None:
    """The bytes of ``path`` when it is a regular file this user owns, else None."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > _MAX_ENTRY:
            return None
        if hasattr(os, "getuid") and status.st_uid != os.getuid():
            return None
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            return handle.read(_MAX_ENTRY + 1)
    finally:
        os.close(descriptor)


class _Restricted(Unpickler):
    def __init__(self, handle: Any, allowed: frozenset[tuple[str, str]]) -> None:
        super().__init__(handle)
        self._allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._allowed:
            raise UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


_TEMPORARY = ".tmp-"
_STALE_SECONDS = 600
"""A temporary file older than this was left by a write that was killed: removed."""


def write(entry: str, value: Any) -> None:
    """Store ``value``; keep the newest few entries of the same name.

    The entry is written to a temporary file and renamed into place, so a reader never sees
    half of it; a write that fails removes its temporary file, and one that was killed has
    its file removed by a later write.
    """
    folder = directory()
    if folder is None:
        return
    temporary: str | None = None
    try:
        import tempfile

        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder):
            return
        _remove_stale(folder)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=_TEMPORARY)
        with os.fdopen(handle, "wb") as out:
            dump(value, out, protocol=_PROTOCOL)
        os.replace(temporary, folder / f"{entry}.pickle")
        temporary = None
        name = entry.rsplit("-", 1)[0]
        siblings = sorted(folder.glob(f"{name}-*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in siblings[:-_KEEP]:
            old.unlink(missing_ok=True)
    except Exception:
        return
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _remove_stale(folder: Path) -> None:
    now = time.time()
    for leftover in folder.glob(f"{_TEMPORARY}*"):
        with contextlib.suppress(OSError):
            if now - leftover.lstat().st_mtime > _STALE_SECONDS:
                leftover.unlink()
