"""Cron schedules (consider/cron.py): the shortest and longest gap between runs."""

from __future__ import annotations

import pytest
from conftest import D, H, M, W, calls_made

from consider.cron import cron_gaps


@pytest.mark.parametrize(
    ("cron", "shortest", "longest"),
    [
        ("0 6 * * MON", W, W),
        ("0 6,12 * * 1-5", 6 * H, 66 * H),  # Friday noon to Monday 06:00
        ("*/15 * * * *", 15 * M, 15 * M),
        ("0 0 1 * *", 28 * D, 31 * D),
        ("@daily", D, D),
    ],
)
def test_cron_gaps(cron: str, shortest: float, longest: float) -> None:
    gaps = cron_gaps(cron)
    assert gaps is not None
    assert (gaps.shortest, gaps.longest) == (shortest, longest)


@pytest.mark.parametrize("cron", ["not a cron", "61 * * * *", "0 0 31 2 *", "0 0 * * 8"])
def test_cron_that_never_fires_or_does_not_parse(cron: str) -> None:
    assert cron_gaps(cron) is None


def _cron_gaps_day_by_day(expression: str) -> tuple[float, float] | None:
    """The reference: every day of the 28-year cycle walked, as cron fires."""
    import datetime
    from itertools import pairwise

    from consider.cron import _FIELDS, _field

    parts = expression.split()
    minutes, hours, days, months, weekdays = (
        _field(part, low, high, names)
        for part, (low, high, names) in zip(parts, _FIELDS, strict=True)
    )
    weekdays = frozenset(0 if d == 7 else d for d in weekdays)
    both = not parts[2].startswith("*") and not parts[4].startswith("*")
    runs = []
    start = datetime.datetime(2001, 1, 1)
    for offset in range(10227):
        date = start + datetime.timedelta(days=offset)
        if date.month not in months:
            continue
        day_ok, weekday_ok = date.day in days, (date.isoweekday() % 7) in weekdays
        if (day_ok or weekday_ok) if both else (day_ok and weekday_ok):
            runs.extend(offset * 1440 + h * 60 + m for h in sorted(hours) for m in sorted(minutes))
    if not runs:
        return None
    gaps = [b - a for a, b in pairwise(runs)] + [runs[0] + 10227 * 1440 - runs[-1]]
    return min(gaps) * 60.0, max(gaps) * 60.0


@pytest.mark.parametrize(
    "cron",
    [
        "0 0 1 * *",
        "0 6 1,15 * *",
        "30 2 29 2 *",
        "0 0 31 * *",
        "0 6 1 * MON",
        "0 6 13 * 5",
        "0 6,18 */10 1-3 *",
        "15 4 * 2 SUN",
        "0 0 1 1 *",
        "0 12 28-31 * *",
        "0 0 * 4,6,9,11 *",
        "0 0 */7 * 1-5",
    ],
)
def test_calendar_cron_gaps_match_a_day_by_day_walk(cron: str) -> None:
    gaps = cron_gaps.__wrapped__(cron)
    assert gaps is not None
    assert (gaps.shortest, gaps.longest) == _cron_gaps_day_by_day(cron)


def test_calendar_cron_gaps_need_no_walk_over_every_day() -> None:
    def gaps() -> None:
        for minute in range(60):
            for day in (1, 15):
                cron_gaps.__wrapped__(f"{minute} 6 {day} * *")

    _, calls = calls_made(gaps)
    # 120 expressions: about 3,000 calls each; the day-by-day walk above makes about 12,000
    # for one expression (1.4 million for the 120)
    assert calls < 120 * 6000


def test_latest_start_is_the_last_time_of_day_a_run_starts() -> None:
    from consider.cron import latest_start

    assert latest_start("0 6 * * MON") == 6 * 3600
    assert latest_start("30 1,4 * * *") == 4 * 3600 + 30 * 60
    assert latest_start("@daily") == 0
    assert latest_start("not cron") is None
