"""Baselines: today's findings recorded by fingerprint, so a gate fails only on new ones.

The file is JSON, versioned, written with sorted keys and entries so that it diffs well::

    {"tool": "consider", "baseline": 1,
     "files": {"specs/home.yaml": [{"rule": ..., "pointer": ..., "fingerprint": ...}]}}

Spec paths are relative to the baseline file's folder. A fingerprint is the rule, the entity's
pointer and a hash of the entity's content (see :func:`consider.findings.fingerprint`): lines
inserted elsewhere keep a finding baselined, a changed entity makes it new. Entries that no
longer match are reported (``baseline-stale``, bookkeeping), so a baseline only shrinks.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from consider.engine_rules import gate_docs, policy_finding
from consider.errors import ConsiderError
from consider.findings import (
    BOOKKEEPING,
    Finding,
    Kind,
    Severity,
    Suppression,
    fingerprint,
    flatten,
)
from consider.model import Spec
from consider.records import Record
from consider.waivers import RULES as WAIVER_RULES

if TYPE_CHECKING:
    from consider.result import Result

VERSION = 1
STALE = "baseline-stale"


class Entry(Record):
    """One recorded finding."""

    rule: str
    pointer: str
    fingerprint: str


class Baseline(Record):
    """A read baseline: entries by the resolved path of the spec they belong to."""

    source: str
    """The baseline file as shown in messages."""
    files: tuple[tuple[str, tuple[Entry, ...]], ...] = ()

    def entries(self, spec_path: str) -> tuple[Entry, ...]:
        """The entries recorded for one spec (by its resolved path)."""
        return next((e for path, e in self.files if path == spec_path), ())


def recordable(finding: Finding) -> bool:
    """Whether a finding goes into a baseline: risks and schema findings that are not
    waived, have a fingerprint, and are not about the gate's own records (an expired
    waiver stays visible until someone decides anew)."""
    return (
        finding.kind is not Kind.QUESTION
        and finding.suppressed is None
        and bool(finding.fingerprint)
        and finding.rule not in BOOKKEEPING
        and finding.rule not in WAIVER_RULES
    )


# -- reading ----------------------------------------------------------------------------------


def _parse(path: Path, shown: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConsiderError(
            "baseline file not found; write it with `consider check --write-baseline FILE`",
            path=shown,
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConsiderError(f"cannot read the baseline: {error}", path=shown) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConsiderError(
            f"not a consider baseline: {error.msg}",
            path=shown,
            line=error.lineno,
            column=error.colno,
        ) from None
    if not _is_baseline(data):
        raise ConsiderError(
            'not a consider baseline (it needs "tool": "consider", "baseline": 1 and '
            '"files"); write one with `consider check --write-baseline FILE`',
            path=shown,
        )
    if data["baseline"] > VERSION:
        raise ConsiderError(
            f"the baseline is format {data['baseline']}; this consider reads format {VERSION}: "
            "upgrade consider",
            path=shown,
        )
    return data  # type: ignore[no-any-return]


def _is_baseline(data: Any) -> bool:
    if not isinstance(data, dict) or data.get("tool") != "consider":
        return False
    if not isinstance(data.get("baseline"), int) or not isinstance(data.get("files"), dict):
        return False
    return all(
        isinstance(entries, list)
        and all(
            isinstance(e, dict) and all(isinstance(e.get(k), str) for k in Entry._fields)
            for e in entries
        )
        for entries in data["files"].values()
    )


def read(path: Path, shown: str) -> Baseline:
    """A baseline file; anything that is not one is a ConsiderError (exit 2)."""
    data = _parse(path, shown)
    base = path.resolve().parent
    files = tuple(
        (
            str((base / name).resolve()),
            tuple(Entry(e["rule"], e["pointer"], e["fingerprint"]) for e in entries),
        )
        for name, entries in sorted(data["files"].items())
    )
    return Baseline(shown, files)


# -- applying ---------------------------------------------------------------------------------


def apply(spec: Spec, findings: list[Finding], baseline: Baseline) -> list[Finding]:
    """The findings with the recorded ones suppressed, plus one ``baseline-stale`` finding
    for each entry that matched nothing."""
    entries = baseline.entries(str(Path(spec.document.path).resolve()))
    if not entries:
        return findings
    left = Counter(e.fingerprint for e in entries)
    result = list(findings)
    suppression = Suppression("baseline", source=baseline.source)
    for index, finding in enumerate(result):
        # A waived finding still uses up its entry (it fires; the waiver, with its owner and
        # expiry, is the better record of why it is accepted), so the entry is not stale.
        waived = finding.suppressed is not None
        if recordable(finding._replace(suppressed=None)) and left[finding.fingerprint] > 0:
            left[finding.fingerprint] -= 1
            if not waived:
                result[index] = finding._replace(suppressed=suppression)
    for entry in entries:
        if left[entry.fingerprint] <= 0:
            continue
        left[entry.fingerprint] -= 1
        result.append(
            policy_finding(
                STALE,
                Severity.INFO,
                f"the baseline {baseline.source} records {entry.rule} at "
                f"{entry.pointer or '/'}, which no longer fires here (fixed, or the "
                "entity changed); write the baseline again to drop it",
                file=spec.document.path,
                pointer=entry.pointer,
                where=spec.document.position(entry.pointer, prefer="key"),
                docs=gate_docs(STALE),
                fingerprint=fingerprint(STALE, entry.pointer, entry.fingerprint),
            )
        )
    return result


# -- writing ----------------------------------------------------------------------------------


def write(path: Path, result: Result) -> str:
    """Record the run's findings in ``path``, keeping the entries of specs this run did not
    check; returns what was done, for the user. The file is replaced atomically, and only
    when it is absent or already a consider baseline."""
    shown = str(path)
    unreadable = [f.path for f in result.files if f.error is not None]
    if unreadable:
        raise ConsiderError(
            f"the baseline is not written: {len(unreadable)} file(s) could not be checked "
            f"({', '.join(unreadable)}); fix them first so that no entry is lost",
            path=shown,
        )
    if path.is_dir():
        raise ConsiderError("is a folder; name the baseline file", path=shown)
    if not path.resolve().parent.is_dir():
        raise ConsiderError(
            "the baseline's folder does not exist; create it or name another file", path=shown
        )
    kept: dict[str, list[dict[str, str]]] = {}
    base = path.resolve().parent
    if path.exists():
        old = _parse(path, shown)  # refuses a file that is not a baseline: it is not ours
        kept = {
            name: list(entries)
            for name, entries in old["files"].items()
            if not any(_same(base / name, f.path) for f in result.files)
        }
    recorded = 0
    for file in result.files:
        entries = sorted(
            (
                Entry(f.rule, f.pointer, f.fingerprint)._asdict()
                for f in flatten(file.findings)  # a grouped finding is recorded on its own
                if recordable(f)
            ),
            key=lambda e: (e["pointer"], e["rule"], e["fingerprint"]),
        )
        recorded += len(entries)
        name = _relative(Path(file.path), base)
        if entries:
            kept[name] = entries
        else:
            kept.pop(name, None)
    document = {"tool": "consider", "baseline": VERSION, "files": dict(sorted(kept.items()))}
    _atomic_write(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return f"wrote {recorded} finding(s) of {len(result.files)} file(s) to {shown}"


def _same(a: Path, b: str) -> bool:
    return a.resolve() == Path(b).resolve()


def _relative(path: Path, base: Path) -> str:
    absolute = path.resolve()
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        return Path(os.path.relpath(absolute, base)).as_posix()


def _atomic_write(path: Path, text: str) -> None:
    from consider.atomic import replace_file

    replace_file(path, text)
