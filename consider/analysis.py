"""An analysis of one spec: the spec itself (never changed after it is built), the tables
the loaded packs give the facts, and the spec-wide computations the facts share.

The lineage graph, the staleness walks and the like are made once per analysis, the first
time a fact or a command asks for one, and kept here rather than on the spec: an
:class:`Analysis` is made per evaluation (``engine.evaluate``) or per command (``consider
impact``, ``consider graph``), and dropped with it.

It offers the spec's read-only API (``entities``, ``resolve``...) under the same names, so
an analysis reads the spec through it as it would read the spec itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from consider.loader import Document
    from consider.model import Entity, Reference, Spec

T = TypeVar("T")

Tables = Mapping[str, Sequence[tuple[str, Any]]]
"""A pack table's key (``x-phrases``) → (pack path, table) for each pack that has one."""


class Analysis:
    """One spec under analysis: the spec, the packs' tables, and a memo of shared results."""

    __slots__ = (
        "_memo",
        "all_entities",
        "collections",
        "document",
        "entities",
        "product",
        "references",
        "resolve",
        "spec",
        "tables",
    )

    spec: Spec
    tables: Tables
    document: Document
    product: dict[str, Any]
    collections: dict[str, dict[str, Entity]]
    references: Sequence[Reference]
    entities: Callable[[str], Iterator[Entity]]
    all_entities: Callable[[], Iterator[Entity]]
    resolve: Callable[[str], Entity | None]

    def __init__(self, spec: Spec, tables: Tables | None = None) -> None:
        self.spec = spec
        self.tables = tables if tables is not None else {}
        self._memo: dict[str, Any] = {}
        # The spec's own bound methods and fields: read as fast as on the spec itself.
        self.document = spec.document
        self.product = spec.product
        self.collections = spec.collections
        self.references = spec.references
        self.entities = spec.entities
        self.all_entities = spec.all_entities
        self.resolve = spec.resolve

    def table(self, key: str) -> Sequence[tuple[str, Any]]:
        """The packs' tables under ``key`` (``x-phrases``), as (pack path, table)."""
        return self.tables.get(key, ())

    def cached(self, name: str, compute: Callable[[Analysis], T]) -> T:
        """A spec-wide computation (the lineage graph, say), made once and shared."""
        memo = self._memo
        if name not in memo:
            memo[name] = compute(self)
        result: T = memo[name]
        return result
