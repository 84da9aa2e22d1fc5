"""Rule packs: loaded, validated and compiled once (and cached on disk).

A pack is YAML (policy); this module is mechanism. Each pack file is read safely, validated
against schemas/rulepack.schema.json, its conditions and message templates compiled, the
names they read checked (consider/pack_names.py), and the rules indexed by the entity kind
they are for. The compiled rule set is cached, keyed by the packs' bytes and this code.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError

from consider import bounds
from consider.errors import InputError, PackError
from consider.findings import Severity
from consider.lazyre import LazyPattern
from consider.loader import Document, Limits, decode, parse, read_bytes
from consider.resources import builtin_pack_paths, schemas_dir
from consider.rules import (
    KINDS,
    PLACEHOLDER,
    Escalation,
    Expression,
    Pack,
    Question,
    Recommendation,
    Risk,
    RuleSet,
    Template,
)
from consider.text import closest, did_you_mean
from consider.units import FORMATTERS

ENGINE_VERSION = 1
"""The pack format version this engine reads."""

_FILTER_LIKE = LazyPattern(r"^[a-z]+$")
_X_NAME = LazyPattern(r"^(x-[A-Za-z0-9_-]+)")


# -- loading ----------------------------------------------------------------------------------


def load_rules(
    extra: Sequence[Path] = (),
    *,
    builtin: bool = True,
    plugins: bool = True,
    disabled: Sequence[str] = (),
) -> RuleSet:
    """The built-in packs and installed packages' packs (unless turned off or ``disabled``
    by id), then any extra pack files, validated and compiled.

    Parsing, validating and compiling packs costs more than checking a small spec, and a
    pre-commit hook runs on every commit; so the compiled rule set is cached on disk, keyed
    by the packs' exact bytes, where each comes from, and this version of consider (see
    :mod:`consider.cache`).
    """
    from consider import cache, cached_rules
    from consider.plugins import fact_plugins, pack_path, pack_plugins

    offered = {pack_path(p): p for p in pack_plugins() if p.name not in disabled}
    paths = [
        *(p for p in (builtin_pack_paths() if builtin else []) if p.stem not in disabled),
        *(offered if plugins else []),
        *extra,
    ]
    sources = [(p, _read_pack_bytes(p)) for p in paths]
    key = cache.key(
        "rules",
        ENGINE_VERSION,
        [
            *((f"{_source(p, offered)}\0{p}", raw) for p, raw in sources),
            *((f"facts\0{f.label()}\0{f.value}", _module_bytes(f.value)) for f in fact_plugins()),
        ],
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
    rules = _load_rules(paths, offered)
    cache.write(key, rules)
    return rules


def _load_rules(paths: Sequence[Path], offered: dict[Path, Any]) -> RuleSet:
    return index([_load_offered(path, offered) for path in paths])


def _source(path: Path, offered: dict[Path, Any]) -> str:
    from consider.plugins import source_of

    return source_of(path, offered)


def _load_offered(path: Path, offered: dict[Path, Any]) -> Pack:
    pack = load_pack(path, source=_source(path, offered))
    plugin = offered.get(path)
    if plugin is not None and pack.id != plugin.name:
        raise PackError(
            f"the pack plugin {plugin.label()} offers a pack whose id is '{pack.id}'; name "
            f"the entry point '{pack.id}', as the pack",
            path=pack.path,
        )
    return pack


def _module_bytes(module: str) -> bytes:
    """A plugin fact module's source (its facts decide which names a condition may read)."""
    from importlib.util import find_spec

    try:
        spec = find_spec(module.split(":", 1)[0].strip())
        return Path(spec.origin).read_bytes() if spec and spec.origin else b""
    except (ImportError, ValueError, OSError):
        return b""


