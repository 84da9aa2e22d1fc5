"""``consider check --explain RULE[@REF]``: why a rule fired, or stayed quiet, on an entity.

A rule's condition is JMESPath; its parsed tree (jmespath's ``parsed`` dict) is walked and
each part evaluated against the same data the engine builds (:func:`consider.engine.contexts`):
the value of every field and fact it reads (numbers shown with their unit, from the spec
schema for fields and from the fact's documentation for facts), the outcome of every
comparison and of every ``&&``, ``||`` and ``!``. For a question: its applicability, then
each path that would answer it and what the spec holds there now.

Parts below a projection or a filter are relative to list items; they are shown as one value,
not opened.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from jmespath.visitor import TreeInterpreter

from consider.engine import contexts, truthy
from consider.errors import UsageError
from consider.findings import Finding, reported
from consider.lazy import LazyMapping
from consider.model import Spec
from consider.rules import Question, Risk, RuleSet
from consider.text import did_you_mean
from consider.units import FORMATTERS
from consider.vocabulary import COLLECTIONS, PREFIX_OF, PRODUCT, REF_PREFIX

_INTERPRETER = TreeInterpreter()
_OPEN = {"and_expression", "or_expression", "not_expression", "comparator"}
_ORDERING = {"lt", "lte", "gt", "gte"}
_OPERATOR = {"eq": "==", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_DOC_UNITS = {
    "seconds": "duration",
    "a fraction": "percentage",
    "fraction": "percentage",
    "bytes": "size",
    "requests per second": "rate",
}


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why one rule did what it did on one entity."""

    rule: str
    kind: str  # risk or question
    entity: str  # a typed reference (output:home-rows) or "product"
    file: str
    line: int
    column: int
    outcome: str  # fired, quiet, asked, answered, not asked
    lines: tuple[tuple[int, str], ...]
    """(depth, text) lines: the condition part by part, the answering paths, and so on."""

    def as_json(self) -> dict[str, Any]:
        """The explanation in the JSON report."""
        return {
            "rule": self.rule,
            "kind": self.kind,
            "entity": self.entity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "outcome": self.outcome,
            "lines": ["  " * depth + text for depth, text in self.lines],
        }


def parse_target(text: str, rules: RuleSet) -> tuple[Question | Risk, str | None]:
    """``RULE`` or ``RULE@REF`` → the rule and the reference (None: where it reported)."""
    rule_id, at, ref = text.partition("@")
    rule = rules.find(rule_id)
    if rule is None:
        hint = did_you_mean(rule_id, [r.id for r in rules.rules()])
        raise UsageError(f"--explain names no rule '{rule_id}'{hint}")
    if at and not ref:
        raise UsageError(f"--explain {text}: name the entity after '@', such as output:home-rows")
    if ref:
        _split(ref, rule)  # a malformed reference, or one of a kind the rule is not for
    return rule, (ref or None) if at else None


def explain(
    spec: Spec, rules: RuleSet, rule: Question | Risk, ref: str | None, findings: list[Finding]
) -> list[Explanation]:
    """The rule on the entity ``ref`` names, or on every entity it reported on."""
    kinds = set(rule.kinds)
    ours = [f for f in reported(findings) if f.rule == rule.id]
    wanted_kind, wanted_id = _split(ref, rule) if ref is not None else (None, None)
    found: list[Explanation] = []
    seen_entity = False
    for kind, ident, pointer, _raw, data in contexts(spec, rules, kinds):
        if wanted_kind is not None:
            if (kind, ident) != (wanted_kind, wanted_id):
                continue
            seen_entity = True
        entity = "product" if kind == PRODUCT else f"{_prefix(kind)}:{ident}"
        mine = [f for f in ours if f.pointer == pointer or f.pointer.startswith(pointer + "/")]
        if wanted_kind is None and not mine:
            continue
        line, column = spec.document.position(pointer, prefer="key")
        if isinstance(rule, Risk):
            found.append(_explain_risk(rule, kind, entity, spec, line, column, data))
        else:
            found.append(_explain_question(rule, kind, entity, spec, line, column, data, mine))
    if wanted_kind is not None and not seen_entity:
        known = [
            f"{PREFIX_OF[k]}:{e.id}" for k in rule.kinds if k != PRODUCT for e in spec.entities(k)
        ]
        raise UsageError(
            f"--explain {rule.id}@{ref}: {spec.document.path} has no {ref}"
            f"{did_you_mean(ref or '', known)}"
        )
    return found


