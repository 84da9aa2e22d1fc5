"""Third-party modules imported with their regular expressions compiled on first use.

Importing ``yaml`` compiles a dozen patterns as class attributes; one of them, the pure-Python
reader's class of printable characters (all of Unicode less a few ranges), costs more than
4 ms to compile, about 40% of a bare ``python -c pass``, on every ``consider`` run, though
the libyaml parser consider reads with never uses it. ``click`` compiles 13 more through the
standard modules it imports (platform, gettext, tokenize), most never used by a check. So
while such a module is first imported, ``re.compile`` hands back a :class:`LazyPattern`,
which compiles on its first use and then behaves as the compiled pattern (these modules only
call a pattern's methods); a pattern never used is never compiled.
"""

from __future__ import annotations

import importlib
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


def import_lazily(name: str) -> ModuleType:
    """The module ``name``; its patterns (and those of the modules it imports first) are
    compiled lazily if this is its first import."""
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    re.compile = LazyPattern  # type: ignore[assignment]
    try:
        return importlib.import_module(name)
    finally:
        re.compile = _COMPILE
