"""Rule packs: loaded and validated once, conditions compiled once, evaluated per entity.

A pack is YAML (policy); this module is mechanism. Each rule says which entity kinds it is
for; rules are indexed by kind, and for each entity the data a condition sees is built once:
its own fields (units normalised), ``_id``, ``_kind``, ``_product``, ``_refs`` and ``_facts``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypeAlias

import jmespath
from jmespath.exceptions import JMESPathError

from consider import bounds
from consider import facts as facts_registry
from consider.errors import InputError, PackError
from consider.findings import Finding, Kind, Severity, Status, fingerprint
from consider.loader import Document, Limits, decode, escape_pointer_token, parse, read_bytes
from consider.model import COLLECTIONS, PRODUCT, Entity, Spec, refs_view
from consider.resources import builtin_pack_paths, schema, schemas_dir
from consider.units import FORMATTERS

ENGINE_VERSION = 1
"""The pack format version this engine reads."""

KINDS = (PRODUCT, *COLLECTIONS)

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")
"""A placeholder, or a doubled brace: ``{{`` and ``}}`` print one literal brace."""
_INTERPRETER = bounds.BoundedInterpreter()
_FILTER_LIKE = re.compile(r"^[a-z]+$")
_PATH_TOKEN = re.compile(r"(x-[A-Za-z0-9_-]+|[A-Za-z_][A-Za-z0-9_]*)|\[([0-9]+)\]")
_X_NAME = re.compile(r"^(x-[A-Za-z0-9_-]+)")


# -- records ----------------------------------------------------------------------------------
# NamedTuples rather than dataclasses: they are as typed and immutable, and a dataclass costs
# half a millisecond to create at import, which a pre-commit hook pays on every commit.


class Expression(NamedTuple):
    """A JMESPath expression, compiled once; searched with one shared interpreter.

    jmespath's own ``ParsedResult.search`` builds a new interpreter, and its method cache,
    on every call; a check makes hundreds of searches, so sharing one saves real time.
    """

    expression: str
    parsed: Any  # the AST, as jmespath builds it

    def search(self, data: Any) -> Any:
        """The expression's value over ``data``."""
        return _INTERPRETER.search(self.parsed, data)


class Template(NamedTuple):
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
        return _PLACEHOLDER.sub(lambda m: next(shown) if m[1] is not None else m[0][0], self.text)


class Recommendation(NamedTuple):
    """A choice ``consider ask`` offers first when its condition holds."""

    choice: str | bool | float
    when: Any
    because: str


class Question(NamedTuple):
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


class Escalation(NamedTuple):
    """A severity that replaces the rule's own when its condition holds."""

    when: Any
    severity: Severity


class Risk(NamedTuple):
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


Rule: TypeAlias = "Question | Risk"
"""Any rule: what questions and risks share is id, pack, title, kinds, when, why,
references, file and line."""


class Pack(NamedTuple):
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


class RuleSet(NamedTuple):
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


# -- loading ----------------------------------------------------------------------------------


def load_rules(extra: Sequence[Path] = (), *, builtin: bool = True) -> RuleSet:
    """The built-in packs (unless turned off) and any extra pack files, validated and compiled.

    Parsing, validating and compiling packs costs more than checking a small spec, and a
    pre-commit hook runs on every commit; so the compiled rule set is cached on disk, keyed
    by the packs' exact bytes and this version of consider (see :mod:`consider.cache`).
    """
    from consider import cache, cached_rules

    paths = [*(builtin_pack_paths() if builtin else []), *extra]
    sources = [(p, _read_pack_bytes(p)) for p in paths]
    key = cache.key(
        "rules",
        ENGINE_VERSION,
        [(str(p), raw) for p, raw in sources],
        # the engine, the facts and the name check depend on the code and on the schemas
        code=(Path(__file__).resolve().parent, schemas_dir()),
    )
    cached = cache.read(
        key,
        _CACHED_CLASSES,
        verify=lambda held: isinstance(held, RuleSet) and cached_rules.matches(held, sources),
    )
    if isinstance(cached, RuleSet):
        return index(cached.packs)  # the index by kind is rebuilt, not trusted
    rules = _load_rules(paths)
    cache.write(key, rules)
    return rules


