"""Facts: figures computed in Python and offered to rule conditions as ``_facts``.

Conditions compare; facts compute. JMESPath has no arithmetic, so anything that adds
durations along a path, multiplies availabilities or follows links backwards is a fact: a
function registered here with :func:`fact`, unit-tested, and named in ``_facts`` for the
entity kinds it describes. A new risk over existing facts is then a YAML change only.

Every module of this package is a group of facts on one subject (staleness, slos, serving,
models, collection, press_release, impact, loops, links, decisions, privacy, release,
discipline); each registers its own on import.
:func:`registry` imports them all, in name order (for the pack name checker and the docs). A
check imports a module only when a condition first reads one of its facts, found by the index
``_index.py`` that ``python -m tools.regen`` writes from the registry. A fact reads one spec
through an :class:`~consider.analysis.Analysis` (the spec, the packs' tables, and the shared
results of the lineage analyses in consider/lineage/), made per evaluation with the
:class:`FactStore` that computes each fact the first time a condition reads it.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from consider.errors import PackError
from consider.lazy import LazyMapping, as_plain_dict
from consider.records import Record

if TYPE_CHECKING:
    from consider.analysis import Analysis

FactFunction = Callable[["Analysis"], Mapping[str, Any]]
"""Computes one fact for every entity of a kind: entity id → value (absent: no value)."""


class FactDef(Record):
    """A registered fact: its name under ``_facts``, the kind it describes, how it is made."""

    name: str
    kind: str
    doc: str
    compute: FactFunction
    module: str
    plugin: str = ""
    """The installed package that offers it (``consider.facts`` entry point), or ""."""


_FACTS: list[FactDef] = []
_PLUGIN_FACTS: dict[str, list[FactDef]] = {}
"""The facts each plugin module registered when it was imported, by module."""


def fact(name: str, *, kind: str, doc: str) -> Callable[[FactFunction], FactFunction]:
    """Register ``function`` as the fact ``_facts.<name>`` of entities of ``kind``.

    ``kind`` is a collection name (``outputs``) or ``product``; for the product, the returned
    mapping is keyed by ``"product"``.
    """

    def register(function: FactFunction) -> FactFunction:
        _FACTS.append(FactDef(name, kind, doc, function, function.__module__))
        return function

    return register


KindFactFunction = Callable[["Analysis", str], Mapping[str, Any]]
"""Computes one fact for the entities of the kind it is given."""


def fact_per_kind(
    name: str, *, kinds: tuple[str, ...], doc: str
) -> Callable[[KindFactFunction], KindFactFunction]:
    """Register ``function(spec, kind)`` as the fact ``_facts.<name>`` of each of ``kinds``.

    ``doc`` may say ``{what}``, filled with the kind in the singular (``dataset``).
    """

    def register(function: KindFactFunction) -> KindFactFunction:
        for kind in kinds:

            def compute(spec: Analysis, kind: str = kind) -> Mapping[str, Any]:
                return function(spec, kind)

            what = kind.removesuffix("s")
            _FACTS.append(FactDef(name, kind, doc.format(what=what), compute, function.__module__))
        return function

    return register


@cache
def registry() -> tuple[FactDef, ...]:
    """Every fact, its module imported; in a stable order (kind, then name)."""
    names = {
        name[:-3]
        for folder in __path__
        for name in os.listdir(folder)
        if name.endswith(".py") and not name.startswith("_")
    }
    for module in sorted(names):
        importlib.import_module(f"{__name__}.{module}")
    seen: dict[tuple[str, str], FactDef] = {}
    for definition in [*_FACTS, *_plugin_facts()]:
        _add(seen, definition)
    return tuple(sorted(seen.values(), key=lambda d: (d.kind, d.name)))


def _add(seen: dict[tuple[str, str], FactDef], definition: FactDef) -> None:
    """Add ``definition`` to ``seen``; a second definition of one fact is an error (a pack
    error when a plugin's)."""
    key = (definition.kind, definition.name)
    if key in seen and seen[key].compute is not definition.compute:
        where = " and ".join(
            f"the plugin {d.plugin}" if d.plugin else "consider" for d in (seen[key], definition)
        )
        message = f"fact {definition.kind}._facts.{definition.name} is defined by {where}"
        if definition.plugin:
            raise PackError(message + "; rename the plugin's fact")
        raise RuntimeError(message)
    seen[key] = definition


@cache
def plugin_registry() -> dict[tuple[str, str], FactDef]:
    """The installed packages' facts, by (kind, name), without importing consider's own
    modules: a plugin's fact named as one of consider's (by the index) is a pack error."""
    from consider.facts._index import INDEX

    seen: dict[tuple[str, str], FactDef] = {}
    for definition in _plugin_facts():
        key = (definition.kind, definition.name)
        if key in INDEX and key not in seen:
            _add(seen, _builtin(*key) or definition)
        _add(seen, definition)
    return {key: d for key, d in seen.items() if d.plugin}


_BUILTIN: dict[tuple[str, str], FactDef] = {}
"""consider's own facts found so far through the index, by (kind, name)."""


def _builtin(kind: str, name: str) -> FactDef | None:
    """consider's own fact ``name`` of ``kind``, importing only the module the index names."""
    key = (kind, name)
    found = _BUILTIN.get(key)
    if found is not None:
        return found
    from consider.facts._index import INDEX

    module = INDEX.get(key)
    if module is None:
        return None
    importlib.import_module(f"{__name__}.{module}")
    for definition in _FACTS:
        _BUILTIN.setdefault((definition.kind, definition.name), definition)
    found = _BUILTIN.get(key)
    if found is None:
        raise RuntimeError(
            f"the facts index names {module} for {kind}._facts.{name}, which it does not "
            "register: run `python -m tools.regen`"
        )
    return found


def _names(kind: str) -> list[str]:
    """The facts of ``kind``, consider's and the plugins', by name, nothing imported."""
    from consider.facts._index import INDEX

    keys = {*INDEX, *plugin_registry()}
    return sorted(name for (k, name) in keys if k == kind)


def _plugin_facts() -> list[FactDef]:
    """The facts installed packages register (``consider.facts`` entry points), each marked
    with its plugin; a module that fails to import is a pack error naming the plugin."""
    from consider.plugins import fact_plugins

    found: list[FactDef] = []
    for plugin in fact_plugins():
        module = plugin.value.split(":", 1)[0].strip()
        if module not in _PLUGIN_FACTS:
            before = len(_FACTS)
            try:
                importlib.import_module(module)
            except Exception as error:
                del _FACTS[before:]
                raise PackError(
                    f"the fact plugin {plugin.label()} cannot be loaded: importing '{module}' "
                    f"raised {error!r}; fix or uninstall the package"
                ) from None
            # Kept apart from consider's own, so each stays marked with its plugin.
            _PLUGIN_FACTS[module] = _FACTS[before:]
            del _FACTS[before:]
        found.extend(d._replace(plugin=plugin.label()) for d in _PLUGIN_FACTS[module])
    return found


def compute(spec: Analysis, kinds: set[str] | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """All facts for ``spec``: (kind, entity id) → {fact name: value}."""
    facts: dict[tuple[str, str], dict[str, Any]] = {}
    for definition in registry():
        if kinds is not None and definition.kind not in kinds:
            continue
        for ident, value in definition.compute(spec).items():
            facts.setdefault((definition.kind, ident), {})[definition.name] = value
    return facts


class FactError(RuntimeError):
    """A fact's own computation failed: a bug in consider, never a problem of the spec."""


class FactStore:
    """Facts of one spec, each computed the first time a condition reads it, then kept.

    A fact is computed for every entity of its kind at once (that is what makes it linear),
    but only when some rule reads it: a custom rule set, or a spec with few kinds, pays for
    the facts it uses and no others.
    """

    __slots__ = ("_computed", "_plugins", "_spec")

    def __init__(self, spec: Analysis) -> None:
        self._spec = spec
        self._plugins = plugin_registry()
        self._computed: dict[tuple[str, str], Mapping[str, Any]] = {}

    def names(self, kind: str) -> list[str]:
        """The facts registered for ``kind``."""
        return _names(kind)

    def value(self, kind: str, name: str, ident: str) -> Any:
        """The fact ``name`` of entity ``ident``, or None when it has none."""
        key = (kind, name)
        computed = self._computed.get(key)
        if computed is None:
            definition = self._plugins.get(key) or _builtin(kind, name)
            if definition is None:
                return None
            try:
                computed = self._computed[key] = definition.compute(self._spec)
            except Exception as error:
                if definition.plugin:
                    # Someone else's code: a pack error (exit 2) naming it, not a bug of ours.
                    raise PackError(
                        f"the fact {kind}._facts.{name} of the plugin {definition.plugin} "
                        f"failed: {error!r}; fix or uninstall the package"
                    ) from None
                # A fact is our code, not the pack's: its failure is a bug (exit 3), and must
                # not be mistaken for a rule's condition failing on the data (exit 2).
                raise FactError(f"the fact {kind}._facts.{name} failed: {error!r}") from error
        return computed.get(ident)

    def view(self, kind: str, ident: str) -> LazyFacts:
        """What a condition sees as ``_facts`` for one entity."""
        return LazyFacts(self, kind, ident)


@as_plain_dict
class LazyFacts(LazyMapping):
    """``_facts`` for one entity: each fact computed (for its whole kind, by the store) when
    a condition first reads it; all of them when the whole mapping is needed."""

    __slots__ = ("_ident", "_kind", "_store")

    def __init__(self, store: FactStore, kind: str, ident: str) -> None:
        self._full = False  # as LazyMapping.__init__, without its frame
        self._store, self._kind, self._ident = store, kind, ident

    def _names(self) -> list[str]:
        return self._store.names(self._kind)

    def _compute(self, name: str) -> Any:
        return self._store.value(self._kind, name, self._ident)
