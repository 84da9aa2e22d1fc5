"""Units: every parser and formatter, and the corners where numbers go wrong."""

from __future__ import annotations

import math

import pytest

from consider.units import (
    FORMATTERS,
    PARSERS,
    format_count,
    format_duration,
    format_percentage,
    format_rate,
    format_size,
    parse_count,
    parse_duration,
    parse_percentage,
    parse_rate,
    parse_schedule,
    parse_size,
)

# -- durations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("250ms", 0.25),
        ("0ms", 0.0),
        ("30s", 30.0),
        ("15m", 900.0),
        ("6h", 21600.0),
        ("1d", 86400.0),
        ("2w", 1_209_600.0),
        ("1.5h", 5400.0),
        ("0.5s", 0.5),
        ("5h30m", 19800.0),
        ("1m30s500ms", 90.5),
        ("1d12h", 129_600.0),
        ("1w1d1h1m1s1ms", 694_861.001),
        ("90m", 5400.0),  # parts need not be normalised
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds, abs=1e-9)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1",
        "1y",
        "1mo",
        "1M",
        "1H",
        "1 h",
        " 1h",
        "1h ",
        "-1h",
        "h",
        "1h1h",
        "30m5h",
        "1s1m",
        "1ms1s",
        "1.h",
        ".5h",
        "1..5h",
        "1,5h",
        "1e3s",
    ],
)
def test_parse_duration_refuses_what_the_schema_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0, "0ms"),
        (0.0005, "0.5ms"),
        (0.25, "250ms"),
        (0.9999996, "1s"),
        (1.0, "1s"),
        (59.5, "59.5s"),
        (59.9996, "1m"),  # rounds to a minute, never "60s"
        (60.0, "1m"),
        (90.0, "1m30s"),
        (119.6, "2m"),  # never "1m60s"
        (3599.9, "1h"),  # never "59m60s"
        (3600.0, "1h"),
        (5400.0, "1h30m"),
        (19800.0, "5h30m"),
        (86400.0, "1d"),
        (129_600.0, "36h"),
        (172_800.0, "2d"),
        (272_400.0, "75h40m"),
        (604_800.0, "7d"),
        (7199.99, "2h"),
        (math.inf, "unbounded"),
        (math.nan, "unbounded"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize("text", ["250ms", "30s", "15m", "6h", "5h30m", "1m30s", "2d", "75h40m"])
def test_format_duration_reads_back_as_written(text: str) -> None:
    assert format_duration(parse_duration(text)) == text


# -- percentages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fraction"),
    [
        ("99.9%", 0.999),
        ("99.99%", 0.9999),
        ("99.999%", 0.99999),
        ("100%", 1.0),
        ("1%", 0.01),
        ("0.1%", 0.001),
        ("50%", 0.5),
        ("0%", 0.0),
        ("0.5%", 0.005),
        ("100.0%", 1.0),
    ],
)
def test_parse_percentage_is_exact(text: str, fraction: float) -> None:
    # Exactly equal, not approximately: "one more nine" comparisons must not flip on noise.
    assert parse_percentage(text) == fraction


def test_ninety_nine_point_nine_nine_is_exactly_the_float_0_9999() -> None:
    assert parse_percentage("99.99%") == 0.9999
    assert 99.99 / 100 != 0.9999  # what a naive division would give
    assert parse_percentage("99.99%") * parse_percentage("99.99%") < parse_percentage("99.99%")


@pytest.mark.parametrize("value", ["99.9", "99.9 %", "%", "99,9%", "-1%", 0.999, "1e2%"])
def test_parse_percentage_refuses(value: object) -> None:
    with pytest.raises(ValueError, match="not a percentage"):
        parse_percentage(value)


@pytest.mark.parametrize("value", ["150%", "100.001%", "101%", "1000%"])
def test_parse_percentage_refuses_more_than_100(value: str) -> None:
    with pytest.raises(ValueError, match=r"^not a percentage from 0% to 100%: "):
        parse_percentage(value)


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (0.999, "99.9%"),
        (0.9999, "99.99%"),
        (0.99995, "99.995%"),
        (1.0, "100%"),
        (0.5, "50%"),
        (0.001, "0.1%"),
    ],
)
def test_format_percentage(fraction: float, text: str) -> None:
    assert format_percentage(fraction) == text
    assert format_percentage(parse_percentage(text)) == text


# -- counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "count"),
    [
        (1200, 1200.0),
        (0, 0.0),
        ("12K", 12_000.0),
        ("11M", 11_000_000.0),
        ("2G", 2_000_000_000.0),
        ("1.5K", 1500.0),
        ("1200", 1200.0),
    ],
)
def test_parse_count(value: object, count: float) -> None:
    assert parse_count(value) == count


@pytest.mark.parametrize("value", ["2B", "12k", "1T", "12 K", "K", True, False, "", "1,200"])
def test_parse_count_refuses_bytes_lower_case_and_booleans(value: object) -> None:
    with pytest.raises(ValueError, match="not a count"):
        parse_count(value)


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (999.0, "999"),
        (1000.0, "1K"),
        (12_000.0, "12K"),
        (1_500_000.0, "1.5M"),
        (11_000_000.0, "11M"),
        (2e9, "2G"),
        (0.0, "0"),
    ],
)
def test_format_count(count: float, text: str) -> None:
    assert format_count(count) == text