_CACHED_CLASSES = frozenset(
    {
        ("consider.engine", name)
        for name in (
            "RuleSet",
            "Pack",
            "Question",
            "Risk",
            "Template",
            "Expression",
            "Recommendation",
            "Escalation",
        )
    }
    | {("consider.findings", "Severity")}
)
"""What a cached rule set is made of: the only classes its entry may name."""


def _read_pack_bytes(path: Path) -> bytes:
    """The pack's bytes, bounded: a special file or an oversized pack is a PackError."""
    try:
        return read_bytes(
            path,
            display=str(path),
            max_bytes=Limits().max_bytes,
            hint="no rule pack needs to be this large; split it into several packs",
            what="rule pack",
        )
    except InputError as error:
        message = error.message
        if message == "is a folder, not a file":
            message = "is a folder; name the pack's .yaml file"
        raise PackError(message, path=error.path) from None


def _load_rules(paths: Sequence[Path]) -> RuleSet:
    return index([load_pack(path) for path in paths])


def index(packs: Sequence[Pack]) -> RuleSet:
    """Index rules by kind, after checking pack and rule ids are unique and folds name real
    questions."""
    seen: dict[str, Pack] = {}
    for pack in packs:
        if pack.id in seen:
            raise PackError(
                f"pack id '{pack.id}' is also used by {seen[pack.id].path}; "
                "give each pack its own id",
                path=pack.path,
            )
        seen[pack.id] = pack
    owners: dict[str, Question | Risk] = {}
    for pack in packs:
        rules: tuple[Question | Risk, ...] = (*pack.questions, *pack.risks)
        for rule in rules:
            if rule.id in owners:
                other = owners[rule.id]
                raise PackError(
                    f"rule id '{rule.id}' is already used in {other.file}:{other.line}; "
                    "rule ids must be unique across packs",
                    path=rule.file,
                    line=rule.line,
                )
            owners[rule.id] = rule
    for pack in packs:
        for risk in pack.risks:
            for folded in risk.folds:
                target = owners.get(folded)
                if not isinstance(target, Question):
                    import difflib

                    close = difflib.get_close_matches(
                        folded, [r for r, v in owners.items() if isinstance(v, Question)], n=1
                    )
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    raise PackError(
                        f"rule '{risk.id}' folds '{folded}', which is not a question{hint}",
                        path=risk.file,
                        line=risk.line,
                    )
    questions: dict[str, list[Question]] = {kind: [] for kind in KINDS}
    risks: dict[str, list[Risk]] = {kind: [] for kind in KINDS}
    for pack in packs:
        for question in pack.questions:
            for kind in question.kinds:
                questions[kind].append(question)
        for risk in pack.risks:
            for kind in risk.kinds:
                risks[kind].append(risk)
    return RuleSet(
        packs=tuple(packs),
        questions={k: tuple(v) for k, v in questions.items()},
        risks={k: tuple(v) for k, v in risks.items()},
    )


def load_pack(path: Path) -> Pack:
    """One pack file → a compiled :class:`Pack`; anything wrong is a :class:`PackError`."""
    shown = str(path)
    try:
        raw = _read_pack_bytes(path)
        document = parse(decode(raw, display=shown), path=shown, limits=Limits())
    except InputError as error:
        raise PackError(
            f"rule pack: {error.message}", path=error.path, line=error.line, column=error.column
        ) from None
    if document.duplicates:
        dup = document.duplicates[0]
        raise PackError(
            f"'{dup.pointer.rsplit('/', 1)[-1]}' is written twice (first at line "
            f"{dup.first_line}); keep one",
            path=shown,
            line=dup.line,
            column=dup.column,
        )
    _validate_pack(document)
    data = document.data
    pack_id = data["pack"]
    engine = data.get("engine", ENGINE_VERSION)
    if engine > ENGINE_VERSION:
        raise PackError(
            f"the pack is written for pack format {engine}; this consider reads "
            f"format {ENGINE_VERSION}: upgrade consider",
            path=shown,
        )
    questions = tuple(
        _question(document, pack_id, i, body) for i, body in enumerate(data.get("questions", []))
    )
    risks = tuple(_risk(document, pack_id, i, body) for i, body in enumerate(data.get("risks", [])))
    extras = {key: value for key, value in data.items() if key.startswith("x-")}
    _check_extras(document, extras)
    return Pack(
        pack_id, data["title"], data.get("description", ""), shown, questions, risks, extras
    )


