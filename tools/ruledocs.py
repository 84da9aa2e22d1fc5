"""The rule reference and the facts reference, generated from the packs and the facts registry.

``docs/rules/`` documents every rule as ruff documents its own, one page per pack: what it
checks, why it matters, what to do instead, an example that fires and one that does not
(taken from the test specs, see tools/rule_examples.py), and references.
``docs/facts.md`` lists every fact a condition can read under ``_facts``. Both are written by
``python -m tools.regen`` and kept up to date by a test.
"""

from __future__ import annotations

import inspect

from consider.engine_rules import engine_rule_docs
from consider.facts import registry
from consider.rules import KINDS, Pack, Question, Risk, RuleSet
from consider.text import markdown_cell as _cell
from tools.rule_examples import Examples


def rules_pages(rules: RuleSet, examples: Examples) -> dict[str, str]:
    """Markdown pages under docs/rules/, by file name: an index (README.md, with the engine's
    own schema checks) and one page per pack."""
    pages = {"README.md": _index(rules)}
    for pack in rules.packs:
        pages[f"{pack.id}.md"] = _pack_page(pack, examples)
    return pages


def _index(rules: RuleSet) -> str:
    out = [
        "# Rule reference",
        "",
        "Generated from `rules/*.yaml` by `python -m tools.regen`; do not edit by hand.",
        "One page per pack; `consider rules show ID` prints the same for one rule, and",
        "`consider rules show CL-01` lists the rules that share a catalog code.",
        "",
        "| pack | what it covers | questions | risks |",
        "| --- | --- | --- | --- |",
    ]
    for pack in rules.packs:
        out.append(
            f"| [{pack.id}]({pack.id}.md) | {_cell(pack.title)} | {len(pack.questions)} | "
            f"{len(pack.risks)} |"
        )
    out += [
        "",
        "## schema",
        "",
        "The engine's own checks, made while the spec is loaded and validated; kind "
        "`schema`, severity `error`.",
        "",
    ]
    for rule_id, (title, why, fix) in engine_rule_docs().items():
        out += [
            f"### `{rule_id}`",
            "",
            f"{title}.",
            "",
            f"**Why.** {why}",
            "",
            f"**Fix.** {fix}",
            "",
        ]
    return "\n".join(out).rstrip() + "\n"


def _pack_page(pack: Pack, examples: Examples) -> str:
    out = [
        f"# {pack.id}: {pack.title}",
        "",
        "Generated from `rules/*.yaml` and the test specs by `python -m tools.regen`; do not "
        "edit by hand. [All packs](README.md).",
        "",
    ]
    if pack.description:
        out += [_cell(pack.description), ""]
    rules: list[Question | Risk] = [*pack.questions, *pack.risks]
    out += ["| rule | kind | title |", "| --- | --- | --- |"]
    for rule in rules:
        kind = "question" if isinstance(rule, Question) else f"risk ({rule.severity.value})"
        out.append(f"| [`{rule.id}`](#{rule.id}) | {kind} | {_cell(rule.title)} |")
    out.append("")
    for rule in rules:
        out += _question(rule) if isinstance(rule, Question) else _risk(rule)
        out += _examples(rule, examples)
        out += _references(rule.references)
    return "\n".join(out).rstrip() + "\n"


def _head(rule: Question | Risk) -> list[str]:
    facts = [f"- **for**: {', '.join(rule.kinds)}"]
    if rule.catalog:
        facts.append(f"- **catalog**: {', '.join(rule.catalog)}")
    return [f"## {rule.id}", "", f"{rule.title}.", "", *facts]


def _question(question: Question) -> list[str]:
    out = [*_head(question), f"- **asks**: *{_cell(question.ask.text)}*"]
    if question.when is not None:
        out.append(f"- **asked when**: `{question.when.expression}`")
    out.append(f"- **answered by**: {', '.join(f'`{p}`' for p in question.answered_by)}")
    if question.choices:
        out.append(f"- **choices**: {', '.join(f'`{_yaml_scalar(c)}`' for c in question.choices)}")
    out += ["", f"**Why.** {_cell(question.why)}", ""]
    return out


def _risk(risk: Risk) -> list[str]:
    severity = f"`{risk.severity.value}`"
    for step in risk.escalate:
        severity += f"; `{step.severity.value}` when `{step.when.expression}`"
    out = [*_head(risk), f"- **severity**: {severity}"]
    if risk.when is not None:
        out.append(f"- **fires when**: `{risk.when.expression}`")
    out.append(f"- **message**: {_cell(risk.message.text)}")
    if risk.folds:
        out.append(f"- **answers**: {', '.join(f'`{q}`' for q in risk.folds)}")
    if risk.subsumes:
        shown = ", ".join(f"`{r}`" for r in risk.subsumes)
        roots = f" (also on `{risk.roots.expression}`)" if risk.roots is not None else ""
        out.append(f"- **reports inside it, as related**: {shown}, on the same entity{roots}")
    out += ["", f"**Why.** {_cell(risk.why)}", "", f"**Fix.** {_cell(risk.fix)}", ""]
    if risk.example:
        out += ["**In the pack's words.**", "", "```yaml", risk.example.rstrip(), "```", ""]
    return out


def _examples(rule: Question | Risk, examples: Examples) -> list[str]:
    out: list[str] = []
    verb = "asked" if isinstance(rule, Question) else "reported"
    firing = examples.firing.get(rule.id)
    if firing is not None:
        out += [
            f"**Example: {verb}** (from `{firing.source}`, line {firing.line}: "
            f"{_cell(firing.message)})",
            "",
            "```yaml",
            firing.text.rstrip(),
            "```",
            "",
        ]
    quiet = examples.quiet.get(rule.id)
    if quiet is not None:
        out += [f"**Example: not {verb}** (from `{quiet.source}`)", "", "```yaml"]
        out += [quiet.text.rstrip(), "```", ""]
    return out


def _references(references: tuple[str, ...]) -> list[str]:
    if not references:
        return []
    return ["**References.**", "", *[f"- {r}" for r in references], ""]


def facts_reference() -> str:
    """Markdown listing every registered fact, by entity kind."""
    out = [
        "# Facts reference",
        "",
        "Figures computed in Python and offered to rule conditions under `_facts` (see",
        "[packs.md](packs.md)). Generated from `consider/facts/` by `python -m tools.regen`;",
        "do not edit by hand.",
        "",
    ]
    definitions = registry()
    for kind in KINDS:
        mine = [d for d in definitions if d.kind == kind]
        if not mine:
            continue
        out += [f"## {kind}", "", "| fact | what it is | module |", "| --- | --- | --- |"]
        for definition in mine:
            doc = definition.doc or inspect.getdoc(definition.compute) or ""
            out.append(f"| `_facts.{definition.name}` | {_cell(doc)} | `{definition.module}` |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _yaml_scalar(value: str | bool | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
