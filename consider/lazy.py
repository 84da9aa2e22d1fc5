"""Mappings whose values are computed when a condition first reads them.

What a condition sees of an entity includes ``_facts`` (figures computed over the whole
spec) and ``_refs`` (the entities its references name). Most conditions read one or two
names of them, or none: building them whole for every entity of a large spec would cost
more than every condition together. A :class:`LazyMapping` computes a name when it is read
(JMESPath reads a field with ``.get``), and everything when the whole mapping is needed
(``keys``, ``*``, ``length``, equality, printing).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

L = TypeVar("L", bound="LazyMapping")
_ABSENT = object()


class LazyMapping(dict[str, Any]):
    """A dict filled on demand; a subclass says which names it has and computes each one.

    A name whose value is None is absent, as a missing field is to JMESPath, unless the
    subclass keeps it (``keeps_none``: a reference to nothing is still a field written).
    """

    __slots__ = ("_full",)
    keeps_none = False

    def __init__(self) -> None:
        # dict's own __init__ does nothing without arguments, so it is not called: a large
        # spec makes two of these per entity. A subclass whose __init__ is on that path sets
        # ``_full`` itself rather than calling this (a frame per object, 6 ms at 10,000).
        self._full = False

    def _names(self) -> Iterable[str]:  # pragma: no cover - every subclass has its own
        """Every name the mapping may hold, in the order it shows them."""
        raise NotImplementedError

    def _compute(self, name: str) -> Any:  # pragma: no cover - every subclass has its own
        """The value of ``name``, or None when it has none."""
        raise NotImplementedError

    def get(self, name: str, default: Any = None) -> Any:
        if self._full or dict.__contains__(self, name):
            return dict.get(self, name, default)
        value = self._compute(name)
        if value is not None or (self.keeps_none and name in self._names()):
            dict.__setitem__(self, name, value)
            return value
        return default

    def materialise(self) -> dict[str, Any]:
        """The mapping itself, now complete, its names in their own order whatever was
        read first."""
        if not self._full:
            values = [(name, self.get(name)) for name in self._names()]
            dict.clear(self)
            for name, value in values:
                if value is not None or self.keeps_none:
                    dict.__setitem__(self, name, value)
            self._full = True
        return self

    def __getitem__(self, name: str) -> Any:
        value = self.get(name, _ABSENT)
        if value is _ABSENT:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name, _ABSENT) is not _ABSENT

    def __iter__(self) -> Iterator[str]:
        return dict.__iter__(self.materialise())

    def __len__(self) -> int:
        return dict.__len__(self.materialise())

    def keys(self) -> Any:
        return dict.keys(self.materialise())

    def values(self) -> Any:
        return dict.values(self.materialise())

    def items(self) -> Any:
        return dict.items(self.materialise())

    def __eq__(self, other: object) -> bool:
        return dict.__eq__(self.materialise(), other)

    __hash__ = None

    def __repr__(self) -> str:
        return dict.__repr__(self.materialise())


def as_plain_dict(cls: type[L]) -> type[L]:
    """Name a subclass ``dict``: JMESPath's functions check an argument's type by the name of
    its class, and would refuse a lazy mapping under its own as an unknown type."""
    cls.__name__ = "dict"
    return cls