def _check_extras(document: Document, extras: dict[str, Any]) -> None:
    """Tables a fact reads from a pack (``x-phrases``) are checked when the pack loads, so a
    broken one fails `rules validate`, not a later check."""
    from consider.facts.lineage import PHRASES_KEY, compile_phrases

    if PHRASES_KEY in extras:
        line, column = document.position(f"/{PHRASES_KEY}", prefer="key")
        try:
            compile_phrases(extras[PHRASES_KEY], where=document.path)
        except PackError as error:
            raise PackError(error.message, path=document.path, line=line, column=column) from None


def _validate_pack(document: Document) -> None:
    try:
        from consider._validators import rulepack as generated

        generated.validate(document.data)  # type: ignore[no-untyped-call]
        return
    except ImportError:
        pass  # not generated (a bare checkout): jsonschema decides alone
    except generated.JsonSchemaValueException:
        pass  # jsonschema explains it, with the most relevant error
    import jsonschema
    from jsonschema.exceptions import best_match

    if not isinstance(document.data, dict):
        raise PackError(
            "the file is empty or not a mapping; a rule pack starts with "
            "'pack: <id>' and 'title: ...' (see docs/packs.md)",
            path=document.path,
        )
    if "consider" in document.data and "pack" not in document.data:
        raise PackError(
            "this is a spec, not a rule pack; check it with `consider check`, and "
            "give --pack a pack file (see docs/packs.md)",
            path=document.path,
        )
    validator = jsonschema.Draft7Validator(schema("rulepack"))
    error = best_match(validator.iter_errors(document.data))
    if error is None:
        return
    path = list(error.absolute_path)
    pointer = "".join(f"/{escape_pointer_token(str(p))}" for p in path)
    line, column = document.position(pointer, prefer="value")
    rule = ""
    if len(path) >= 2 and path[0] in ("questions", "risks") and isinstance(path[1], int):
        entry = document.data[path[0]][path[1]]
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            rule = f"rule '{entry['id']}': "
    where = ".".join(str(p) for p in path) or "the pack"
    message = error.message
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        # jsonschema says "'sevrity' does not match any of the regexes: '^x-'": name the key,
        # point at it, and offer the closest valid one.
        import difflib

        known = sorted(error.schema.get("properties", {}))
        unknown = [k for k in error.instance if k not in known and not str(k).startswith("x-")]
        if unknown:
            close = difflib.get_close_matches(str(unknown[0]), known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(known)})"
            message = f"unknown key '{unknown[0]}'{hint}"
            key_pointer = f"{pointer}/{escape_pointer_token(str(unknown[0]))}"
            line, column = document.position(key_pointer, prefer="key")
    raise PackError(
        f"{rule}{where}: {message}; see schemas/rulepack.schema.json",
        path=document.path,
        line=line,
        column=column,
    )


_NAVIGATING = {
    "subexpression",
    "index_expression",
    "filter_projection",
    "projection",
    "value_projection",
    "flatten",
}


def _compile(
    document: Document, pointer: str, rule_id: str, expression: str, what: str = "the condition"
) -> Any:
    try:
        compiled = jmespath.compile(expression)
    except RecursionError:
        line, column = document.position(pointer, prefer="value")
        raise PackError(
            f"rule '{rule_id}': {what} nests too deeply to compile; simplify it",
            path=document.path,
            line=line,
            column=column,
        ) from None
    except JMESPathError as error:
        line, column = document.position(pointer, prefer="value")
        raise PackError(
            f"rule '{rule_id}': {what} does not compile as JMESPath: {_jmespath_problem(error)}",
            path=document.path,
            line=line,
            column=column,
        ) from None
    if _negates_then_navigates(compiled.parsed):
        line, column = document.position(pointer, prefer="value")
        raise PackError(
            f"rule '{rule_id}': in '{expression}', '!' applies before '.' or '[', so "
            "'!a.b' means '(!a).b', which is always null; write '!(a.b)'",
            path=document.path,
            line=line,
            column=column,
        )
    problem = _function_problem(compiled.parsed) or bounds.problem(compiled.parsed)
    if problem:
        line, column = document.position(pointer, prefer="value")
        raise PackError(
            f"rule '{rule_id}': {what}: {problem}", path=document.path, line=line, column=column
        )
    return Expression(compiled.expression, compiled.parsed)


