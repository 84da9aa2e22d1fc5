"""Whether a rule set read from the cache is what its packs compile to.

The cache folder may be restored from elsewhere (a CI cache), so an entry filed under the
right key may still hold anything built of the allowed records: an empty rule set, say, that
lets every gate pass. Compiling the packs again to compare would cost what the cache saves,
so an entry is checked against the packs' text instead, which takes about a millisecond:

- the packs it holds are the packs asked for, in order (the entry's key is a digest of
  their bytes);
- each pack holds as many rules as its text has ``id:`` entries and as many conditions as
  it has ``when:`` entries, and each rule's id, every condition and placeholder, and the
  multiset of severities, appear in that text;
- the index by kind is rebuilt from the packs rather than trusted.

An entry that fails any of these is a miss: the packs are compiled again and the entry
replaced.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from consider.rules import Expression, Pack, Question, Risk, RuleSet

# Bytes, not text: these run on every cached check, and bytes regexes and translate are
# about twenty times faster here.
_RULE_ID = re.compile(rb"id(?<![\w-]id)[ \t]*:")
_WHEN = re.compile(rb"when(?<![\w-]when)[ \t]*:")
_SEVERITY = re.compile(rb"""severity[ \t]*:[ \t]*["']?(error|warning|info)\b""")
_LAYOUT = b" \t\r\n\"'\\"
"""Removed from conditions and pack text alike before comparing: YAML may fold, quote or
escape a condition, and none of these change which condition it is."""


def matches(rules: RuleSet, sources: Sequence[tuple[Path, bytes]]) -> bool:
    """Whether ``rules`` holds exactly the rules of the packs in ``sources``."""
    if len(rules.packs) != len(sources):
        return False
    for pack, (path, raw) in zip(rules.packs, sources, strict=True):
        if pack.path != str(path):
            return False
        if not _pack_matches(pack, raw):
            return False
    return True


def _pack_matches(pack: Pack, text: bytes) -> bool:
    rules: tuple[Question | Risk, ...] = (*pack.questions, *pack.risks)
    if len(_RULE_ID.findall(text)) != len(rules):
        return False
    if not _all_in((name.encode() for name in (pack.id, *(rule.id for rule in rules))), text):
        return False
    conditions = [
        *(rule.when for rule in rules),
        *(step.when for risk in pack.risks for step in risk.escalate),
        *(item.when for question in pack.questions for item in question.recommend),
    ]
    if sum(condition is not None for condition in conditions) != len(_WHEN.findall(text)):
        return False
    written = text.translate(None, _LAYOUT)
    if not _all_in(
        (expression.encode().translate(None, _LAYOUT) for expression in _expressions(pack)),
        written,
    ):
        return False
    severities = Counter(
        severity.value
        for risk in pack.risks
        for severity in (risk.severity, *(step.severity for step in risk.escalate))
    )
    return severities == Counter(found.decode() for found in _SEVERITY.findall(text))


def _all_in(needles: Iterable[bytes], haystack: bytes) -> bool:
    """Whether every one of ``needles`` occurs in ``haystack``.

    They come in about the order the pack writes them, so each is looked for from where the
    one before it was found (a scan of the gap between them), and from the start only when it
    is not found there: a pack's text is then scanned about once, not once per rule (which
    was 3 ms of every cached start with the built-in packs).
    """
    start = 0
    for needle in needles:
        found = haystack.find(needle, start)
        if found < 0:
            found = haystack.find(needle)
            if found < 0:
                return False
        start = found
    return True


def _expressions(pack: Pack) -> Iterator[str]:
    for question in pack.questions:
        yield from _text(question.when)
        for _, expression, _ in question.ask.parts:
            yield from _text(expression)
        yield from question.answered_by
        for item in question.recommend:
            yield from _text(item.when)
    for risk in pack.risks:
        yield from _text(risk.when)
        for _, expression, _ in risk.message.parts:
            yield from _text(expression)
        for step in risk.escalate:
            yield from _text(step.when)


def _text(expression: Expression | None) -> Iterator[str]:
    if expression is not None:
        yield expression.expression
