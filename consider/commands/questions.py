"""``consider questions``: the open questions of one spec as a questionnaire."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path


def questions(
    spec_path: Path,
    *,
    output_format: str,
    only_pack: str | None,
    entity: str | None,
    max_file_size: int,
    packs: tuple[Path, ...],
    no_plugin_packs: bool = False,
) -> str:
    """The open questions, grouped by pack and entity, with progress, rendered."""
    from consider.commands.reading import read_one
    from consider.engine import load_rules
    from consider.questionnaire import check_filters, collect, render, select

    rules = load_rules(packs, plugins=not no_plugin_packs)
    spec = read_one(spec_path, max_file_size)
    check_filters(spec, rules, pack=only_pack, entity=entity)
    found = collect(spec, rules)
    found = replace(
        found,
        items=tuple(select(found.items, pack=only_pack, entity=entity)),
        progress=tuple(p for p in found.progress if only_pack in (None, p.pack)),
    )
    return render(found, output_format)
