"""Rule records: a pack, its questions and risks, their compiled conditions and message
templates, and the rule set indexed by entity kind. Built by consider/packs.py, read by
consider/engine.py, the catalog and the docs; cached on disk as they are (consider/cache.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeAlias

from consider import bounds, compiled
from consider.findings import Severity
from consider.lazy import LazyMapping
from consider.lazyre import LazyPattern
from consider.records import Record
from consider.units import FORMATTERS
from consider.vocabulary import COLLECTIONS, PRODUCT

KINDS = (PRODUCT, *COLLECTIONS)
"""What a rule can be for: the product, or one entity kind."""

PLACEHOLDER = LazyPattern(r"\{\{|\}\}|\{([^{}]+)\}")
"""A placeholder, or a doubled brace: ``{{`` and ``}}`` print one literal brace."""
_SEARCHER = compiled.Searcher()


# -- records ----------------------------------------------------------------------------------
# NamedTuples rather than dataclasses: they are as typed and immutable, and a dataclass costs
# half a millisecond to create at import, which a pre-commit hook pays on every commit.


class Expression(Record):
    """A JMESPath expression, compiled once; searched with one shared searcher.

    jmespath's own ``ParsedResult.search`` builds a new interpreter, and its method cache,
    on every call; a check makes hundreds of searches, so sharing one saves real time. An
    expression searched often is compiled to closures (``consider.compiled``).
    """

    expression: str
    parsed: Any  # the AST, as jmespath builds it

    def search(self, data: Any) -> Any:
        """The expression's value over ``data``."""
        return _SEARCHER.search(self.expression, self.parsed, data)

    def function(self) -> compiled.Compiled:
        """The expression compiled to a function of the data (``search`` as one call), for
        a rule evaluated over many entities."""
        return _SEARCHER.function(self.expression, self.parsed)


class Template(Record):
    """A message with ``{expr}`` or ``{expr|filter}`` placeholders, compiled once."""

    text: str
    parts: tuple[tuple[str, Any, str | None], ...]

    def render(self, data: dict[str, Any]) -> str:
        """The message for one entity; values are looked up, never formatted as objects."""
        # One pass over the template text, placeholder by placeholder: a value that itself
        # contains "{...}" (written in the spec) is never filled in again.
        # Each value is clipped: a spec may hold a 5,000-digit scalar or a megabyte of text.
        shown = iter(
            [bounds.clip(_show(expr.search(data), name), 500) for _, expr, name in self.parts]
        )
        rendered: str = PLACEHOLDER.sub(
            lambda m: next(shown) if m[1] is not None else m[0][0], self.text
        )
        return rendered


class Recommendation(Record):
    """A choice ``consider ask`` offers first when its condition holds."""

    choice: str | bool | float
    when: Any
    because: str


# Question and Risk begin with the same nine fields (see ``Rule``). Written out twice on
# purpose: a NamedTuple cannot inherit fields, and a nested record would make every reader
# say ``rule.common.id``; the cached rule set is also pickled field by field.
class Question(Record):
    """Asked of an entity until one of its ``answered_by`` paths is present."""

    id: str
    pack: str
    title: str
    kinds: tuple[str, ...]
    when: Any
    why: str
    references: tuple[str, ...]
    file: str
    line: int
    ask: Template
    answered_by: tuple[str, ...]
    answer_paths: tuple[Any, ...]
    choices: tuple[str | bool | float, ...]
    recommend: tuple[Recommendation, ...]
    catalog: tuple[str, ...] = ()
    """Catalog codes of the consideration it checks (``CL-01``); several rules may share one."""


class Escalation(Record):
    """A severity that replaces the rule's own when its condition holds."""

    when: Any
    severity: Severity


class Risk(Record):
    """Fires on an entity when its condition holds."""

    id: str
    pack: str
    title: str
    kinds: tuple[str, ...]
    when: Any
    why: str
    references: tuple[str, ...]
    file: str
    line: int
    severity: Severity
    escalate: tuple[Escalation, ...]
    message: Template
    at: tuple[str, ...]
    folds: tuple[str, ...]
    fix: str
    example: str
    catalog: tuple[str, ...] = ()
    """Catalog codes of the consideration it checks (``CL-01``); several rules may share one."""
    subsumes: tuple[str, ...] = ()
    """Risks of the same cause, reported inside this one when they fire on a shared root."""
    roots: Any = None
    """An Expression for the refs of further entities the cause lies in, or None."""


Rule: TypeAlias = "Question | Risk"
"""Any rule: what questions and risks share is id, pack, title, kinds, when, why,
references, file and line."""


class Pack(Record):
    """One rule-pack file."""

    id: str
    title: str
    description: str
    path: str
    questions: tuple[Question, ...]
    risks: tuple[Risk, ...]
    extras: dict[str, Any]
    """The pack's own ``x-`` keys, such as the phrase table of timing promises (``x-phrases``)
    that a fact reads."""
    source: str = ""
    """Where the pack comes from: ``built-in``, ``plugin NAME (DIST VERSION)`` or ``file
    PATH``."""


class RuleSet(Record):
    """Every loaded pack, with the rules indexed by the entity kind they are for."""

    packs: tuple[Pack, ...]
    questions: dict[str, tuple[Question, ...]]
    risks: dict[str, tuple[Risk, ...]]

    def rules(self) -> Iterable[Question | Risk]:
        """Every rule, pack by pack, questions first."""
        for pack in self.packs:
            yield from pack.questions
            yield from pack.risks

    def find(self, rule_id: str) -> Question | Risk | None:
        """The rule with this id, or None."""
        return next((rule for rule in self.rules() if rule.id == rule_id), None)

    def tables(self) -> dict[str, list[tuple[str, Any]]]:
        """The packs' ``x-`` tables that facts read, by key: (pack path, table) per pack."""
        found: dict[str, list[tuple[str, Any]]] = {}
        for pack in self.packs:
            for key, table in pack.extras.items():
                found.setdefault(key, []).append((pack.path, table))
        return found


def _show(value: Any, filter_name: str | None) -> str:
    if value is None:
        return "(not set)"
    if filter_name and isinstance(value, int | float) and not isinstance(value, bool):
        return FORMATTERS[filter_name](float(value))
    if filter_name and isinstance(value, list):
        return ", ".join(_show(item, filter_name) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(_show(item, None) for item in value)
    if isinstance(value, LazyMapping):
        value = value.materialise()
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)