def _jmespath_problem(error: JMESPathError) -> str:
    """JMESPath's message on one line, without its caret drawing: what, and where."""
    first = str(error).split("\n", 1)[0].replace("Invalid jmespath expression: ", "")
    position = getattr(error, "lex_position", None)
    expression = getattr(error, "expression", None)
    if isinstance(position, int) and isinstance(expression, str):
        shown = f"{expression[:position].rstrip()} <here> {expression[position:].lstrip()}"
        return f"{first.rstrip(':')} in '{shown.strip()}'"
    return first


def _function_problem(node: Any) -> str | None:
    """An unknown function or a wrong number of arguments: JMESPath finds these only at run
    time, so a rule that never ran would hide them."""
    from jmespath.functions import Functions

    table = Functions.FUNCTION_TABLE
    todo = [node]
    while todo:
        current = todo.pop()
        if not isinstance(current, dict):
            continue
        arguments = current.get("children") or []
        todo.extend(arguments)
        if current.get("type") != "function_expression":
            continue
        name = str(current.get("value"))
        if name not in table:
            import difflib

            close = difflib.get_close_matches(name, list(table), n=1)
            return f"unknown function {name}()" + (f"; did you mean {close[0]}()?" if close else "")
        signature = table[name]["signature"]
        variadic = bool(signature) and signature[-1].get("variadic", False)
        if len(arguments) < len(signature) or (not variadic and len(arguments) > len(signature)):
            wanted = f"{'at least ' if variadic else ''}{len(signature)}"
            return f"{name}() takes {wanted} argument(s), not {len(arguments)}"
    return None


def _negates_then_navigates(node: Any) -> bool:
    """Whether the AST reads into a negation (``!a.b``), which never means what it says."""
    todo = [node]
    while todo:
        current = todo.pop()
        if not isinstance(current, dict):
            continue
        children = current.get("children") or []
        if (
            current.get("type") in _NAVIGATING
            and children
            and isinstance(children[0], dict)
            and children[0].get("type") == "not_expression"
        ):
            return True
        todo.extend(children)
    return False


def _template(document: Document, pointer: str, rule_id: str, text: str) -> Template:
    parts = []
    stray = _PLACEHOLDER.sub("", text)
    if "{" in stray or "}" in stray:
        line, column = document.position(pointer, prefer="value")
        raise PackError(
            f"rule '{rule_id}': a brace that opens or closes no placeholder in {text.strip()!r}; "
            "close the placeholder, or write {{ or }} for a literal brace",
            path=document.path,
            line=line,
            column=column,
        )
    for match in _PLACEHOLDER.finditer(text):
        raw = match[1]
        if raw is None:
            continue  # a doubled brace
        expression, _, filter_name = raw.rpartition("|")
        name = filter_name.strip()
        if (
            expression
            and name not in FORMATTERS
            and _FILTER_LIKE.match(name)
            and not expression.rstrip().endswith("|")
        ):
            # `{x|durration}` would parse as a pipe into a field and print "(not set)".
            line, column = document.position(pointer, prefer="value")
            raise PackError(
                f"rule '{rule_id}': the placeholder {{{raw}}} names no filter '{name}'; "
                f"the filters are {', '.join(sorted(FORMATTERS))}",
                path=document.path,
                line=line,
                column=column,
            )
        if not expression or name not in FORMATTERS:
            expression, filter_name = raw, ""
        compiled = _compile(
            document, pointer, rule_id, expression.strip(), what=f"the placeholder {{{raw}}}"
        )
        parts.append((raw, compiled, filter_name.strip() or None))
    return Template(text, tuple(parts))


