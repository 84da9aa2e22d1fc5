"""Waivers: findings a team accepted, with a reason, an owner and an expiry date.

Written in a spec's top-level ``waivers:`` list, or in a waivers file named by the config
(each entry there also names the spec ``file`` it applies to). A waiver that holds marks the
findings it matches as suppressed: still listed, never failing the gate. An expired one
waives nothing and is an error itself; one that matches nothing is bookkeeping (info).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from consider.engine_rules import gate_docs, policy_finding
from consider.errors import ConsiderError
from consider.findings import Finding, Kind, Severity, Suppression, fingerprint
from consider.model import Spec
from consider.records import Record
from consider.text import escape_pointer_token

EXPIRED = "waiver-expired"
UNUSED = "waiver-unused"
UNKNOWN_RULE = "waiver-unknown-rule"
RULES = (EXPIRED, UNUSED, UNKNOWN_RULE)
FIELDS = ("rule", "target", "reason", "owner", "expires")
_TARGET_PREFIX = {
    "source": "sources",
    "dataset": "datasets",
    "model": "models",
    "feature": "features",
    "output": "outputs",
    "slo": "slos",
    "service": "services",
    "store": "stores",
}


class Waiver(Record):
    """One waiver, and where it is written."""

    rule: str
    target: str
    reason: str
    owner: str
    expires: str
    file: str
    line: int
    column: int
    pointer: str

    @property
    def source(self) -> str:
        """``file:line`` of the waiver."""
        return f"{self.file}:{self.line}"

    def covers(self, pointer: str) -> bool:
        """Whether a finding at ``pointer`` is about this waiver's target."""
        if self.target == "spec":
            return True
        if self.target == "product":
            base = "/product"
        else:
            prefix, _, ident = self.target.partition(":")
            base = f"/{_TARGET_PREFIX.get(prefix, prefix)}/{escape_pointer_token(ident)}"
        return pointer == base or pointer.startswith(base + "/")


def in_spec(spec: Spec) -> list[Waiver]:
    """The spec's own waivers that are complete (an incomplete one is a schema finding)."""
    written = spec.document.data.get("waivers") if isinstance(spec.document.data, dict) else None
    if not isinstance(written, list):
        return []
    found = []
    # A waiver with a schema finding (a date that is no date, say) waives nothing; the schema
    # finding says what is wrong with it, once.
    faulty = {f.pointer for f in spec.findings if f.pointer.startswith("/waivers/")}
    for index, item in enumerate(written):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in FIELDS):
            continue
        pointer = f"/waivers/{index}"
        if any(p == pointer or p.startswith(pointer + "/") for p in faulty):
            continue
        line, column = spec.document.position(pointer, prefer="value")
        found.append(_waiver(item, spec.document.path, line, column, pointer))
    return found


def read_file(path: Path, display: str) -> tuple[tuple[str, Waiver], ...]:
    """A waivers file → (the resolved path of the spec it applies to, waiver) pairs."""
    import jsonschema
    from jsonschema.exceptions import best_match

    from consider.errors import InputError
    from consider.loader import Limits, load
    from consider.resources import schema

    try:
        document = load(path, display=display, limits=Limits())
    except InputError as error:
        raise ConsiderError(
            f"waivers file: {error.message}", path=error.path, line=error.line, column=error.column
        ) from None
    waiver = dict(schema("spec")["definitions"]["waiver"])
    waiver["properties"] = {
        "file": {"type": "string", "minLength": 1},
        **waiver["properties"],
    }
    waiver["required"] = ["file", *waiver["required"]]
    file_schema = {
        "type": "object",
        "required": ["waivers"],
        "additionalProperties": False,
        "properties": {"waivers": {"type": "array", "items": waiver}},
    }
    problem = best_match(jsonschema.Draft7Validator(file_schema).iter_errors(document.data))
    if problem is not None:
        pointer = "".join(f"/{escape_pointer_token(str(p))}" for p in problem.absolute_path)
        line, column = document.position(pointer, prefer="value")
        where = ".".join(str(p) for p in problem.absolute_path) or "the file"
        raise ConsiderError(
            f"waivers file: {where}: {problem.message}; each waiver needs file, rule, target, "
            "reason, owner and expires (see docs/config.md)",
            path=display,
            line=line,
            column=column,
        )
    base = path.resolve().parent
    pairs = []
    for index, item in enumerate(document.data["waivers"]):
        pointer = f"/waivers/{index}"
        line, column = document.position(pointer, prefer="value")
        record = _waiver(item, display, line, column, pointer)
        spec = (base / item["file"]).resolve()
        if not spec.is_file():
            # A waiver that can match nothing, ever: said at once, not left to rot.
            line, column = document.position(f"{pointer}/file", prefer="value")
            raise ConsiderError(
                f"waivers file: waivers[{index}].file names {item['file']}, which does not "
                "exist (paths are relative to the waivers file); fix the path, or remove the "
                "waiver if the spec is gone",
                path=display,
                line=line,
                column=column,
            )
        pairs.append((str(spec), record))
    return tuple(pairs)