def _prefix(kind: str) -> str:
    """How an entity of ``kind`` is named: its reference prefix (SLOs have none: ``slo``)."""
    return PREFIX_OF.get(kind, kind.removesuffix("s"))


def _split(ref: str, rule: Question | Risk) -> tuple[str, str]:
    if ref == PRODUCT:
        kind, ident = PRODUCT, "product"
    else:
        prefix, colon, ident = ref.partition(":")
        kind = REF_PREFIX.get(prefix) or (f"{prefix}s" if f"{prefix}s" in COLLECTIONS else "")
        if not colon or not kind:
            raise UsageError(
                f"--explain {rule.id}@{ref}: write the entity as a typed reference, such as "
                "output:home-rows, or 'product'"
            )
    if kind not in rule.kinds:
        raise UsageError(
            f"--explain {rule.id}@{ref}: the rule is for {', '.join(rule.kinds)}, not {kind}"
        )
    return kind, ident


def _explain_risk(
    rule: Risk,
    kind: str,
    entity: str,
    spec: Spec,
    line: int,
    column: int,
    data: dict[str, Any],
) -> Explanation:
    fired = rule.when is None or truthy(rule.when.search(data))
    lines: list[tuple[int, str]] = []
    if rule.when is None:
        lines.append((0, "no condition: fires on every entity it is for"))
    else:
        lines += _condition("when", rule.when.parsed, rule.when.expression, data, kind)
    outcome = "fired" if fired else "quiet"
    if fired:
        severity = rule.severity
        for step in rule.escalate:
            lines += _condition("escalate", step.when.parsed, step.when.expression, data, kind)
            if truthy(step.when.search(data)):
                severity = step.severity
                lines.append((1, f"so the severity is {step.severity.value}"))
                break
        outcome = f"fired, {severity.value}"
        lines.append((0, f"message: {rule.message.render(data)}"))
    return Explanation(
        rule.id, "risk", entity, spec.document.path, line, column, outcome, tuple(lines)
    )


def _explain_question(
    rule: Question,
    kind: str,
    entity: str,
    spec: Spec,
    line: int,
    column: int,
    data: dict[str, Any],
    mine: list[Finding],
) -> Explanation:
    lines: list[tuple[int, str]] = []
    applies = rule.when is None or truthy(rule.when.search(data))
    if rule.when is not None:
        lines += _condition("asked when", rule.when.parsed, rule.when.expression, data, kind)
    lines.append((0, f"answered by any of: {', '.join(rule.answered_by)}"))
    answered = False
    for path, compiled in zip(rule.answered_by, rule.answer_paths, strict=True):
        value = compiled.search(data)
        answered = answered or value is not None
        lines.append((1, f"{path} = {_value(value, _unit(path.split('.'), kind))}"))
    if not applies:
        outcome = "not asked (its condition does not hold)"
    elif answered:
        outcome = "answered"
    else:
        status = mine[0].status.value if mine and mine[0].status is not None else "open"
        outcome = f"asked ({status})"
        choices = " | ".join(_literal(c) for c in rule.choices)
        lines.append(
            (0, f"to answer it, write {rule.answered_by[0]}" + (f": {choices}" if choices else ""))
        )
    return Explanation(
        rule.id, "question", entity, spec.document.path, line, column, outcome, tuple(lines)
    )


def _condition(
    label: str, node: Any, expression: str, data: dict[str, Any], kind: str
) -> list[tuple[int, str]]:
    value = _INTERPRETER.visit(node, data)
    lines = [(0, f"{label}: {' '.join(expression.split())}  → {_truth(value)}")]
    lines += _parts(node, data, kind, 1, root=True)
    return lines


def _parts(
    node: Any, data: dict[str, Any], kind: str, depth: int, *, root: bool = False
) -> list[tuple[int, str]]:
    """One line per part of ``node`` that says something: its value, or its outcome."""
    kind_of = node.get("type")
    children = node.get("children") or []
    if kind_of == "comparator":
        return [(depth, _comparison(node, data, kind)), *_reads(children, data, kind, depth + 1)]
    if kind_of in ("and_expression", "or_expression", "not_expression"):
        # The condition's own line already gives the outcome of its outermost part.
        lines = [] if root else [(depth, f"{_text(node)}  → {_truth(_visit(node, data))}")]
        for child in children:
            lines += _parts(child, data, kind, depth if root else depth + 1)
        return lines
    if kind_of == "literal":
        return []
    return [(depth, _read(node, data, kind))]


