"""The rule reference and the facts reference, generated from the packs and the facts registry.

``docs/rules.md`` documents every rule as ruff documents its own: what it checks, why it
matters, what to do instead, an example where the pack gives one, and references.
``docs/facts.md`` lists every fact a condition can read under ``_facts``. Both are written by
``python -m tools.regen`` and kept up to date by a test.
"""

from __future__ import annotations

import inspect

from consider.engine_rules import engine_rule_docs
from consider.facts import registry
from consider.rules import KINDS, Question, Risk, RuleSet
from consider.text import markdown_cell as _cell


def rules_reference(rules: RuleSet) -> str:
    """Markdown documenting every rule of ``rules`` and the engine's own schema checks."""
    out = [
        "# Rule reference",
        "",
        "Generated from `rules/*.yaml` by `python -m tools.regen`; do not edit by hand.",
        "`consider rules show ID` prints the same for one rule.",
        "",
        "| pack | questions | risks |",
        "| --- | --- | --- |",
    ]
    for pack in rules.packs:
        out.append(f"| [{pack.id}](#{pack.id}) | {len(pack.questions)} | {len(pack.risks)} |")
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
    for pack in rules.packs:
        out += [f"## {pack.id}", "", f"**{pack.title}.** {_cell(pack.description)}", ""]
        if pack.questions:
            out += [
                "### Questions",
                "",
                "| id | for | asks | answered by |",
                "| --- | --- | --- | --- |",
            ]
            for question in pack.questions:
                out.append(
                    f"| `{question.id}` | {', '.join(question.kinds)} | "
                    f"{_cell(question.ask.text)} | "
                    f"{', '.join(f'`{p}`' for p in question.answered_by)} |"
                )
            out.append("")
            for question in pack.questions:
                out += _question(question)
        if pack.risks:
            out += ["### Risks", ""]
            for risk in pack.risks:
                out += _risk(risk)
    return "\n".join(out).rstrip() + "\n"


def _question(question: Question) -> list[str]:
    out = [f"#### `{question.id}`", "", f"{question.title}. *{_cell(question.ask.text)}*", ""]
    if question.when is not None:
        out += [f"Asked when `{question.when.expression}`.", ""]
    if question.choices:
        out += [f"Choices: {', '.join(f'`{_yaml_scalar(c)}`' for c in question.choices)}.", ""]
    out += [f"**Why.** {_cell(question.why)}", ""]
    out += _references(question.references)
    return out


def _risk(risk: Risk) -> list[str]:
    severity = f"`{risk.severity.value}`"
    for step in risk.escalate:
        severity += f"; `{step.severity.value}` when `{step.when.expression}`"
    out = [
        f"#### `{risk.id}`",
        "",
        f"{risk.title}.",
        "",
        f"- **for**: {', '.join(risk.kinds)}",
        f"- **severity**: {severity}",
    ]
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
        out += ["**Example.**", "", "```yaml", risk.example.rstrip(), "```", ""]
    out += _references(risk.references)
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