def _waiver(item: dict[str, Any], file: str, line: int, column: int, pointer: str) -> Waiver:
    return Waiver(
        item["rule"],
        item["target"],
        item["reason"],
        item["owner"],
        item["expires"],
        file,
        line,
        column,
        pointer,
    )


def apply(
    spec: Spec,
    findings: list[Finding],
    waivers: Sequence[Waiver],
    *,
    today: str,
    known: Iterable[str] = (),
) -> list[Finding]:
    """The findings with each holding waiver's matches suppressed, plus a finding for every
    waiver that has expired, matches nothing or names no rule."""
    known_rules = frozenset(known)
    result = list(findings)
    added: list[Finding] = []
    for waiver in waivers:
        if known_rules and waiver.rule not in known_rules:
            from consider.config import did_you_mean

            hint = did_you_mean(waiver.rule, known_rules, list_known=False)
            added.append(
                _finding(
                    waiver,
                    UNKNOWN_RULE,
                    Severity.ERROR,
                    f"the waiver names no rule '{waiver.rule}'{hint}; it waives nothing",
                )
            )
            continue
        matches = [
            i
            for i, f in enumerate(result)
            if f.rule == waiver.rule
            and f.kind is not Kind.QUESTION
            and f.suppressed is None
            and waiver.covers(f.pointer)
        ]
        problem = _expiry_problem(waiver.expires, today)
        if problem is not None:
            added.append(
                _finding(
                    waiver,
                    EXPIRED,
                    Severity.ERROR,
                    f"the waiver of {waiver.rule} on {waiver.target} (owner {waiver.owner}) "
                    f"{problem}; it waives nothing: fix the finding, or renew the waiver "
                    "with a new date and reason",
                )
            )
            continue
        if not matches:
            added.append(
                _finding(
                    waiver,
                    UNUSED,
                    Severity.INFO,
                    f"the waiver of {waiver.rule} on {waiver.target} matches no finding; remove it",
                )
            )
            continue
        suppression = Suppression(
            "waiver", waiver.reason, waiver.owner, waiver.expires, waiver.source
        )
        for i in matches:
            result[i] = result[i]._replace(suppressed=suppression)
    return result + added


def _expiry_problem(expires: str, today: str) -> str | None:
    try:
        last = datetime.date.fromisoformat(expires)
    except ValueError:
        return f"expires on '{expires}', which is not a date (write YYYY-MM-DD)"
    if last.isoformat() < today:
        return f"expired on {last.isoformat()}"
    return None


def _finding(waiver: Waiver, rule: str, severity: Severity, message: str) -> Finding:
    content: dict[str, Any] = dict(zip(FIELDS, waiver[:5], strict=True))
    return policy_finding(
        rule,
        severity,
        message,
        file=waiver.file,
        pointer=waiver.pointer,
        where=(waiver.line, waiver.column),
        docs=gate_docs(rule),
        fingerprint=fingerprint(rule, waiver.pointer, content),
    )