def _common(
    document: Document, pack: str, section: str, index_: int, body: dict[str, Any]
) -> dict[str, Any]:
    pointer = f"/{section}/{index_}"
    kinds = body["for"] if isinstance(body["for"], list) else [body["for"]]
    when = body.get("when")
    return {
        "id": body["id"],
        "pack": pack,
        "title": body["title"],
        "kinds": tuple(kinds),
        "when": _compile(document, f"{pointer}/when", body["id"], when) if when else None,
        "why": body["why"].strip(),
        "references": tuple(body.get("references", ())),
        "file": document.path,
        "line": document.position(pointer, prefer="value")[0],
    }


def _question(document: Document, pack: str, i: int, body: dict[str, Any]) -> Question:
    common = _common(document, pack, "questions", i, body)
    pointer = f"/questions/{i}"
    recommend = tuple(
        Recommendation(
            item["choice"],
            _compile(document, f"{pointer}/recommend/{j}/when", body["id"], item["when"])
            if item.get("when")
            else None,
            item["because"],
        )
        for j, item in enumerate(body.get("recommend", ()))
    )
    paths = tuple(body["answered_by"])
    question = Question(
        **common,
        ask=_template(document, f"{pointer}/ask", body["id"], body["ask"]),
        answered_by=paths,
        answer_paths=tuple(
            _compile(document, f"{pointer}/answered_by", body["id"], _jmespath_path(p))
            for p in paths
        ),
        choices=tuple(body.get("choices", ())),
        recommend=recommend,
    )
    _check_names(
        document,
        pointer,
        question,
        [
            ("when", question.when),
            *((f"answered_by/{j}", path) for j, path in enumerate(question.answer_paths)),
            *((f"recommend/{j}/when", item.when) for j, item in enumerate(recommend)),
            *(("ask", part[1]) for part in question.ask.parts),
        ],
    )
    return question


def _risk(document: Document, pack: str, i: int, body: dict[str, Any]) -> Risk:
    common = _common(document, pack, "risks", i, body)
    pointer = f"/risks/{i}"
    escalate = tuple(
        Escalation(
            _compile(document, f"{pointer}/escalate/{j}/when", body["id"], item["when"]),
            Severity(item["severity"]),
        )
        for j, item in enumerate(body.get("escalate", ()))
    )
    risk = Risk(
        **common,
        severity=Severity(body["severity"]),
        escalate=escalate,
        message=_template(document, f"{pointer}/message", body["id"], body["message"]),
        at=tuple(body.get("at", ())),
        folds=tuple(body.get("folds", ())),
        fix=body["fix"].strip(),
        example=body.get("example", ""),
    )
    _check_names(
        document,
        pointer,
        risk,
        [
            ("when", risk.when),
            *((f"escalate/{j}/when", step.when) for j, step in enumerate(escalate)),
            *(("message", part[1]) for part in risk.message.parts),
            *(
                (f"at/{j}", jmespath.compile(_jmespath_path(path)))
                for j, path in enumerate(risk.at)
            ),
        ],
    )
    return risk


def _jmespath_path(path: str) -> str:
    """A field path (``retrain.cadence``, ``x-oncall.team``) as JMESPath, quoting ``x-`` names."""
    return ".".join(_X_NAME.sub(r'"\1"', part) for part in path.split("."))


def _check_names(
    document: Document, pointer: str, rule: Question | Risk, expressions: list[tuple[str, Any]]
) -> None:
    from consider import names  # only a pack being compiled (a cache miss) needs it

    for where, compiled in expressions:
        if compiled is None:
            continue
        found = names.problem(compiled.parsed, rule.kinds)
        if found:
            line, column = document.position(f"{pointer}/{where}", prefer="value")
            raise PackError(
                f"rule '{rule.id}' reads a name that is never there, so it could never "
                f"{'fire' if isinstance(rule, Risk) else 'be answered or asked'}: {found}",
                path=document.path,
                line=line,
                column=column,
            )


# -- evaluation -------------------------------------------------------------------------------


def truthy(value: Any) -> bool:
    """JMESPath truth: null, false, and empty strings, lists and mappings are false."""
    return value is not None and value is not False and value != "" and value != [] and value != {}