def _reads(
    children: list[Any], data: dict[str, Any], kind: str, depth: int
) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    for child in children:
        if child.get("type") in _OPEN:
            lines += _parts(child, data, kind, depth)
        elif child.get("type") != "literal":
            lines.append((depth, _read(child, data, kind)))
    return lines


def _comparison(node: Any, data: dict[str, Any], kind: str) -> str:
    left, right = node["children"]
    lvalue, rvalue = _visit(left, data), _visit(right, data)
    result = _visit(node, data)
    operator = _OPERATOR.get(node["value"], node["value"])
    shown = (
        f"{_value(lvalue, _unit_of(left, kind), brief=True)} {operator} "
        f"{_value(rvalue, _unit_of(right, kind) or _unit_of(left, kind), brief=True)}"
    )
    if result is None and node["value"] in _ORDERING:
        missing = [_text(side) for side, v in ((left, lvalue), (right, rvalue)) if not _number(v)]
        why = f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not a number"
        return f"{_text(node)}  → null: {why}, so it cannot hold"
    verdict = "holds" if result else "does not hold"
    return f"{_text(node)}  → {_truth(result)}: {shown} {verdict}"


def _read(node: Any, data: dict[str, Any], kind: str) -> str:
    return f"{_text(node)} = {_value(_visit(node, data), _unit_of(node, kind))}"


