"""Phrase tables: a pack's ``x-phrases`` (timing phrases such as 'within {n} minutes')
compiled to patterns; a malformed table is a :class:`PackError`."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from consider.errors import PackError
from consider.records import Record
from consider.units import parse_duration, time_of_day

if TYPE_CHECKING:
    pass

PROMISE_KINDS = ("freshness", "latency", "schedule", "deadline")
"""Kinds of timing a phrase promises; a deadline is a time of day (``"12:00"``), the others
durations."""
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty-five": 45,
    "sixty": 60,
    "ninety": 90,
}
_NUMBER = r"([0-9]+(?:\.[0-9]+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
PHRASES_KEY = "x-phrases"
"""The key of a rule pack that holds its table of timing phrases."""


ALPHANUMERIC = re.compile(r"[a-z0-9]+")
MAX_PHRASES = 100
"""Rows in one pack's phrase table: each is a scan of every press-release text."""
MAX_MATCHES = 32
"""Matches of one phrase in one text: past the first, only a new number adds a promise."""


class Phrase(Record):
    """One row of a pack's phrase table, compiled."""

    text: str
    source: str
    """Its regular expression, compiled only when a text holds all its words: a table of
    hundreds of rows would otherwise cost a second to compile on every run."""
    figures: tuple[tuple[str, float], ...]
    per_number: bool
    words: tuple[str, ...] = ()
    """The runs of letters and digits of its literal words: each is a whole run of letters and
    digits in any text the phrase matches, so a text that lacks one is not scanned."""

    @property
    def pattern(self) -> re.Pattern[str]:
        """The compiled expression."""
        return _compiled(self.source)


@functools.cache
def _compiled(source: str) -> re.Pattern[str]:
    return re.compile(source)


def _compile_phrase(text: str, figures: tuple[tuple[str, float], ...]) -> Phrase:
    # The pattern is built here from escaped literals, so a pack cannot inject a regex.
    words = text.strip().lower().split()
    parts = [_NUMBER if word == "{n}" else re.escape(word) for word in words]
    if words[0] != "{n}":
        # The word boundary checked after the first word, not before it: a pattern that
        # starts with a literal is searched for quickly, one that starts with a lookbehind is
        # tried at every position (20 times slower on a long text).
        parts[0] += f"(?<![a-z0-9]{parts[0]})"
    else:
        parts[0] = r"(?<![a-z0-9])" + parts[0]
    # Matched against lower-cased text rather than with IGNORECASE, which makes compiling the
    # table cost three times as much; start-up pays for it on every run (bench/startup.py).
    source = r"\s+".join(parts) + r"(?![a-z0-9])"
    literal = tuple(run for word in words if word != "{n}" for run in ALPHANUMERIC.findall(word))
    return Phrase(text.strip(), source, figures, "{n}" in words, literal)


def compile_phrases(table: Any, *, where: str = "") -> list[Phrase]:
    """A phrase table (a list of ``{phrase, freshness|latency|schedule: duration}``) compiled;
    a malformed one is a :class:`PackError`."""
    if not isinstance(table, list):
        raise PackError(
            f"{PHRASES_KEY} must be a list of {{phrase, freshness|latency|schedule}} entries",
            path=where or None,
        )
    if len(table) > MAX_PHRASES:
        raise PackError(
            f"{PHRASES_KEY} has {len(table):,} rows, over the limit of {MAX_PHRASES}; every "
            "row is a scan of the press release, so keep the table to the phrases that matter",
            path=where or None,
        )
    phrases = []
    for row_number, row in enumerate(table):
        text = row.get("phrase") if isinstance(row, Mapping) else None
        if not isinstance(text, str) or not text.strip():
            raise PackError(
                f"{PHRASES_KEY}[{row_number}] needs a 'phrase' (text)", path=where or None
            )
        unknown = set(row) - {"phrase", *PROMISE_KINDS, "note"}
        if unknown:
            raise PackError(
                f"{PHRASES_KEY}[{row_number}] ('{text}'): unknown keys "
                f"{sorted(unknown)}; use phrase, freshness, latency, schedule, deadline "
                "or note",
                path=where or None,
            )
        figures = []
        for kind in PROMISE_KINDS:
            if kind not in row:
                continue
            if kind == "deadline":
                clock = time_of_day(row[kind])
                if clock is None:
                    raise PackError(
                        f"{PHRASES_KEY}[{row_number}] ('{text}'): deadline must be a time "
                        f'of day written "HH:MM", such as "12:00", not {row[kind]!r}',
                        path=where or None,
                    )
                figures.append((kind, clock))
                continue
            try:
                figures.append((kind, parse_duration(row[kind])))
            except ValueError:
                raise PackError(
                    f"{PHRASES_KEY}[{row_number}] ('{text}'): {kind} must be a "
                    f"duration such as 1h, not {row[kind]!r}",
                    path=where or None,
                ) from None
        if not figures:
            raise PackError(
                f"{PHRASES_KEY}[{row_number}] ('{text}') names no figure: give "
                "freshness, latency, schedule or deadline",
                path=where or None,
            )
        phrases.append(_compile_phrase(text, tuple(figures)))
    return phrases


def loaded_phrases(tables: Iterable[tuple[str, Any]]) -> list[Phrase]:
    """The phrase tables of the packs a run loaded, given as (pack path, table), compiled."""
    phrases: list[Phrase] = []
    for path, table in tables:
        phrases.extend(_cached_phrases(path, table))
    return phrases


_PHRASE_CACHE: dict[tuple[str, int], tuple[Any, list[Phrase]]] = {}


def _cached_phrases(path: str, table: Any) -> list[Phrase]:
    """A pack's table compiled once (the table itself is kept, so its id is not reused)."""
    key = (path, id(table))
    cached = _PHRASE_CACHE.get(key)
    if cached is None or cached[0] is not table:
        cached = _PHRASE_CACHE[key] = (table, compile_phrases(table, where=path))
    return cached[1]
