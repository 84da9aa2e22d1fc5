"""Packs and facts that installed Python packages offer, through entry points.

A package offers a rule pack with an entry point in the group ``consider.packs``: its name
is the pack's id, its value the package (a module) whose folder holds ``<id>.yaml``::

    [project.entry-points."consider.packs"]
    privacy-and-cost = "privacy_and_cost"

and computed facts with one in ``consider.facts``, whose value is a module that registers
them with :func:`consider.facts.fact` when imported::

    [project.entry-points."consider.facts"]
    privacy-and-cost = "privacy_and_cost.facts"

Looking entry points up reads the metadata of every installed distribution (a tenth of a
second), which a pre-commit hook would pay on every commit; so what is found is cached, keyed
by the folders of ``sys.path`` and their modification times (installing or removing a
package changes them), and the lookup is made again only when they change.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from consider.errors import PackError
from consider.records import Record

PACKS_GROUP = "consider.packs"
FACTS_GROUP = "consider.facts"
_VERSION = 1  # of the cached listing's shape


class Plugin(Record):
    """One entry point of an installed package."""

    group: str
    name: str
    value: str
    distribution: str
    """The distribution that offers it, with its version: ``privacy-and-cost 1.0``."""

    def label(self) -> str:
        """How the plugin is named to users: ``privacy-and-cost (privacy-and-cost 1.0)``."""
        return f"{self.name} ({self.distribution})"


def discover() -> tuple[Plugin, ...]:
    """Every entry point of the two groups, in a stable order; cached as the module says."""
    from consider import cache

    stamps = []
    for folder in sys.path:
        try:
            stamps.append((folder or ".", str(os.stat(folder or ".").st_mtime_ns).encode()))
        except OSError:
            continue
    key = cache.key("plugins", _VERSION, stamps)
    found = cache.read(key, frozenset({("consider.plugins", "Plugin")}))
    if isinstance(found, tuple):
        return found
    found = _look_up()
    cache.write(key, found)
    return found


def _look_up() -> tuple[Plugin, ...]:
    from importlib.metadata import entry_points

    plugins = []
    for group in (PACKS_GROUP, FACTS_GROUP):
        for point in entry_points(group=group):
            dist = point.dist
            shown = f"{dist.name} {dist.version}" if dist is not None else "an unknown package"
            plugins.append(Plugin(group, point.name, point.value, shown))
    return tuple(sorted(set(plugins)))


def pack_plugins() -> list[Plugin]:
    """The installed packages' packs."""
    return [p for p in discover() if p.group == PACKS_GROUP]


def fact_plugins() -> list[Plugin]:
    """The installed packages' fact modules."""
    return [p for p in discover() if p.group == FACTS_GROUP]


def pack_path(plugin: Plugin) -> Path:
    """The pack file a ``consider.packs`` entry point names, found without running the
    package's code: ``<id>.yaml`` in the folder of the module it names."""
    from importlib.util import find_spec

    module = plugin.value.split(":", 1)[0].strip()
    try:
        spec = find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        raise PackError(
            f"the pack plugin {plugin.label()} names the module '{module}', which is not "
            "installed; reinstall the package or uninstall it"
        )
    if spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations)))
    elif spec.origin:
        folder = Path(spec.origin).parent
    else:
        raise PackError(f"the pack plugin {plugin.label()}: '{module}' has no folder")
    path = folder / f"{plugin.name}.yaml"
    if not path.is_file():
        raise PackError(
            f"the pack plugin {plugin.label()} has no {path.name} in {folder}; the entry "
            "point's name is the pack's id, and its file is <id>.yaml beside the module"
        )
    return path


def source_of(path: Path, plugins: dict[Path, Plugin]) -> str:
    """Where a pack file comes from, for ``rules list``: built-in, a plugin, or a file."""
    from consider.resources import rules_dir

    if path in plugins:
        return f"plugin {plugins[path].label()}"
    if path.parent.resolve() == rules_dir().resolve():
        return "built-in"
    return f"file {path}"