def evaluate(spec: Spec, rules: RuleSet) -> list[Finding]:
    """Every question and risk of ``rules`` over ``spec``, sorted; schema findings included."""
    wanted = {kind for kind in KINDS if rules.questions.get(kind) or rules.risks.get(kind)}
    spec.memo["packs"] = rules.packs  # facts may read a pack's x- tables (x-phrases)
    computed = facts_registry.FactStore(spec)
    findings = list(spec.findings)
    if PRODUCT in wanted:
        data = _context(spec, None, computed)
        findings.extend(
            _evaluate_one(spec, rules, PRODUCT, "product", "/product", spec.product_raw, data)
        )
    for kind in COLLECTIONS:
        if kind not in wanted:
            continue
        for entity in spec.entities(kind):
            data = _context(spec, entity, computed)
            findings.extend(
                _evaluate_one(spec, rules, kind, entity.id, entity.pointer, entity.raw, data)
            )
    findings.sort(key=Finding.sort_key)
    return findings


def _context(
    spec: Spec, entity: Entity | None, computed: facts_registry.FactStore
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
        "_refs": refs_view(spec, entity),
        "_facts": computed.view(entity.kind, entity.id),
    }


def _path_pointer(base: str, path: str) -> str:
    tokens = [m[1] or m[2] for m in _PATH_TOKEN.finditer(path)]
    return base + "".join(f"/{escape_pointer_token(t)}" for t in tokens)


def _evaluate_one(
    spec: Spec, rules: RuleSet, kind: str, ident: str, pointer: str, raw: Any, data: dict[str, Any]
) -> list[Finding]:
    current: Rule | None = None
    try:
        results: list[Finding] = []
        open_questions: dict[str, Finding] = {}
        for current in rules.questions.get(kind, ()):
            found = _ask(spec, current, pointer, raw, data)
            if found is not None:
                open_questions[current.id] = found
        for current in rules.risks.get(kind, ()):
            fired = _fire(spec, current, pointer, raw, data, open_questions)
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


def _ask(
    spec: Spec, question: Question, base: str, raw: Any, data: dict[str, Any]
) -> Finding | None:
    document = spec.document
    if question.when is not None and not truthy(question.when.search(data)):
        return None
    # Any written value answers, an empty list too: `inputs_from: []` says "none".
    if any(path.search(data) is not None for path in question.answer_paths):
        return None
    acknowledged = next(
        (p for p in (_path_pointer(base, path) for path in question.answered_by) if p in spec.tbd),
        base if base in spec.tbd else None,  # the whole entity says tbd
    )
    where_pointer = acknowledged or base
    line, column = document.position(where_pointer, prefer="key")
    return Finding(
        kind=Kind.QUESTION,
        rule=question.id,
        pack=question.pack,
        severity=None,
        message=question.ask.render(data),
        file=document.path,
        line=line,
        column=column,
        pointer=where_pointer,
        title=question.title,
        why=question.why,
        references=question.references,
        fingerprint=fingerprint(question.id, base, raw),
        status=Status.ACKNOWLEDGED if acknowledged else Status.OPEN,
        choices=question.choices,
    )


def _fire(
    spec: Spec,
    risk: Risk,
    base: str,
    raw: Any,
    data: dict[str, Any],
    open_questions: dict[str, Finding],
) -> Finding | None:
    document = spec.document
    if risk.when is not None and not truthy(risk.when.search(data)):
        return None
    severity = next(
        (e.severity for e in risk.escalate if truthy(e.when.search(data))), risk.severity
    )
    where_pointer = next(
        (
            p
            for p in (_path_pointer(base, path) for path in risk.at)
            if p in document.values or p in document.keys
        ),
        base,
    )
    line, column = document.position(where_pointer, prefer="key")
    folded = tuple(open_questions.pop(q) for q in risk.folds if q in open_questions)
    return Finding(
        kind=Kind.RISK,
        rule=risk.id,
        pack=risk.pack,
        severity=severity,
        message=risk.message.render(data),
        file=document.path,
        line=line,
        column=column,
        pointer=where_pointer,
        title=risk.title,
        why=risk.why,
        fix=risk.fix,
        references=risk.references,
        fingerprint=fingerprint(risk.id, base, raw),
        folded=folded,
    )


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
    if isinstance(value, facts_registry.LazyFacts):
        value = value.materialise()
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)
