"""The spec's vocabulary, written once: the entity kinds, the prefixes of typed references,
and the names of the units (with how each is written)."""

from __future__ import annotations

COLLECTIONS = ("outputs", "slos", "models", "datasets", "features", "sources", "services", "stores")
"""The entity kinds, named as their collections are (and as a rule's ``for`` names them)."""

PRODUCT = "product"
"""The kind of the product section, for rules about the product as a whole."""

REF_PREFIX = {
    "source": "sources",
    "dataset": "datasets",
    "model": "models",
    "feature": "features",
    "output": "outputs",
    "service": "services",
    "store": "stores",
}
"""A typed reference's prefix → the collection it points into."""

PREFIX_OF = {kind: prefix for prefix, kind in REF_PREFIX.items()}
"""A collection → the prefix of references into it (``datasets`` → ``dataset``)."""

UNIT_HELP = {
    "duration": "a number and a unit: 250ms, 30s, 15m, 6h, 1d or 2w (no months or years)",
    "percentage": 'a quoted percentage from 0% to 100%, such as "99.9%", "0.5%" or "100%"',
    "ratio": 'a percentage that may exceed 100%, such as "50%" or "200%"',
    "rate": 'a rate such as "1200/s" or "5000/h", or {requests: 5000, per: 1h}',
    "size": "a size such as 16B, 50KB, 50MB, 2TB (decimal) or 512MiB (binary)",
    "count": "a count such as 1200, 12K, 11M or 2G (never B, which is bytes)",
    "schedule": 'a duration such as 6h, or {cron: "0 6 * * MON"}',
}
"""Each unit (a definition of the spec schema of the same name), and how it is written."""

UNIT_NAMES = tuple(UNIT_HELP)
"""The unit names, in the order the docs list them."""

TBD = "tbd"
"""What any field may say to acknowledge a question it cannot answer yet (``consider.tbd``)."""
