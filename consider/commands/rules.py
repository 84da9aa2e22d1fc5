"""``consider rules list|show|validate``: the rules of the loaded packs and the engine's own,
listed, explained and checked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from consider.engine_rules import GATE_RULES, engine_rule_docs
from consider.engine_rules import PACK as SCHEMA_PACK
from consider.engine_rules import POLICY_PACK as GATE_PACK
from consider.errors import UsageError
from consider.rules import Question, Risk, RuleSet
from consider.text import closest


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of ``consider rules list``."""

    id: str
    pack: str
    kind: str
    severity: str | None
    title: str
    applies_to: tuple[str, ...]
    catalog: tuple[str, ...] = ()
    source: str = "built-in"
    """Where the rule's pack comes from: built-in, a plugin, or a file."""


def entries(rules: RuleSet) -> list[Entry]:
    """Every rule: the engine's schema rules first, then each pack's questions and risks."""
    sources = {pack.id: pack.source or f"file {pack.path}" for pack in rules.packs}
    found = [
        Entry(rule_id, SCHEMA_PACK, "schema", "error", title, ("spec",), source="engine")
        for rule_id, (title, _, _) in engine_rule_docs().items()
    ]
    found += [
        Entry(rule_id, GATE_PACK, "gate", severity, title, ("spec",), source="engine")
        for rule_id, (severity, title, _, _) in GATE_RULES.items()
    ]
    for rule in rules.rules():
        if isinstance(rule, Risk):
            found.append(
                Entry(
                    rule.id,
                    rule.pack,
                    "risk",
                    rule.severity.value,
                    rule.title,
                    rule.kinds,
                    rule.catalog,
                    sources[rule.pack],
                )
            )
        else:
            found.append(
                Entry(
                    rule.id,
                    rule.pack,
                    "question",
                    None,
                    rule.title,
                    rule.kinds,
                    rule.catalog,
                    sources[rule.pack],
                )
            )
    return found


def render_list(found: list[Entry], output_format: str) -> str:
    """The list as a table or as JSON."""
    if output_format == "json":
        return (
            json.dumps(
                [
                    {
                        "id": e.id,
                        "pack": e.pack,
                        "kind": e.kind,
                        "severity": e.severity,
                        "title": e.title,
                        "for": list(e.applies_to),
                        "catalog": list(e.catalog),
                        "source": e.source,
                    }
                    for e in found
                ],
                indent=2,
            )
            + "\n"
        )
    from tabulate import tabulate

    from consider.report import one_line

    # Pack text is untrusted: a control sequence or newline in a title must not reach the
    # terminal or start a line of its own.
    table = tabulate(
        [
            tuple(
                one_line(cell)
                for cell in (
                    e.id,
                    e.pack,
                    e.kind,
                    e.severity or "",
                    ", ".join(e.applies_to),
                    e.title,
                )
            )
            for e in found
        ],
        headers=("id", "pack", "kind", "severity", "for", "title"),
        tablefmt="simple",
    )
    risks = sum(1 for e in found if e.kind == "risk")
    questions = sum(1 for e in found if e.kind == "question")
    packs = tabulate(
        list(dict.fromkeys((e.pack, e.source) for e in found)),
        headers=("pack", "from"),
        tablefmt="simple",
    )
    gate = sum(1 for e in found if e.kind == "gate")
    return (
        f"{table}\n\n{packs}\n\n{questions} questions, {risks} risks, "
        f"{len(found) - risks - questions - gate} schema checks, {gate} gate checks\n"
    )


def render_show(rules: RuleSet, rule_id: str) -> str:
    """One rule's documentation, as text."""
    engine = engine_rule_docs()
    if rule_id in engine:
        title, why, fix = engine[rule_id]
        return _page(
            rule_id,
            title,
            [("pack", "schema (the engine's own)"), ("kind", "schema"), ("severity", "error")],
            why,
            fix,
            (),
        )
    if rule_id in GATE_RULES:
        severity, title, why, fix = GATE_RULES[rule_id]
        return _page(
            rule_id,
            title,
            [("pack", "consider (the gate's own)"), ("kind", "gate"), ("severity", severity)],
            why,
            fix,
            (),
        )
    rule = rules.find(rule_id)
    sharing = [r for r in rules.rules() if rule_id in r.catalog]
    if rule is None and sharing:
        return render_catalog(rule_id, sharing)
    if rule is None:
        known = [e.id for e in entries(rules)]
        close = closest(rule_id, known, n=3)
        hint = (
            f"; did you mean {', '.join(close)}?"
            if close
            else "; `consider rules list` shows them all"
        )
        raise UsageError(f"no rule '{rule_id}'{hint}")
    facts: list[tuple[str, str]] = [("pack", rule.pack), ("for", ", ".join(rule.kinds))]
    if rule.catalog:
        facts.append(("catalog", ", ".join(rule.catalog)))
    if isinstance(rule, Risk):
        facts.insert(1, ("kind", "risk"))
        facts.append(("severity", rule.severity.value))
        for step in rule.escalate:
            facts.append(("escalates", f"to {step.severity.value} when {step.when.expression}"))
        if rule.when is not None:
            facts.append(("fires when", rule.when.expression))
        facts.append(("message", rule.message.text))
        if rule.folds:
            facts.append(("answers", ", ".join(rule.folds)))
        body = _page(rule.id, rule.title, facts, rule.why, rule.fix, rule.references)
        if rule.example:
            from consider.report import printable

            body += f"\nExample\n\n{_indent(printable(rule.example.rstrip()))}\n"
        return body
    assert isinstance(rule, Question)
    facts.insert(1, ("kind", "question"))
    if rule.when is not None:
        facts.append(("asked when", rule.when.expression))
    facts.append(("asks", rule.ask.text))
    facts.append(("answered by", ", ".join(rule.answered_by)))
    if rule.choices:
        facts.append(("choices", ", ".join(_choice(c) for c in rule.choices)))
    return _page(rule.id, rule.title, facts, rule.why, "", rule.references)


