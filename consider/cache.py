"""A small on-disk cache for compiled rule packs.

Entries are pickles keyed by a hash of everything the work depends on, including the
version of consider, so a stale entry is never read: it simply misses. An entry is read back
with only the classes its caller names (see :func:`read`): a poisoned cache folder cannot
make an entry run code. Specs are never cached. The folder is ``$CONSIDER_CACHE_DIR``, else
``$XDG_CACHE_HOME/consider``, else ``~/.cache/consider``; ``CONSIDER_NO_CACHE=1`` turns the
cache off. Any failure to read or write it is ignored: the cache only ever saves time.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from consider import __version__
from consider.digest import hexdigest

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
    parts_seen = [f"{name}\0{__version__}\0{version}\0{pickle.HIGHEST_PROTOCOL}".encode()]
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


def read(entry: str, allowed: frozenset[tuple[str, str]]) -> Any:
    """The cached value, or None.

    The cache folder may be shared or restored (a CI cache), so an entry is not trusted: it is
    unpickled with only the ``allowed`` (module, name) classes, the records it is made of.
    Anything else is refused and counts as a miss, so no entry can run code.
    """
    folder = directory()
    if folder is None:
        return None
    try:
        with (folder / f"{entry}.pickle").open("rb") as handle:
            return _Restricted(handle, allowed).load()
    except Exception:  # a missing, broken or refused entry is a miss
        return None


class _Restricted(pickle.Unpickler):
    def __init__(self, handle: Any, allowed: frozenset[tuple[str, str]]) -> None:
        super().__init__(handle)
        self._allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


def write(entry: str, value: Any) -> None:
    """Store ``value``; keep the newest few entries of the same name."""
    folder = directory()
    if folder is None:
        return
    try:
        import tempfile

        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / f"{entry}.pickle")
        name = entry.rsplit("-", 1)[0]
        siblings = sorted(folder.glob(f"{name}-*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in siblings[:-_KEEP]:
            old.unlink(missing_ok=True)
    except Exception:
        return
