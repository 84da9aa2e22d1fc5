"""Gaps between the runs of a five-field cron schedule, for staleness and overrun checks.

For a calendar schedule, the longest gap between two runs sets the worst-case staleness and
the shortest gap decides whether a run can overlap the next. A schedule that only names
minutes, hours and weekdays repeats every week, so one week is enough; one that names days
of the month or months repeats over the 28-year cycle of weekdays and leap years (2001 to
2028), which is walked day by day (about 10,000 days, once per expression).
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

_MONTHS = {
    name: i
    for i, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
        start=1,
    )
}
_DAYS = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_FIELDS: tuple[tuple[int, int, dict[str, int]], ...] = (
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, _MONTHS),
    (0, 7, _DAYS),
)
_MINUTES_PER_DAY = 1440
_CYCLE_START = datetime.date(2001, 1, 1)
_CYCLE_DAYS = 10227  # 28 years: weekdays and leap years line up again


class Gaps(NamedTuple):
    """The shortest and longest time between consecutive runs, in seconds."""

    shortest: float
    longest: float


def _value(text: str, names: dict[str, int]) -> int:
    upper = text.upper()
    if upper in names:
        return names[upper]
    if not text.isdigit():
        raise ValueError(f"not a cron value: {text!r}")
    return int(text)


def _field(text: str, low: int, high: int, names: dict[str, int]) -> frozenset[int]:
    values: set[int] = set()
    for item in text.split(","):
        span, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"cron step must be at least 1: {item!r}")
        if span == "*":
            start, end = low, high
        elif "-" in span:
            first, _, last = span.partition("-")
            start, end = _value(first, names), _value(last, names)
        else:
            start = _value(span, names)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise ValueError(f"cron value out of range: {item!r}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@lru_cache(maxsize=256)
def cron_gaps(expression: str) -> Gaps | None:
    """The gaps of a five-field cron expression (or ``@daily``-style macro); None if it is
    not one or never fires."""
    text = _MACROS.get(expression.strip().lower(), expression)
    parts = text.split()
    if len(parts) != 5:
        return None
    try:
        minutes, hours, days, months, weekdays = (
            _field(part, low, high, names)
            for part, (low, high, names) in zip(parts, _FIELDS, strict=True)
        )
    except ValueError:
        return None
    weekdays = frozenset(0 if d == 7 else d for d in weekdays)  # 7 is Sunday too
    times = sorted(h * 60 + m for h in hours for m in minutes)
    day_restricted = not parts[2].startswith("*")
    weekday_restricted = not parts[4].startswith("*")
    if parts[2] == "*" and parts[3] == "*":
        period = 7
        matching = [d for d in range(7) if d in weekdays]  # day 0 is a Sunday
    else:
        period = _CYCLE_DAYS
        matching = []
        for offset in range(_CYCLE_DAYS):
            date = _CYCLE_START + datetime.timedelta(days=offset)
            if date.month not in months:
                continue
            day_ok = date.day in days
            weekday_ok = (date.isoweekday() % 7) in weekdays
            # Vixie cron: when both day fields are restricted, either may match.
            if day_restricted and weekday_restricted:
                fires = day_ok or weekday_ok
            else:
                fires = day_ok and weekday_ok
            if fires:
                matching.append(offset)
    if not matching or not times:
        return None
    within = [b - a for a, b in pairwise(times)]
    between = [
        (following * _MINUTES_PER_DAY + times[0]) - (day * _MINUTES_PER_DAY + times[-1])
        for day, following in zip(matching, [*matching[1:], matching[0] + period], strict=True)
    ]
    gaps = within + between
    return Gaps(shortest=min(gaps) * 60.0, longest=max(gaps) * 60.0)
