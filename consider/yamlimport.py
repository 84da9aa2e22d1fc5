"""PyYAML, imported without compiling its regular expressions until they are used.

Importing ``yaml`` compiles a dozen patterns as class attributes; one of them, the pure-Python
reader's class of printable characters (all of Unicode less a few ranges), costs more than
4 ms to compile, about a third of a bare Python start, on every ``consider`` run, though the
libyaml parser consider reads with never uses it. So while ``yaml`` is imported,
``re.compile`` hands back a :class:`LazyPattern`, which compiles on its first use and then
behaves as the compiled pattern; a pattern never used is never compiled.
"""

from __future__ import annotations

import re
import sys
from types import ModuleType
from typing import Any


class LazyPattern:
    """A regular expression compiled the first time one of its attributes is read."""

    __slots__ = ("_compiled", "_flags", "_pattern")

    def __init__(self, pattern: Any, flags: Any = 0) -> None:
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[Any] | None = None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = _COMPILE(self._pattern, self._flags)
        return getattr(compiled, name)


_COMPILE = re.compile


def import_yaml() -> ModuleType:
    """The ``yaml`` module; its patterns are compiled lazily if this is its first import."""
    loaded = sys.modules.get("yaml")
    if loaded is not None:
        return loaded
    re.compile = LazyPattern  # type: ignore[assignment]
    try:
        import yaml
    finally:
        re.compile = _COMPILE
    return yaml
