"""Text helpers shared by the stages and commands: "did you mean", word lists, JSON-pointer
tokens, Markdown table cells. Each written once here.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from functools import lru_cache

from consider.records import Record

MAX_CANDIDATES = 16
"""Most options :func:`closest` compares in full (difflib costs about 40 µs a comparison)."""


def closest(word: str, options: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The (at most ``n``) options most like ``word``, best first, as difflib's
    ``get_close_matches`` finds them; none below ``cutoff``.

    Bounded, so that thousands of misspelt references against thousands of ids stay fast
    (difflib alone compares every option: 3,500 against 2,000 took 47 s). An option whose
    length alone keeps it below ``cutoff`` is never compared (difflib's ratio is at most
    2 * shorter / both lengths). When more than :data:`MAX_CANDIDATES` remain, only the
    options nearest the word in sorted order, and nearest it in sorted order read backwards,
    are compared: those sharing its longest beginning or end, where a typo leaves the rest.
    """
    index = _index(tuple(options))
    size = len(word)

    def fits(option: str) -> bool:
        # ratio = 2 * matches / (size + length) <= 2 * min(size, length) / (size + length)
        return 2 * min(size, len(option)) >= cutoff * (size + len(option))

    if len(index.forwards) <= MAX_CANDIDATES:
        candidates = [o for o in index.forwards if fits(o)]
    else:
        half = MAX_CANDIDATES // 4
        near = bisect_left(index.forwards, word)
        around = index.forwards[max(0, near - half) : near + half]
        near = bisect_left(index.backwards, word[::-1])
        around += [o[::-1] for o in index.backwards[max(0, near - half) : near + half]]
        candidates = [o for o in dict.fromkeys(around) if fits(o)]
    if not candidates:
        return []
    import difflib  # only a misspelt name pays for it

    return difflib.get_close_matches(word, candidates, n=n, cutoff=cutoff)


class _Index(Record):
    forwards: list[str]
    """The options, sorted."""
    backwards: list[str]
    """The options read backwards, sorted."""


@lru_cache(maxsize=16)
def _index(options: tuple[str, ...]) -> _Index:
    """The options sorted both ways (kept for the next misspelling against the same ones)."""
    return _Index(sorted(set(options)), sorted({o[::-1] for o in options}))


def did_you_mean(word: str, options: Iterable[str], *, quote: str = "'") -> str:
    """``"; did you mean 'x'?"`` for the closest option, or ``""`` when none is close."""
    found = closest(word, options)
    return f"; did you mean {quote}{found[0]}{quote}?" if found else ""


def or_list(words: Sequence[str]) -> str:
    """("a", "b", "c") → "a, b or c"; one word as it is; none → ""."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


def escape_pointer_token(token: str) -> str:
    """Escape one JSON-pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    """One JSON-pointer reference token as written (RFC 6901: ``~1`` is ``/``, ``~0`` is ``~``)."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer_tokens(pointer: str) -> list[str]:
    """``/outputs/a~1b`` → ``["outputs", "a/b"]``."""
    return [unescape_pointer_token(part) for part in pointer.split("/")[1:]]


def markdown_cell(text: str) -> str:
    """Text made safe for one Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")