def render_catalog(code: str, sharing: list[Question | Risk]) -> str:
    """Every rule that checks the consideration with this catalog code, as a short table."""
    from tabulate import tabulate

    rows = [
        (
            rule.id,
            rule.pack,
            "question" if isinstance(rule, Question) else rule.severity.value,
            rule.title,
        )
        for rule in sharing
    ]
    table = tabulate(rows, headers=("id", "pack", "kind", "title"), tablefmt="simple")
    lines = [f"{code}: {len(sharing)} rule(s) check this consideration", "", table]
    lines += ["", "`consider rules show ID` shows one of them in full."]
    return "\n".join(lines) + "\n"


def _page(
    rule_id: str,
    title: str,
    facts: list[tuple[str, str]],
    why: str,
    fix: str,
    references: tuple[str, ...],
) -> str:
    from consider.report import one_line, printable

    width = max(len(name) for name, _ in facts)
    lines = [one_line(f"{rule_id}: {title}"), ""]
    lines += [f"  {name.ljust(width)}  {one_line(value)}" for name, value in facts]
    lines += ["", "Why", "", _wrap(why)]
    if fix:
        lines += ["", "Fix", "", _wrap(fix)]
    if references:
        lines += ["", "References", ""] + [f"  - {one_line(r)}" for r in references]
    return printable("\n".join(lines)) + "\n"


def _wrap(text: str) -> str:
    """Prose wrapped to a terminal's width, indented, paragraph by paragraph."""
    import textwrap

    return "\n\n".join(
        textwrap.fill(
            " ".join(paragraph.split()), width=90, initial_indent="  ", subsequent_indent="  "
        )
        for paragraph in text.split("\n\n")
        if paragraph.strip()
    )


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else "" for line in text.splitlines())


def _choice(value: str | bool | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def list_rules(packs: tuple[Path, ...], *, output_format: str, plugins: bool = True) -> str:
    """``consider rules list``: every rule of the built-in, installed and ``packs`` packs,
    and where each pack comes from."""
    from consider.engine import load_rules

    return render_list(entries(load_rules(packs, plugins=plugins)), output_format)


def show_rule(packs: tuple[Path, ...], rule_id: str, *, plugins: bool = True) -> str:
    """``consider rules show``: the documentation of one rule, or of the rules that share a
    catalog code (CL-01)."""
    from consider.engine import load_rules

    return render_show(load_rules(packs, plugins=plugins), rule_id)


def validate_packs(
    paths: tuple[Path, ...], *, no_builtin_packs: bool, no_plugin_packs: bool = False
) -> str:
    """``consider rules validate``: load and index the packs, beside the built-in and
    installed ones unless told not to; an invalid pack raises."""
    from consider.engine import index, load_pack
    from consider.plugins import pack_path, pack_plugins, source_of
    from consider.resources import builtin_pack_paths

    packs = [load_pack(path) for path in paths]
    given = {path.resolve() for path in paths}
    offered = {} if no_plugin_packs else {pack_path(p): p for p in pack_plugins()}
    others = [*([] if no_builtin_packs else builtin_pack_paths()), *offered]
    beside = [
        load_pack(path, source=source_of(path, offered))
        for path in others
        if path.resolve() not in given
    ]
    index([*beside, *packs])
    total = sum(len(p.questions) + len(p.risks) for p in packs)
    return f"{len(packs)} pack(s), {total} rules: valid"


def test_packs(
    paths: tuple[str, ...],
    packs: tuple[Path, ...],
    *,
    output_format: str,
    builtin: bool,
    plugins: bool,
) -> tuple[str, bool]:
    """``consider rules test``: the report of the test specs, and whether all passed."""
    from consider import rule_tests
    from consider.engine import load_rules

    rules = load_rules(packs, builtin=builtin, plugins=plugins)
    outcome = rule_tests.run(paths, rules)
    return rule_tests.render(outcome, output_format), outcome.passed
