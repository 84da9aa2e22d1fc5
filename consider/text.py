"""Text helpers shared by the stages and commands: "did you mean", word lists, JSON-pointer
tokens, Markdown table cells. Each written once here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain, islice

MAX_CANDIDATES = 8
"""Most options :func:`closest` compares in full, after its cheap filters."""


def closest(word: str, options: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The (at most ``n``) options most like ``word``, best first, as difflib's
    ``get_close_matches`` finds them; none below ``cutoff``.

    Bounded, so that thousands of misspelt references against thousands of ids stay fast
    (difflib alone compares every option, and took 47 s for 3,500 against 2,000): an option
    whose length alone keeps it below ``cutoff`` is never looked at (difflib's ratio is at
    most 2 * shorter / (both lengths)); of the rest, those that share the word's first
    letter come first, and at most :data:`MAX_CANDIDATES` are compared in full (difflib
    costs about 40 µs a comparison).
    """
    by_length = _by_length(tuple(options))
    size = len(word)
    fits: list[str] = []
    for length, named in by_length.items():
        # ratio = 2 * matches / (size + length) <= 2 * min(size, length) / (size + length)
        if 2 * min(size, length) >= cutoff * (size + length):
            fits.extend(named)
    if not fits:
        return []
    if len(fits) > MAX_CANDIDATES:
        first = word[:1]
        alike = (o for o in fits if o[:1] == first)
        rest = (o for o in fits if o[:1] != first)
        fits = list(islice(chain(alike, rest), MAX_CANDIDATES))
    import difflib  # only a misspelt name pays for it

    return difflib.get_close_matches(word, fits, n=n, cutoff=cutoff)


@lru_cache(maxsize=16)
def _by_length(options: tuple[str, ...]) -> dict[int, list[str]]:
    """The options grouped by length (kept for the next misspelling against the same ones)."""
    grouped: dict[int, list[str]] = {}
    for option in options:
        grouped.setdefault(len(option), []).append(option)
    return grouped


def did_you_mean(word: str, options: Iterable[str], *, quote: str = "'") -> str:
    """``"; did you mean 'x'?"`` for the closest option, or ``""`` when none is close."""
    found = closest(word, options)
    return f"; did you mean {quote}{found[0]}{quote}?" if found else ""


def or_list(words: Sequence[str]) -> str:
    """("a", "b", "c") → "a, b or c"; one word as it is; none → ""."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


def unescape_pointer_token(token: str) -> str:
    """One JSON-pointer reference token as written (RFC 6901: ``~1`` is ``/``, ``~0`` is ``~``)."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer_tokens(pointer: str) -> list[str]:
    """``/outputs/a~1b`` → ``["outputs", "a/b"]``."""
    return [unescape_pointer_token(part) for part in pointer.split("/")[1:]]


def markdown_cell(text: str) -> str:
    """Text made safe for one Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")
