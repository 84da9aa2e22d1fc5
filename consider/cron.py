"""Gaps between the runs of a five-field cron schedule, for staleness and overrun checks.

For a calendar schedule, the longest gap between two runs sets the worst-case staleness and
the shortest gap decides whether a run can overlap the next. A schedule that only names
minutes, hours and weekdays repeats every week, so one week is enough; one that names days
of the month or months repeats over the 28-year cycle of weekdays and leap years (2001 to
2028). That cycle is walked month by month, not day by day: which days of a month fire
depends only on its length and the weekday it starts on (28 kinds of month, each worked out
once), so an expression costs its 336 months. Each expression is computed once per process
(cached by its text).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise

from consider.records import Record

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
_CYCLE_YEARS = range(2001, 2029)  # 28 years: weekdays and leap years line up again
_CYCLE_DAYS = 10227


class Gaps(Record):
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
    within = [b - a for a, b in pairwise(times)]
    if parts[2] == "*" and parts[3] == "*":
        matching = [d for d in range(7) if d in weekdays]  # day 0 is a Sunday
        if not matching or not times:
            return None
        day_gaps = [b - a for a, b in pairwise([*matching, matching[0] + 7])]
    else:
        # Vixie cron: when both day fields are restricted, either may match.
        either = day_restricted and weekday_restricted
        found = _calendar_day_gaps(days, months, weekdays, either)
        if found is None or not times:
            return None
        day_gaps = list(found)
    between = [gap * _MINUTES_PER_DAY + times[0] - times[-1] for gap in day_gaps]
    gaps = within + between
    return Gaps(shortest=min(gaps) * 60.0, longest=max(gaps) * 60.0)


def _calendar_day_gaps(
    days: frozenset[int], months: frozenset[int], weekdays: frozenset[int], either: bool
) -> tuple[int, int] | None:
    """(fewest, most) days between consecutive firing days over the 28-year cycle, the last
    one followed by the first of the next cycle; None when no day fires. ``either``: a day
    fires when its day of the month or its weekday matches (else both must)."""
    import calendar  # only a schedule with day or month fields needs it (and locale)

    kinds: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
    gaps: list[int] = []
    first: int | None = None
    last: int | None = None
    offset = 0  # days from the start of the cycle to the first of this month
    for year in _CYCLE_YEARS:
        for month in range(1, 13):
            monday_based, length = calendar.monthrange(year, month)
            if month in months:
                starts_on = (monday_based + 1) % 7  # 0 is a Sunday
                kind = kinds.get((length, starts_on))
                if kind is None:
                    fire = [
                        day
                        for day in range(1, length + 1)
                        if _fires(day in days, (starts_on + day - 1) % 7 in weekdays, either)
                    ]
                    inner = [b - a for a, b in pairwise(fire)]
                    kind = kinds[(length, starts_on)] = (
                        fire,
                        [min(inner), max(inner)] if inner else [],
                    )
                fire, inner_extremes = kind
                if fire:
                    here = offset + fire[0] - 1
                    if last is None:
                        first = here
                    else:
                        gaps.append(here - last)
                    gaps.extend(inner_extremes)
                    last = offset + fire[-1] - 1
            offset += length
    if first is None or last is None:
        return None
    gaps.append(first + _CYCLE_DAYS - last)
    return min(gaps), max(gaps)


def _fires(day_ok: bool, weekday_ok: bool, either: bool) -> bool:
    return (day_ok or weekday_ok) if either else (day_ok and weekday_ok)


def latest_start(expression: str) -> float | None:
    """The latest time of day (seconds after midnight) at which a cron expression starts a
    run, for a deadline check; None if it is not an expression or never fires."""
    text = _MACROS.get(expression.strip().lower(), expression)
    parts = text.split()
    if len(parts) != 5:
        return None
    try:
        minutes = _field(parts[0], *_FIELDS[0][:2], {})
        hours = _field(parts[1], *_FIELDS[1][:2], {})
    except ValueError:
        return None
    if not minutes or not hours:
        return None
    return (max(hours) * 60 + max(m for m in minutes)) * 60.0
