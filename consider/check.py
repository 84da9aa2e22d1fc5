"""``consider check``: paths in, a result out. The stages, end to end, with no printing."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from consider.engine import RuleSet, evaluate
from consider.errors import ConsiderError, InputError, PackError, UsageError
from consider.findings import Finding, Severity, fails
from consider.loader import Limits, load
from consider.model import Spec, build
from consider.schema import validate

DEFAULT_LIMITS = Limits()
SPEC_SUFFIXES = (".yaml", ".yml")


class FileResult(NamedTuple):
    """One spec file: its findings, or the error that kept it from being checked."""

    path: str
    findings: tuple[Finding, ...] = ()
    error: ConsiderError | None = None


class Result(NamedTuple):
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


def check_file(
    path: Path, rules: RuleSet, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> FileResult:
    """Load, validate, model and evaluate one spec; an unreadable file raises InputError.

    A file that is not a spec at all (no top-level ``consider`` key) gets the one finding
    that says so, and no rule is run on it.
    """
    with _no_cyclic_gc():
        spec = read_spec(path, display=display, limits=limits)
        if not spec.is_spec:
            return FileResult(spec.document.path, tuple(spec.findings))
        return FileResult(spec.document.path, tuple(evaluate(spec, rules)))


def read_spec(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Spec:
    """Load, validate and model one spec file; schema findings are kept on the spec."""
    with _no_cyclic_gc():
        document = load(path, display=display, limits=limits)
        return build(document, validate(document))


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    # A spec becomes millions of small, long-lived, acyclic objects: the cyclic garbage
    # collector would rescan them over and over and free nothing (a third of the run at
    # 100,000 entities, see bench/scaling.py). It is paused for the file and resumed after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def run(paths: Sequence[Path], rules: RuleSet, *, limits: Limits = DEFAULT_LIMITS) -> Result:
    """Check every file; one that cannot be read or checked is reported (exit 2) and the
    others still are: a pack rule that fails on one file's data stops that file only."""
    results = []
    for path in paths:
        try:
            results.append(check_file(path, rules, display=str(path), limits=limits))
        except (InputError, PackError) as error:
            results.append(FileResult(str(path), error=error))
    return Result(tuple(results))


def expand(arguments: Sequence[str]) -> list[Path]:
    """Files, folders (their spec files, recursively) and globs → spec paths, each once."""
    found: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found.extend(_specs_in(path))
        elif not path.exists() and any(c in argument for c in "*?["):
            import glob

            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                raise UsageError(
                    f"the pattern '{argument}' matches no file; check the path "
                    "or quote it differently"
                )
            found.extend(Path(m) for m in matches if Path(m).is_file())
        else:
            found.append(path)  # a missing file is reported as that file's error
    unique: dict[str, Path] = {}
    for path in found:
        unique.setdefault(str(path), path)
    return list(unique.values())


def _specs_in(folder: Path) -> list[Path]:
    """Spec files under a folder: YAML files whose top level has a ``consider:`` key."""
    specs = []
    for here, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))  # no .git, no .venv
        for name in sorted(files):
            path = Path(here) / name
            if not name.startswith(".") and path.suffix in SPEC_SUFFIXES and _looks_like_spec(path):
                specs.append(path)
    return sorted(specs)


def _looks_like_spec(path: Path) -> bool:
    try:
        if not path.is_file():  # a FIFO would block here: the check says what it is instead
            return True
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError:
        return True  # let the check report why it cannot be read
    return any(line.startswith(b"consider:") for line in head.splitlines())
