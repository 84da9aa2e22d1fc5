"""``consider ask``: the open questions asked one at a time, each answer written at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def ask(
    spec_path: Path,
    *,
    limit: int | None,
    only_pack: str | None,
    entity: str | None,
    today: str,
    max_file_size: int,
    packs: tuple[Path, ...],
    no_plugin_packs: bool = False,
    read: Callable[[str], str],
    write: Callable[[str], None],
) -> bool:
    """Ask through ``read`` and ``write``; True when the walk was interrupted."""
    from consider.commands.reading import read_one
    from consider.engine import load_rules
    from consider.loader import read_text
    from consider.prompt import Filters, walk
    from consider.questionnaire import check_filters

    rules = load_rules(packs, plugins=not no_plugin_packs)
    check_filters(read_one(spec_path, max_file_size), rules, pack=only_pack, entity=entity)
    text = read_text(spec_path, display=str(spec_path), max_bytes=max_file_size)
    outcome = walk(
        spec_path,
        text,
        rules,
        today=today,
        filters=Filters(limit=limit, pack=only_pack, entity=entity),
        read=read,
        write=write,
    )
    return outcome.interrupted
