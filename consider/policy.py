"""What a team decided about findings, applied to one spec's findings after evaluation.

The config's rule settings (a severity, or off), waivers (in the spec or a waivers file), the
baseline, and whether open questions fail the gate. Rules and packs stay as written: this is
the one place their verdicts are adjusted, so every output format sees the same result.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from consider import waivers as waiving
from consider.baseline import Baseline
from consider.baseline import apply as apply_baseline
from consider.engine_rules import gate_docs, policy_finding
from consider.findings import Finding, Kind, Severity, counts
from consider.model import Spec
from consider.records import Record

OPEN_QUESTIONS = "open-questions"
POLICY_RULES = (OPEN_QUESTIONS,)


class Policy(Record):
    """Everything :func:`apply` needs, plain data (a worker process may receive it)."""

    rules: tuple[tuple[str, str], ...] = ()
    """(rule id, ``error``, ``warning``, ``info`` or ``off``) pairs."""
    questions: str | int = "never"
    """``never``, ``any``, ``tier-1``, or fail above this many open questions."""
    source: str = ""
    """The config file the settings come from, named in messages."""
    waivers: tuple[tuple[str, waiving.Waiver], ...] = ()
    """Waivers from a waivers file, each with the resolved path of the spec it applies to."""
    today: str = ""
    """The date waivers are judged on (ISO); empty: the real date."""
    known_rules: tuple[str, ...] = ()
    """Every rule id a waiver may name; empty: not checked."""
    baseline: Baseline | None = None
    """The baseline whose findings do not fail the gate."""


NO_POLICY = Policy()


def apply(spec: Spec, findings: list[Finding], policy: Policy) -> list[Finding]:
    """The findings with the policy applied, sorted. Settings, waivers and the baseline see
    every finding of a group on its own; the groups are then made again, so that a waived
    or baselined primary carries its whole group."""
    flat, groups = _ungroup(findings)
    adjusted = _settings(flat, dict(policy.rules))
    gate = _question_gate(spec, adjusted, policy)
    if gate is not None:
        adjusted.append(gate)
    here = str(Path(spec.document.path).resolve())
    waivers = [*waiving.in_spec(spec), *(w for path, w in policy.waivers if path == here)]
    if waivers:
        today = policy.today or datetime.date.today().isoformat()
        adjusted = waiving.apply(spec, adjusted, waivers, today=today, known=policy.known_rules)
    if policy.baseline is not None:
        adjusted = apply_baseline(spec, adjusted, policy.baseline)
    adjusted = _regroup(adjusted, groups)
    adjusted.sort(key=Finding.sort_key)
    return adjusted


def _ungroup(findings: list[Finding]) -> tuple[list[Finding], list[tuple[str, list[str]]]]:
    """The findings one by one, and each group as (primary, members) by fingerprint."""
    flat: list[Finding] = []
    groups: list[tuple[str, list[str]]] = []
    for finding in findings:
        flat.append(finding._replace(subsumed=()))
        if finding.subsumed:
            flat.extend(finding.subsumed)
            groups.append((finding.fingerprint, [m.fingerprint for m in finding.subsumed]))
    return flat, groups


def _regroup(flat: list[Finding], groups: list[tuple[str, list[str]]]) -> list[Finding]:
    """Groups made again where their primary is still reported (a primary turned off in
    the config lets its members stand alone), as the most severe of their members."""
    if not groups:
        return flat
    where = {f.fingerprint: i for i, f in enumerate(flat) if f.fingerprint}
    inside: dict[int, list[int]] = {}
    taken: set[int] = set()
    for primary, members in groups:
        if primary not in where:
            continue
        found = [where[m] for m in members if m in where]
        inside[where[primary]] = found
        taken.update(found)
    result: list[Finding] = []
    for i, finding in enumerate(flat):
        if i in taken:
            continue
        members_here = [flat[j] for j in inside.get(i, ())]
        if members_here:
            ranked = [f for f in (finding, *members_here) if f.severity is not None]
            worst = max(ranked, key=lambda f: f.severity.rank if f.severity else 0)
            finding = finding._replace(subsumed=tuple(members_here), severity=worst.severity)
        result.append(finding)
    return result


def _settings(findings: list[Finding], rules: dict[str, str]) -> list[Finding]:
    if not rules:
        return list(findings)
    kept: list[Finding] = []
    for finding in findings:
        setting = rules.get(finding.rule)
        folded = tuple(q for q in finding.folded if rules.get(q.rule) != "off")
        if setting == "off":
            kept.extend(folded)  # the questions a turned-off risk answered are asked again
            continue
        if setting is not None and finding.kind is not Kind.QUESTION:
            finding = finding._replace(severity=Severity(setting))
        if folded != finding.folded:
            finding = finding._replace(folded=folded)
        kept.append(finding)
    return kept


def _question_gate(spec: Spec, findings: list[Finding], policy: Policy) -> Finding | None:
    rule = policy.questions
    if rule == "never":
        return None
    # counted as the summary counts them, those shown inside a risk included; tbd ones are
    # acknowledged, not open
    total = counts(findings)
    open_count = total["questions"] - total["acknowledged"]
    setting = f"fail_on_questions: {rule}"
    if rule == "any" or (rule == "tier-1" and spec.product.get("tier") == 1):
        if open_count == 0:
            return None
        why = "any open question fails the gate" + (" of a tier-1 product" if rule != "any" else "")
    elif isinstance(rule, int) and not isinstance(rule, bool) and open_count > rule:
        why = f"more than {rule} open question(s) fail the gate"
    else:
        return None
    where = f" in {policy.source}" if policy.source else ""
    return policy_finding(
        OPEN_QUESTIONS,
        Severity.ERROR,
        f"{open_count} open question(s), and {why} ({setting}{where}); "
        "answer them, or write tbd where the answer is not known yet",
        file=spec.document.path,
        pointer="/product" if "/product" in spec.document.keys else "",
        where=spec.document.position("/product", prefer="key"),
        docs=gate_docs(OPEN_QUESTIONS),
    )
