"""Evaluation: every rule of a rule set over one spec, entity by entity.

For each entity the data a condition sees is built once: its own fields (units
normalised), ``_id``, ``_kind``, ``_product``, ``_refs`` and ``_facts``. Facts are not
computed here up front: ``_facts`` is a lazy mapping over a fact store made per evaluation
(consider/facts/__init__.py), so a fact is computed, for every entity of its kind at once,
the first time a condition reads it, and never when no rule does.

Packs are loaded and compiled by consider/packs.py; the rule records are consider/rules.py.
Their public names are re-exported here, where callers have always found them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import Any

from jmespath.exceptions import JMESPathError

from consider import bounds, compiled
from consider import facts as facts_registry
from consider.analysis import Analysis
from consider.errors import PackError
from consider.findings import Finding, Kind, Severity, Status, fingerprint
from consider.lazyre import LazyPattern
from consider.model import Entity, Spec, refs_view
from consider.packs import ENGINE_VERSION, index, load_pack, load_rules
from consider.records import Record
from consider.rules import KINDS, Pack, Question, Risk, Rule, RuleSet, Template
from consider.text import escape_pointer_token
from consider.vocabulary import COLLECTIONS, PREFIX_OF, PRODUCT

__all__ = [  # what callers have always imported from here
    "ENGINE_VERSION",
    "KINDS",
    "Pack",
    "Question",
    "Risk",
    "Rule",
    "RuleSet",
    "Template",
    "ask",
    "contexts",
    "evaluate",
    "index",
    "load_pack",
    "load_rules",
    "truthy",
]

_PATH_TOKEN = LazyPattern(r"(x-[A-Za-z0-9_-]+|[A-Za-z_][A-Za-z0-9_]*)|\[([0-9]+)\]")


# -- evaluation -------------------------------------------------------------------------------


def truthy(value: Any) -> bool:
    """JMESPath truth: null, false, and empty strings, lists and mappings are false."""
    return value is not None and value is not False and value != "" and value != [] and value != {}


Function = Callable[[Any], Any]
"""An expression as a function of a condition's data."""


class _QuestionCheck(Record):
    question: Question
    names: tuple[tuple[str, ...], ...] | None
    """``answered_by`` as chains of field names, when every path is one (the usual case):
    looked up directly, without an expression each."""
    answers: tuple[Function, ...]
    when: Function | None


class _RiskCheck(Record):
    risk: Risk
    when: Function | None
    escalate: tuple[tuple[Function, Severity], ...]


class _Checks(Record):
    """One kind's rules, their expressions as functions, in evaluation order."""

    questions: tuple[_QuestionCheck, ...]
    risks: tuple[_RiskCheck, ...]


def _checks(rules: RuleSet, kind: str, many: bool) -> _Checks:
    """The rules for ``kind``. Over ``many`` entities each expression is compiled to one
    function up front (``Expression.function``); over a few, it is searched as it comes,
    so a small spec (a pre-commit hook's) never pays for compiling."""

    def function(expression: Any) -> Function:
        return expression.function() if many else expression.search  # type: ignore[no-any-return]

    questions = tuple(_question_check(q, function) for q in rules.questions.get(kind, ()))
    risks = tuple(
        _RiskCheck(
            risk,
            function(risk.when) if risk.when is not None else None,
            tuple((function(e.when), e.severity) for e in risk.escalate),
        )
        for risk in rules.risks.get(kind, ())
    )
    return _Checks(questions, risks)


def _question_check(question: Question, function: Callable[[Any], Function]) -> _QuestionCheck:
    return _QuestionCheck(
        question,
        (
            tuple(tuple(path.split(".")) for path in question.answered_by)
            if all("[" not in path for path in question.answered_by)
            else None
        ),
        tuple(function(path) for path in question.answer_paths),
        function(question.when) if question.when is not None else None,
    )


def evaluate(spec: Spec, rules: RuleSet) -> list[Finding]:
    """Every question and risk of ``rules`` over ``spec``, sorted; schema findings included."""
    wanted = {kind for kind in KINDS if rules.questions.get(kind) or rules.risks.get(kind)}
    checks = {
        kind: _checks(
            rules,
            kind,
            kind != PRODUCT and len(spec.collections.get(kind, ())) >= compiled.COMPILE_AFTER,
        )
        for kind in wanted
    }
    findings = list(spec.findings)
    for kind, ident, pointer, raw, data in contexts(spec, rules, wanted):
        findings.extend(_evaluate_one(spec, checks[kind], kind, ident, pointer, raw, data))
    findings = group(findings, rules)
    findings.sort(key=Finding.sort_key)
    return findings


