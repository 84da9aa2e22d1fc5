"""``consider init``: a new spec written from the template or a bundled example."""

from __future__ import annotations

from pathlib import Path


def init(path: Path | None, *, example: str | None, force: bool) -> str:
    """Write the new spec (``spec.yaml`` by default); what to say the user should do next."""
    from consider.template import DEFAULT_PATH, new_spec, write_new

    target = path if path is not None else DEFAULT_PATH
    write_new(target, new_spec(target, example=example), force=force)
    return f"wrote {target}; next: consider questions {target}, or consider ask {target}"
