"""``consider schema``: a published JSON Schema, as editors want it."""

from __future__ import annotations

import json


def schema(name: str) -> str:
    """The schema ``name`` as JSON (the spec schema with ``tbd`` allowed in any field)."""
    from consider.resources import schema as published_schema

    published = published_schema(name)
    if name == "spec":
        from consider.schema import editor_schema

        published = editor_schema(published)
    return json.dumps(published, indent=2)
