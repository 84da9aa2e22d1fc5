"""Facts of the privacy-and-cost pack, registered with consider's own decorator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from consider.facts import fact

if TYPE_CHECKING:
    from consider.analysis import Analysis

MONTH = 30 * 24 * 3600  # seconds


@fact(
    "monthly_pulls",
    kind="sources",
    doc="How many times a month a pulled source is fetched: 30 days over its interval. "
    "Only for sources that say direction: pull and an interval.",
)
def monthly_pulls(analysis: Analysis) -> Mapping[str, float]:
    """Pulls a month for each pulled source with an interval (seconds, once normalised)."""
    found: dict[str, float] = {}
    for source in analysis.entities("sources"):
        interval = source.fields.get("interval")
        if source.fields.get("direction") == "pull" and isinstance(interval, int | float):
            if interval > 0:
                found[source.id] = MONTH / interval
    return found