def group(findings: list[Finding], rules: RuleSet) -> list[Finding]:
    """One cause, one finding: a risk that names others in ``subsumes`` is grouped with
    those of them that fired on one of its roots (the entity it fired on, and those its
    ``roots`` names), and so on transitively. Each group is reported once, by its primary
    (the member no other member subsumes), inside which the others are listed, with the
    most severe severity of the group."""
    subsumes = {r.id: set(r.subsumes) for r in rules.rules() if isinstance(r, Risk) and r.subsumes}
    if not subsumes:
        return findings
    parent = list(range(len(findings)))

    def top(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Each finding of a subsumed rule, by (rule, root): a primary finds its members by
    # lookup, so grouping stays linear in the findings (a large spec has tens of thousands).
    subsumed = {rule for members in subsumes.values() for rule in members}
    by_root: dict[tuple[str, str], list[int]] = {}
    for j, other in enumerate(findings):
        if other.rule in subsumed:
            for root in other.roots:
                by_root.setdefault((other.rule, root), []).append(j)
    for i, primary in enumerate(findings):
        for rule in subsumes.get(primary.rule, ()):
            for root in primary.roots:
                for j in by_root.get((rule, root), ()):
                    parent[top(j)] = top(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(findings)):
        groups.setdefault(top(i), []).append(i)
    result: list[Finding] = []
    for indices in groups.values():
        members = [findings[i] for i in indices]
        if len(members) == 1:
            result.append(members[0])
            continue
        rules_in = {m.rule for m in members}
        # The primary: subsumed by no other member; then the most severe; then spec order.
        primary = min(
            members,
            key=lambda m: (
                any(m.rule in subsumes.get(r, ()) for r in rules_in if r != m.rule),
                -_rank(m),
                m.sort_key(),
            ),
        )
        inside = sorted((m for m in members if m is not primary), key=Finding.sort_key)
        worst = max(members, key=_rank)
        result.append(primary._replace(subsumed=tuple(inside), severity=worst.severity))
    return result


def _rank(finding: Finding) -> int:
    return finding.severity.rank if finding.severity is not None else 0


def contexts(
    spec: Spec, rules: RuleSet, kinds: Collection[str]
) -> Iterator[tuple[str, str, str, Any, dict[str, Any]]]:
    """(kind, id, pointer, raw value, condition data) of the product and of every entity of
    ``kinds``, in the spec's order: what a rule's condition sees, over one fact store."""
    computed = facts_registry.FactStore(Analysis(spec, rules.tables()))
    views: dict[str, dict[str, Any]] = {}  # each referenced entity's view, made once
    if PRODUCT in kinds:
        data = _context(spec, None, computed, views)
        yield PRODUCT, "product", "/product", spec.product_raw, data
    for kind in COLLECTIONS:
        if kind in kinds:
            for entity in spec.entities(kind):
                data = _context(spec, entity, computed, views)
                yield kind, entity.id, entity.pointer, entity.raw, data


def _context(
    spec: Spec,
    entity: Entity | None,
    computed: facts_registry.FactStore,
    views: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    if entity is None:
        return {
            **spec.product,
            "_id": "product",
            "_kind": PRODUCT,
            "_product": spec.product,
            "_refs": {},
            "_facts": computed.view(PRODUCT, "product"),
        }
    return {
        **entity.fields,
        "_id": entity.id,
        "_kind": entity.kind,
        "_product": spec.product,
        "_refs": refs_view(spec, entity, views),
        "_facts": computed.view(entity.kind, entity.id),
    }


def _path_pointer(base: str, path: str) -> str:
    tokens = [m[1] or m[2] for m in _PATH_TOKEN.finditer(path)]
    return base + "".join(f"/{escape_pointer_token(t)}" for t in tokens)


def _evaluate_one(
    spec: Spec, checks: _Checks, kind: str, ident: str, pointer: str, raw: Any, data: dict[str, Any]
) -> list[Finding]:
    current: Rule | None = None
    try:
        results: list[Finding] = []
        open_questions: dict[str, Finding] = {}
        for check in checks.questions:
            current = check.question
            found = _asked(spec, check, pointer, raw, data)
            if found is not None:
                open_questions[current.id] = found
        for risk_check in checks.risks:
            current = risk_check.risk
            if risk_check.when is not None and not truthy(risk_check.when(data)):
                continue
            severity = next(
                (severity for when, severity in risk_check.escalate if truthy(when(data))),
                current.severity,
            )
            fired = _fire(
                spec, current, severity, pointer, raw, data, open_questions, f"{kind}:{ident}"
            )
            if fired is not None:
                results.append(fired)
    except (JMESPathError, TypeError, ValueError, RecursionError) as error:
        # Conditions are compiled at load time, but a type error (contains() on a mapping,
        # say) only shows on real data: a pack bug, reported as one, never a crash or a skip.
        assert current is not None
        raise PackError(
            f"rule '{current.id}' failed on {kind} '{ident}' of {spec.document.path}: "
            f"{bounds.clip((str(error).splitlines() or [''])[0])}; "
            "fix the rule's condition or message",
            path=current.file,
            line=current.line,
        ) from None
    results.extend(open_questions.values())
    return results


def ask(
    spec: Spec, question: Question, base: str, raw: Any, data: dict[str, Any]
) -> Finding | None:
    """The question's finding on one entity (open, or acknowledged with tbd), or None where
    it does not apply or is answered."""
    return _asked(spec, _question_check(question, _searched), base, raw, data)


def _searched(expression: Any) -> Function:
    return expression.search  # type: ignore[no-any-return]


def _asked(
    spec: Spec, check: _QuestionCheck, base: str, raw: Any, data: dict[str, Any]
) -> Finding | None:
    # Any written value answers, an empty list too: `inputs_from: []` says "none". Tested
    # before the condition: a path is cheaper than a condition, and most questions of a
    # well-kept spec are answered.
    if check.names is not None:
        if _answered(data, check.names):
            return None
    elif any(answer(data) is not None for answer in check.answers):
        return None
    if check.when is not None and not truthy(check.when(data)):
        return None
    return _question(spec, check.question, base, raw, data)


def _answered(data: dict[str, Any], names: tuple[tuple[str, ...], ...]) -> bool:
    """Whether any chain of field names reaches a value (JMESPath's field lookup: anything
    without ``get`` has no fields)."""
    for chain in names:
        value: Any = data
        for name in chain:
            try:
                value = value.get(name)
            except AttributeError:
                value = None
                break
        if value is not None:
            return True
    return False


def _question(
    spec: Spec, question: Question, base: str, raw: Any, data: dict[str, Any]
) -> Finding | None:
    """An applicable, unanswered question's finding (open, or acknowledged with tbd), or
    None where the value that would answer it was rejected by the schema."""
    # A value the schema rejected is already a finding at that place; asking for it again
    # would report one mistake twice.
    if any(_rejected(spec, _path_pointer(base, path)) for path in question.answered_by):
        return None
    acknowledged = next(
        (p for p in (_path_pointer(base, path) for path in question.answered_by) if p in spec.tbd),
        base if base in spec.tbd else None,  # the whole entity says tbd
    )
    return _finding(
        spec,
        question,
        base,
        raw,
        acknowledged or base,
        kind=Kind.QUESTION,
        severity=None,
        message=question.ask.render(data),
        status=Status.ACKNOWLEDGED if acknowledged else Status.OPEN,
        choices=question.choices,
    )


def _fire(
    spec: Spec,
    risk: Risk,
    severity: Severity,
    base: str,
    raw: Any,
    data: dict[str, Any],
    open_questions: dict[str, Finding],
    entity: str,
) -> Finding | None:
    """A risk's finding where its condition held (at ``severity``, escalated or not), or
    None where it would point at a value the schema rejected."""
    document = spec.document
    where_pointer = next(
        (
            p
            for p in (_path_pointer(base, path) for path in risk.at)
            if p in document.values or p in document.keys
        ),
        base,
    )
    if where_pointer != base and _rejected(spec, where_pointer):
        # The risk would point at a value the schema rejected (`cadence: weekly`): rules
        # see that value as absent, and the schema finding already stands for it.
        return None
    folded = tuple(open_questions.pop(q) for q in risk.folds if q in open_questions)
    return _finding(
        spec,
        risk,
        base,
        raw,
        where_pointer,
        kind=Kind.RISK,
        severity=severity,
        message=risk.message.render(data),
        fix=risk.fix,
        folded=folded,
        roots=_roots(risk, data, entity),
    )


def _roots(risk: Risk, data: dict[str, Any], entity: str) -> tuple[str, ...]:
    kind, _, ident = entity.partition(":")
    own = "product" if kind == PRODUCT else f"{PREFIX_OF.get(kind, kind)}:{ident}"
    found = risk.roots.search(data) if risk.roots is not None else None
    more = [str(r) for r in (found if isinstance(found, list) else [found]) if r is not None]
    return tuple(dict.fromkeys([own, *more]))


_NOT_REJECTIONS = frozenset({"dangling-reference", "duplicate-key"})
"""Schema findings that reject no value: a reference to nothing is well formed, and a
duplicate key keeps one of its values."""


def _rejected(spec: Spec, pointer: str) -> bool:
    """Whether the schema rejected a value at ``pointer`` or within it."""
    below = pointer + "/"
    return any(
        f.kind is Kind.SCHEMA
        and f.rule not in _NOT_REJECTIONS
        and (f.pointer == pointer or f.pointer.startswith(below))
        for f in spec.findings
    )


def _finding(
    spec: Spec, rule: Rule, base: str, raw: Any, where_pointer: str, **specific: Any
) -> Finding:
    """A question's or a risk's finding: what every rule's finding says (where, which rule,
    why, its fingerprint), plus what is ``specific`` to the kind."""
    document = spec.document
    line, column = document.position(where_pointer, prefer="key")
    return Finding(
        rule=rule.id,
        pack=rule.pack,
        file=document.path,
        line=line,
        column=column,
        pointer=where_pointer,
        title=rule.title,
        why=rule.why,
        references=rule.references,
        fingerprint=fingerprint(rule.id, base, raw),
        **specific,
    )