_CACHED_CLASSES = frozenset(
    {
        ("consider.rules", name)
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


def _error_at(document: Document, pointer: str, message: str) -> PackError:
    """A problem of the pack at the value ``pointer`` names."""
    line, column = document.position(pointer, prefer="value")
    return PackError(message, path=document.path, line=line, column=column)


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


def index(packs: Sequence[Pack]) -> RuleSet:
    """Index rules by kind, after checking pack and rule ids are unique and folds name real
    questions."""
    seen: dict[str, Pack] = {}
    for pack in packs:
        if pack.id in seen:
            first = seen[pack.id]
            files = all(p.source.startswith("file ") or not p.source for p in (pack, first))
            raise PackError(
                f"pack id '{pack.id}' is also used by {first.path}"
                + (
                    "; give each pack its own id"
                    if files
                    else f" ({first.source}), beside "
                    f"this one ({pack.source}); give each pack its own id, or turn one off "
                    "(disable_packs in the config)"
                ),
                path=pack.path,
            )
        seen[pack.id] = pack
    owners: dict[str, Question | Risk] = {}
    for pack in packs:
        rules: tuple[Question | Risk, ...] = (*pack.questions, *pack.risks)
        for rule in rules:
            if rule.id in owners:
                other = owners[rule.id]
                where = (
                    ""
                    if other.pack == rule.pack
                    else f" (pack '{other.pack}', {seen[other.pack].source or 'file'})"
                )
                raise PackError(
                    f"rule id '{rule.id}' is already used in {other.file}:{other.line}{where}; "
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
                    hint = did_you_mean(
                        folded, [r for r, v in owners.items() if isinstance(v, Question)]
                    )
                    raise PackError(
                        f"rule '{risk.id}' folds '{folded}', which is not a question{hint}",
                        path=risk.file,
                        line=risk.line,
                    )
            for subsumed in risk.subsumes:
                target = owners.get(subsumed)
                if not isinstance(target, Risk) or subsumed == risk.id:
                    hint = did_you_mean(
                        subsumed, [r for r, v in owners.items() if isinstance(v, Risk)]
                    )
                    raise PackError(
                        f"rule '{risk.id}' subsumes '{subsumed}', which is not another risk{hint}",
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


def load_pack(path: Path, *, source: str = "") -> Pack:
    """One pack file → a compiled :class:`Pack`; anything wrong is a :class:`PackError`.
    ``source`` says where it comes from (built-in, a plugin, a file), for listings."""
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
    if "requires" in data:
        _check_requires(document, data["requires"])
    questions = tuple(
        _question(document, pack_id, i, body) for i, body in enumerate(data.get("questions", []))
    )
    risks = tuple(_risk(document, pack_id, i, body) for i, body in enumerate(data.get("risks", [])))
    extras = {key: value for key, value in data.items() if key.startswith("x-")}
    _check_extras(document, extras)
    return Pack(
        pack_id,
        data["title"],
        data.get("description", ""),
        shown,
        questions,
        risks,
        extras,
        source or f"file {shown}",
    )


def _check_requires(document: Document, requires: str) -> None:
    """Refuse a pack that needs another version of consider (``requires: ">=0.3"``)."""
    from consider import __version__
    from consider.versions import satisfies

    if not satisfies(__version__, requires):
        raise _error_at(
            document,
            "/requires",
            f"the pack needs consider {requires.strip()}; this is consider {__version__}: "
            "install a consider that matches, or a version of the pack made for this one",
        )


def _check_extras(document: Document, extras: dict[str, Any]) -> None:
    """Tables a fact reads from a pack (``x-phrases``) are checked when the pack loads, so a
    broken one fails `rules validate`, not a later check."""
    from consider.phrases import PHRASES_KEY, compile_phrases

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
    from consider.schema_errors import explain_pack

    problem = explain_pack(document)
    if problem is not None:
        raise problem


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
        raise _error_at(
            document,
            pointer,
            f"rule '{rule_id}': {what} nests too deeply to compile; simplify it",
        ) from None
    except JMESPathError as error:
        raise _error_at(
            document,
            pointer,
            f"rule '{rule_id}': {what} does not compile as JMESPath: {_jmespath_problem(error)}",
        ) from None
    if _negates_then_navigates(compiled.parsed):
        raise _error_at(
            document,
            pointer,
            f"rule '{rule_id}': in '{expression}', '!' applies before '.' or '[', so "
            "'!a.b' means '(!a).b', which is always null; write '!(a.b)'",
        )
    problem = _function_problem(compiled.parsed) or bounds.problem(compiled.parsed)
    if problem:
        raise _error_at(document, pointer, f"rule '{rule_id}': {what}: {problem}")
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
            close = closest(name, table)
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
    stray = PLACEHOLDER.sub("", text)
    if "{" in stray or "}" in stray:
        raise _error_at(
            document,
            pointer,
            f"rule '{rule_id}': a brace that opens or closes no placeholder in {text.strip()!r}; "
            "close the placeholder, or write {{ or }} for a literal brace",
        )
    for match in PLACEHOLDER.finditer(text):
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
            raise _error_at(
                document,
                pointer,
                f"rule '{rule_id}': the placeholder {{{raw}}} names no filter '{name}'; "
                f"the filters are {', '.join(sorted(FORMATTERS))}",
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
        "catalog": _codes(body.get("catalog")),
    }


def _codes(catalog: str | list[str] | None) -> tuple[str, ...]:
    if catalog is None:
        return ()
    return (catalog,) if isinstance(catalog, str) else tuple(catalog)


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
        subsumes=tuple(body.get("subsumes", ())),
        roots=(
            _compile(document, f"{pointer}/roots", body["id"], body["roots"])
            if "roots" in body
            else None
        ),
    )
    _check_names(
        document,
        pointer,
        risk,
        [
            ("when", risk.when),
            *((f"escalate/{j}/when", step.when) for j, step in enumerate(escalate)),
            *(("message", part[1]) for part in risk.message.parts),
            *((("roots", risk.roots),) if risk.roots is not None else ()),
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
    from consider import pack_names  # only a pack being compiled (a cache miss) needs it

    for where, compiled in expressions:
        if compiled is None:
            continue
        found = pack_names.problem(compiled.parsed, rule.kinds)
        if found:
            raise _error_at(
                document,
                f"{pointer}/{where}",
                f"rule '{rule.id}' reads a name that is never there, so it could never "
                f"{'fire' if isinstance(rule, Risk) else 'be answered or asked'}: {found}",
            )
