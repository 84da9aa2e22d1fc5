"""The spec's units: one syntax each, parsed to plain numbers and printed back for people.

Durations become seconds, percentages fractions, rates events per second, sizes bytes and
counts integers. The schema has already checked the syntax, so the parsers only convert;
they raise ``ValueError`` on anything else (a number too large to be finite, say), and the
model then treats the value as absent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from consider.lazyre import LazyPattern

_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_SIZE_UNITS = {
    "B": 1,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "KiB": 2**10,
    "MiB": 2**20,
    "GiB": 2**30,
    "TiB": 2**40,
}
_COUNT_SUFFIX = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}

_DURATION = LazyPattern(
    r"^(?=[0-9])(?:([0-9]+(?:\.[0-9]+)?)w)?(?:([0-9]+(?:\.[0-9]+)?)d)?"
    r"(?:([0-9]+(?:\.[0-9]+)?)h)?(?:([0-9]+(?:\.[0-9]+)?)m(?!s))?"
    r"(?:([0-9]+(?:\.[0-9]+)?)s)?(?:([0-9]+(?:\.[0-9]+)?)ms)?$"
)
_DURATION_PARTS = (604800.0, 86400.0, 3600.0, 60.0, 1.0, 0.001)
_PERCENT = re.compile(r"^([0-9]+(?:\.[0-9]+)?)%$")
_SIZE = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")
_COUNT = LazyPattern(r"^([0-9]+(?:\.[0-9]+)?)([KMG]?)$")
_RATE = re.compile(r"^([0-9]+(?:\.[0-9]+)?)([KMG]?)/(ms|s|m|h|d|w)$")


def _number(text: str) -> float:
    return float(text)


def parse_duration(value: Any) -> float:
    """``"15m"`` → 900.0 seconds; ``"5h30m"`` → 19800.0."""
    text = str(value)
    # Most durations are a whole number and one unit ("15m", "400d", "250ms"): read those
    # without the pattern, to the same float (the one part times its scale).
    if text.endswith("ms"):
        whole, scale = text[:-2], _DURATION_UNITS["ms"]
    else:
        whole, scale = text[:-1], _DURATION_UNITS.get(text[-1:], 0.0)
    if scale and whole.isascii() and whole.isdigit():
        return _number(whole) * scale
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {value!r}")
    return sum(
        _number(part) * scale
        for part, scale in zip(match.groups(), _DURATION_PARTS, strict=True)
        if part is not None
    )


def parse_percentage(value: Any) -> float:
    """``"99.9%"`` → 0.999; a share, so from 0% to 100% (``"150%"`` is refused)."""
    match = _PERCENT.match(str(value))
    if not match:
        raise ValueError(f"not a percentage: {value!r}")
    if _number(match[1]) > 100:
        raise ValueError(f"not a percentage from 0% to 100%: {value!r}")
    # Rounded so that "99.99%" is exactly the float 0.9999, not 0.9998999999999999:
    # comparisons of nines (one extra nine per critical dependency) must not flip on noise.
    return round(_number(match[1]) / 100.0, 12)


def parse_ratio(value: Any) -> float:
    """``"200%"`` → 2.0: a proportion that may exceed 100% (headroom over a peak)."""
    match = _PERCENT.match(str(value))
    if not match:
        raise ValueError(f"not a ratio: {value!r}")
    return round(_number(match[1]) / 100.0, 12)


def parse_size(value: Any) -> float:
    """``"50MB"`` → 50_000_000 bytes; ``"1KiB"`` → 1024."""
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError(f"not a size: {value!r}")
    return _number(match[1]) * _SIZE_UNITS[match[2]]


def parse_count(value: Any) -> float:
    """``1200`` → 1200; ``"12K"`` → 12000; ``"2G"`` → 2_000_000_000."""
    if isinstance(value, bool):
        raise ValueError(f"not a count: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    match = _COUNT.match(str(value))
    if not match:
        raise ValueError(f"not a count: {value!r}")
    return _number(match[1]) * _COUNT_SUFFIX[match[2]]


def parse_rate(value: Any) -> float:
    """``"1200/s"`` or ``{requests: 5000, per: 1h}`` → events per second."""
    if isinstance(value, Mapping):
        per = parse_duration(value["per"])
        return parse_count(value["requests"]) / per
    match = _RATE.match(str(value))
    if not match:
        raise ValueError(f"not a rate: {value!r}")
    amount = _number(match[1]) * _COUNT_SUFFIX[match[2]]
    return amount / _DURATION_UNITS[match[3]]


def parse_schedule(value: Any) -> Any:
    """A periodic schedule (a duration) → seconds; a calendar one (``{cron: ...}``) is kept."""
    if isinstance(value, Mapping):
        return dict(value)
    return PARSERS["duration"](value)


def _finite(parse: Callable[[Any], float]) -> Callable[[Any], float]:
    """``parse``, refusing what is not a finite number (a 400-digit count overflows)."""

    def parsed(value: Any) -> float:
        try:
            number = parse(value)
        except (OverflowError, ZeroDivisionError):
            raise ValueError(f"not a finite number: {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"not a finite number: {value!r}")
        return number

    return parsed


PARSERS: dict[str, Callable[[Any], Any]] = {
    "duration": _finite(parse_duration),
    "percentage": _finite(parse_percentage),
    "ratio": _finite(parse_ratio),
    "rate": _finite(parse_rate),
    "size": _finite(parse_size),
    "count": _finite(parse_count),
    "schedule": parse_schedule,
}
"""Schema definition name → parser; the schema marks a unit field by ``$ref`` to its unit."""


def format_duration(seconds: float) -> str:
    """Seconds printed for people: ``272400`` → ``75h40m``, ``0.25`` → ``250ms``."""
    if seconds != seconds or math.isinf(seconds):
        return "unbounded"
    # Each branch tests the value as it will be printed, so 59.9996 is 1m, never 60s, and
    # 119.6 is 2m, never 1m60s. Rounding never takes a value below a bound it is at or above,
    # so a value past the bound skips the rounding (slow with digits) of its test.
    if seconds < 1 and round(seconds * 1000, 3) < 1000:
        return f"{round(seconds * 1000, 3):g}ms"
    if seconds < 60 and round(seconds, 3) < 60:
        return f"{round(seconds, 3):g}s"
    if round(seconds) < 3600:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    total_minutes = round(seconds / 60.0, 3)
    hours = int(total_minutes // 60)
    minutes = round(total_minutes - hours * 60)
    if minutes == 60:
        hours, minutes = hours + 1, 0
    if hours % 24 == 0 and minutes == 0:
        return f"{hours // 24}d"
    return f"{hours}h{minutes}m" if minutes else f"{hours}h"


def format_percentage(fraction: float) -> str:
    """``0.999`` → ``99.9%``; enough digits to show every nine."""
    if fraction != fraction or math.isinf(fraction):
        return "unbounded"
    return f"{round(fraction * 100, 4):g}%"


def format_size(size: float) -> str:
    """Bytes printed with the largest decimal unit that keeps the number at least 1."""
    for unit in ("TB", "GB", "MB", "KB"):
        if size >= _SIZE_UNITS[unit]:
            return f"{round(size / _SIZE_UNITS[unit], 2):g}{unit}"
    return f"{size:g}B"


def format_count(count: float) -> str:
    """``12000`` → ``12K``, ``1500000`` → ``1.5M``."""
    for suffix in ("G", "M", "K"):
        if count >= _COUNT_SUFFIX[suffix]:
            return f"{round(count / _COUNT_SUFFIX[suffix], 2):g}{suffix}"
    return f"{count:g}"


def format_rate(per_second: float) -> str:
    """Events per second printed in the unit that reads best: ``5000 / 3600`` → ``5000/h``.

    The first unit with a whole amount of at least 1 (as it was most likely written), else
    the first with an amount of at least 1: ``1200/s``, ``30/m``, ``1.39/s``.
    """
    units = (("s", 1.0), ("m", 60.0), ("h", 3600.0), ("d", 86400.0))
    amounts = [(unit, per_second * seconds) for unit, seconds in units]
    for unit, amount in amounts:
        if amount >= 1 and abs(amount - round(amount)) <= 1e-9 * amount:
            return f"{round(amount)}/{unit}"
    for unit, amount in amounts:
        if amount >= 1:
            return f"{round(amount, 2):g}/{unit}"
    return f"{round(per_second * 86400.0, 4):g}/d"


def format_hours(seconds: float) -> str:
    """Seconds in hours and minutes, never days: ``777600`` → ``216h``, so that durations
    compared in one message read in one unit; below an hour as :func:`format_duration`."""
    if seconds != seconds or math.isinf(seconds) or round(seconds) < 3600:
        return format_duration(seconds)
    total_minutes = round(seconds / 60.0)
    hours, minutes = divmod(total_minutes, 60)
    return f"{hours}h{minutes}m" if minutes else f"{hours}h"


def format_percent(fraction: float) -> str:
    """A ratio as a whole percentage for people, ``0.949`` → ``95%``; one decimal where
    rounding would hide which side of 100% it is (``1.004`` → ``100.4%``)."""
    if fraction != fraction or math.isinf(fraction):
        return "unbounded"
    whole = round(fraction * 100)
    if whole == 100 and fraction != 1:
        shown = round(fraction * 100, 1)
        shown = min(shown, 99.9) if fraction < 1 else max(shown, 100.1)
        return f"{shown:g}%"
    return f"{whole}%"


FORMATTERS: dict[str, Callable[[float], str]] = {
    "duration": format_duration,
    "hours": format_hours,
    "percent": format_percent,
    "percentage": format_percentage,
    "size": format_size,
    "count": format_count,
    "rate": format_rate,
}
"""Filters a message template may apply, as in ``{retrain.cadence|duration}``."""


def time_of_day(text: Any) -> float | None:
    """Seconds after midnight of a time of day written ``HH:MM``; None if it is not one."""
    if not isinstance(text, str):
        return None
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    if int(hours) > 24 or int(minutes) > 59:
        return None
    return int(hours) * 3600.0 + int(minutes) * 60.0


def format_clock(seconds: float) -> str:
    """A time of day, such as 13:00 (or 01:30 (+1d) past midnight)."""
    day, rest = divmod(round(seconds), 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return text if day == 0 else f"{text} (+{day}d)"