def _visit(node: Any, data: dict[str, Any]) -> Any:
    return _INTERPRETER.visit(node, data)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _truth(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null (false)"
    return f"{_value(value, None, brief=True)} ({'true' if truthy(value) else 'false'})"


def _value(value: Any, unit: str | None, *, brief: bool = False) -> str:
    if value is None:
        return "null" if brief else "null (not in the spec)"
    if _number(value):
        whole = isinstance(value, int) or value.is_integer()
        text = str(int(value)) if whole else f"{value:.6g}"
        if unit in FORMATTERS:
            return f"{text} ({FORMATTERS[unit](float(value))})"
        return text
    if isinstance(value, LazyMapping):
        value = dict(value.materialise())
    try:
        text = json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _literal(value: Any) -> str:
    return "true" if value is True else "false" if value is False else str(value)


# -- units --------------------------------------------------------------------------------------


def _chain(node: Any) -> list[str] | None:
    if node.get("type") == "field":
        return [str(node["value"])]
    if node.get("type") == "subexpression":
        names = []
        for child in node.get("children") or []:
            if child.get("type") != "field":
                return None
            names.append(str(child["value"]))
        return names
    return None


def _unit_of(node: Any, kind: str) -> str | None:
    chain = _chain(node)
    return _unit(chain, kind) if chain else None


def _unit(chain: list[str], kind: str) -> str | None:
    """The unit of the number a chain of names reads: from the spec schema for a field, from
    the fact's documentation (``worst`` (seconds...)) for a fact."""
    if chain[0] == "_facts" and len(chain) >= 2:
        return _fact_unit(kind, chain[1], chain[-1] if len(chain) > 2 else None)
    if chain[0] == "_product":
        return _field_unit(PRODUCT, chain[1:])
    if chain[0].startswith("_"):
        return None
    return _field_unit(kind, chain)


def _fact_unit(kind: str, fact: str, part: str | None) -> str | None:
    from consider.facts import registry

    doc = next((d.doc for d in registry() if d.kind == kind and d.name == fact), "")
    if part is None:
        match = re.match(r"^[^(]*\((seconds|a fraction|bytes|requests per second)\b", doc)
    else:
        if part in ("seconds",):
            return "duration"
        match = re.search(
            rf"`{re.escape(part)}` \((seconds|a fraction|fraction|bytes|requests per second)\b",
            doc,
        )
    return _DOC_UNITS.get(match[1]) if match else None


def _field_unit(kind: str, names: list[str]) -> str | None:
    from consider import model

    root = model.spec_shape()
    shape = _one(root.properties.get(kind))
    if kind != PRODUCT and isinstance(shape, model.ObjectShape):
        shape = next((s for p, s in shape.patterns if not p.pattern.startswith("^x-")), None)
    for name in names:
        shape = _one(shape)
        options = shape.options if isinstance(shape, model.ChoiceShape) else [shape]
        shape = next(
            (
                o.properties[name]
                for o in map(_one, options)
                if isinstance(o, model.ObjectShape) and name in o.properties
            ),
            None,
        )
        if shape is None:
            return None
    shape = _one(shape)
    options = shape.options if isinstance(shape, model.ChoiceShape) else [shape]
    units = {o.name for o in map(_one, options) if isinstance(o, model.UnitShape)}
    return units.pop() if len(units) == 1 else None


def _one(shape: Any) -> Any:
    from consider import model

    while isinstance(shape, model.ChoiceShape) and len(shape.options) == 1:
        shape = shape.options[0]
    return shape


# -- the condition written back -----------------------------------------------------------------


def _text(node: Any) -> str:
    """A parsed JMESPath expression written back as text (equivalent, not byte for byte)."""
    kind = node.get("type")
    children = node.get("children") or []
    value = node.get("value")
    if kind == "field":
        name = str(value)
        return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else json.dumps(name)
    if kind == "subexpression":
        return ".".join(_text(c) for c in children)
    if kind == "literal":
        return f"'{value}'" if isinstance(value, str) else f"`{json.dumps(value)}`"
    if kind == "comparator":
        return f"{_text(children[0])} {_OPERATOR.get(value, value)} {_text(children[1])}"
    if kind == "and_expression":
        return f"{_wrap(children[0], kind)} && {_wrap(children[1], kind)}"
    if kind == "or_expression":
        return f"{_wrap(children[0], kind)} || {_wrap(children[1], kind)}"
    if kind == "not_expression":
        inner = children[0]
        simple = inner.get("type") in ("field", "function_expression", "literal")
        return f"!{_text(inner)}" if simple else f"!({_text(inner)})"
    if kind == "function_expression":
        return f"{value}({', '.join(_text(c) for c in children)})"
    if kind == "current":
        return "@"
    if kind == "identity":
        return "@"
    if kind == "expref":
        return f"&{_text(children[0])}"
    if kind == "index_expression":
        return "".join(_text(c) for c in children)
    if kind == "index":
        return f"[{value}]"
    if kind == "pipe":
        return f"{_text(children[0])} | {_text(children[1])}"
    if kind == "flatten":
        return f"{_text(children[0])}[]"
    if kind in ("projection", "value_projection", "filter_projection"):
        left = _text(children[0]) if children[0].get("type") != "identity" else ""
        right = children[-1]
        tail = "" if right.get("type") == "identity" else f".{_text(right)}"
        if kind == "projection":
            return f"{left.removesuffix('[]')}[*]{tail}"
        if kind == "value_projection":
            return f"{left}.*{tail}"
        return f"{left}[?{_text(children[1])}]{tail}"
    if kind == "multi_select_list":
        return f"[{', '.join(_text(c) for c in children)}]"
    if kind == "multi_select_hash":
        return "{" + ", ".join(f"{c['value']}: {_text(c['children'][0])}" for c in children) + "}"
    if kind == "slice":
        return "[" + ":".join("" if v is None else str(v) for v in children) + "]"
    return f"<{kind}>"


def _wrap(node: Any, parent: str) -> str:
    text = _text(node)
    if node.get("type") == "or_expression" and parent == "and_expression":
        return f"({text})"
    return text


# -- output -------------------------------------------------------------------------------------


def render(explanations: list[Explanation]) -> str:
    """The explanations as text, one block each."""
    blocks = []
    for item in explanations:
        head = (
            f"explain {item.rule} ({item.kind}) on {item.entity} at "
            f"{item.file}:{item.line}:{item.column}: {item.outcome}"
        )
        blocks.append("\n".join([head, *("  " * (d + 1) + t for d, t in item.lines)]))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def explain_result(
    result: Any,
    rules: RuleSet,
    wanted: list[tuple[Question | Risk, str | None]],
    limits: Any,
) -> list[Explanation]:
    """The explanations for every checked spec of a run (each read again: a run keeps no
    spec), rule by rule in the order asked."""
    from pathlib import Path

    from consider.check import read_spec

    found: list[Explanation] = []
    for file in result.files:
        if file.error is not None or not Path(file.path).is_file():
            continue  # unreadable, or standard input, which cannot be read twice
        try:
            spec = read_spec(Path(file.path), display=file.path, limits=limits)
        except OSError:
            continue
        if not spec.is_spec:
            continue
        for rule, ref in wanted:
            found.extend(explain(spec, rules, rule, ref, list(file.findings)))
    return found
