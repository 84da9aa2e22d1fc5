"""What a run gives back: each file's findings or error, and the exit code they make."""

from __future__ import annotations

from collections.abc import Iterable

from consider.errors import ConsiderError
from consider.findings import Finding, Severity, fails
from consider.records import Record


class FileResult(Record):
    """One spec file: its findings, or the error that kept it from being checked."""

    path: str
    findings: tuple[Finding, ...] = ()
    error: ConsiderError | None = None


class Result(Record):
    """A whole run."""

    files: tuple[FileResult, ...]

    def findings(self) -> Iterable[Finding]:
        """Every finding of every file, in file order."""
        for file in self.files:
            yield from file.findings

    def exit_code(self, threshold: Severity | None) -> int:
        """2 when a file could not be read, else 1 when a finding fails the gate, else 0."""
        if any(file.error is not None for file in self.files):
            return 2
        return 1 if any(fails(f, threshold) for f in self.findings()) else 0