# -- rates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "per_second"),
    [
        ("1200/s", 1200.0),
        ("5000/h", 5000 / 3600),
        ("60/m", 1.0),
        ("1/d", 1 / 86400),
        ("7/w", 1 / 86400),
        ("1/ms", 1000.0),
        ("3K/s", 3000.0),
        ("1.2K/s", 1200.0),
        ("2M/d", 2e6 / 86400),
        ({"requests": 5000, "per": "1h"}, 5000 / 3600),
        ({"requests": "5K", "per": "1m30s"}, 5000 / 90),
        ({"requests": 1, "per": "250ms"}, 4.0),
    ],
)
def test_parse_rate(value: object, per_second: float) -> None:
    assert parse_rate(value) == pytest.approx(per_second, rel=1e-12)


def test_the_two_ways_of_writing_a_rate_agree() -> None:
    assert parse_rate("5000/h") == parse_rate({"requests": 5000, "per": "1h"})


@pytest.mark.parametrize(
    "value", ["5000", "5000/y", "5000/hour", "5000 /h", "/h", "5k/s", "5000/1h"]
)
def test_parse_rate_refuses(value: str) -> None:
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate(value)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ({"requests": 5000}, KeyError),
        ({"per": "1h"}, KeyError),
        ({"requests": 5000, "per": "1 hour"}, ValueError),
        ({"requests": 1, "per": "0s"}, ZeroDivisionError),
    ],
)
def test_parse_rate_mapping_errors_are_the_ones_the_model_catches(
    value: object, error: type[Exception]
) -> None:
    # consider.model treats ValueError, KeyError, TypeError and ZeroDivisionError as "absent".
    with pytest.raises(error):
        parse_rate(value)


@pytest.mark.parametrize(
    ("per_second", "text"),
    [
        (1200.0, "1200/s"),
        (5000 / 3600, "5000/h"),  # as it was most likely written, not 1.39/s
        (1.0, "1/s"),
        (0.5, "30/m"),
        (1.5, "90/m"),
        (1 / 60, "1/m"),
        (1 / 86400, "1/d"),
        (1 / 864000, "0.1/d"),
        (math.pi, "3.14/s"),  # no whole amount in any unit
    ],
)
def test_format_rate(per_second: float, text: str) -> None:
    assert format_rate(per_second) == text


@pytest.mark.parametrize("text", ["1200/s", "5000/h", "30/m", "1/d"])
def test_format_rate_reads_back_as_written(text: str) -> None:
    assert format_rate(parse_rate(text)) == text


# -- sizes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("16B", 16.0),
        ("50KB", 50_000.0),
        ("50MB", 50e6),
        ("50GB", 50e9),
        ("2TB", 2e12),
        ("1KiB", 1024.0),
        ("50KiB", 51_200.0),
        ("1MiB", 2.0**20),
        ("1.5GiB", 1.5 * 2**30),
        ("1TiB", 2.0**40),
        ("0.5KB", 500.0),
    ],
)
def test_parse_size_decimal_and_binary(text: str, size: float) -> None:
    assert parse_size(text) == size


def test_a_kilobyte_is_not_a_kibibyte() -> None:
    assert parse_size("1KB") == 1000
    assert parse_size("1KiB") == 1024


@pytest.mark.parametrize(
    "text", ["1kb", "1Kb", "1KIB", "1kib", "1K", "1", "1 KB", "1PB", "KB", "1iB"]
)
def test_parse_size_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a size"):
        parse_size(text)


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (999.0, "999B"),
        (1000.0, "1KB"),
        (1024.0, "1.02KB"),
        (50e6, "50MB"),
        (2**30, "1.07GB"),
        (2e12, "2TB"),
        (0.0, "0B"),
    ],
)
def test_format_size_in_decimal_units(size: float, text: str) -> None:
    assert format_size(size) == text


# -- schedules --------------------------------------------------------------------------------


def test_parse_schedule_periodic_is_seconds_and_calendar_is_kept() -> None:
    assert parse_schedule("6h") == 21600.0
    cron = {"cron": "0 6 * * MON"}
    parsed = parse_schedule(cron)
    assert parsed == cron
    assert parsed is not cron  # a copy: the spec's data is not shared


def test_parse_schedule_refuses_what_is_neither() -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_schedule("every morning")


# -- registries -------------------------------------------------------------------------------


def test_every_unit_of_the_spec_schema_has_a_parser() -> None:
    from consider.resources import schema

    definitions = schema("spec")["definitions"]
    assert set(PARSERS) == {"duration", "percentage", "ratio", "rate", "size", "count", "schedule"}
    assert set(PARSERS) <= set(definitions)


def test_the_template_filters() -> None:
    assert set(FORMATTERS) == {
        "duration",
        "hours",
        "percent",
        "percentage",
        "size",
        "count",
        "rate",
    }


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(9 * 86400, "216h"), (205 * 3600, "205h"), (272400, "75h40m"), (1800, "30m"), (45, "45s")],
)
def test_hours_keep_durations_compared_in_one_unit(seconds: float, shown: str) -> None:
    from consider.units import format_hours

    assert format_hours(seconds) == shown


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [(0.949, "95%"), (1.2, "120%"), (1.004, "100.4%"), (0.9999, "99.9%"), (1.0, "100%")],
)
def test_percent_rounds_without_hiding_which_side_of_the_limit(fraction: float, shown: str) -> None:
    from consider.units import format_percent

    assert format_percent(fraction) == shown


@pytest.mark.parametrize(("text", "value"), [("50%", 0.5), ("200%", 2.0), ("0%", 0.0)])
def test_a_ratio_may_exceed_a_hundred_percent(text: str, value: float) -> None:
    from consider.units import parse_ratio

    assert parse_ratio(text) == value
