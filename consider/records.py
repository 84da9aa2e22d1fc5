"""``Record``: the base of consider's records, ``typing.NamedTuple`` to a type checker.

At run time ``typing.NamedTuple`` turns each field's annotation, a string under ``from
__future__ import annotations``, into a ``ForwardRef``, compiling it as an expression:
about 8 µs a field, 2 ms of every start over the records a check imports (a fifth of a bare
``python -c pass``), for annotations nothing reads at run time. ``Record`` makes the same
class (``collections.namedtuple`` with the defaults, methods, properties and docstring the
class body gives, ``tuple`` as its base) and keeps the annotations as the strings written.
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Any

__all__ = ["Record"]

if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:
    _PROHIBITED = frozenset(
        {
            "__new__",
            "__init__",
            "__slots__",
            "__getnewargs__",
            "_fields",
            "_field_defaults",
            "_make",
            "_replace",
            "_asdict",
            "_source",
        }
    )
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _RecordMeta(type):
        """What ``typing.NamedTupleMeta`` does, less the ``ForwardRef`` of each annotation."""

        def __new__(cls, typename: str, bases: tuple[type, ...], ns: dict[str, Any]) -> Any:
            if bases != (Record,):
                raise TypeError("a Record inherits from Record alone")
            types: dict[str, Any] = dict(ns.get("__annotations__", {}))
            defaults: list[str] = []
            for name in types:
                if name in ns:
                    defaults.append(name)
                elif defaults:
                    raise TypeError(
                        f"non-default record field {name} cannot follow default field"
                        f"{'s' if len(defaults) > 1 else ''} {', '.join(defaults)}"
                    )
            record = collections.namedtuple(  # type: ignore[misc]
                typename, list(types), defaults=[ns[n] for n in defaults], module=ns["__module__"]
            )
            record.__annotations__ = record.__new__.__annotations__ = types
            for key in ns:
                if key in _PROHIBITED:
                    raise AttributeError(f"cannot overwrite the record attribute {key}")
                if key not in _SPECIAL and key not in record._fields:
                    setattr(record, key, ns[key])
            return record

    Record = type.__new__(_RecordMeta, "Record", (), {})
