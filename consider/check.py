"""The check pipeline: paths to targets, and each target through the stages (load, validate,
model, evaluate, policy) to its result, with no printing. The ``consider check`` command
over it is consider/commands/check.py; docs/architecture.md walks through one run."""

from __future__ import annotations

import gc
import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from consider.engine import RuleSet, evaluate
from consider.engine_rules import schema_finding
from consider.errors import InputError, PackError, UsageError
from consider.findings import Severity
from consider.loader import Document, Limits, decode, load, parse
from consider.model import Spec, build
from consider.policy import NO_POLICY, Policy, apply
from consider.records import Record
from consider.result import FileResult, Result
from consider.schema import validate
from consider.specfiles import HEAD_BYTES, FileKind, head_kind, kind_of

DEFAULT_LIMITS = Limits()
SPEC_SUFFIXES = (".yaml", ".yml")
STDIN = "-"
"""The argument that reads a spec from standard input."""
STDIN_NAME = "<stdin>"
"""How a spec read from standard input is named in reports."""


class Target(Record):
    """One file to check, as the command line named it or a folder search found it."""

    path: Path
    display: str
    skip_non_spec: bool = False
    """Pass over the file without a word when it is not a spec (found in a folder, or
    ``--skip-non-specs``); a file that looks like a spec is checked all the same."""
    data: bytes | None = None
    """The bytes already read (standard input), else None to read ``path``."""


def check_file(
    path: Path,
    rules: RuleSet,
    *,
    display: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    policy: Policy = NO_POLICY,
) -> FileResult:
    """Load, validate, model and evaluate one spec; an unreadable file raises InputError.

    A file that is not a spec at all (no top-level ``consider`` key) gets the one finding
    that says so, and no rule is run on it.
    """
    with _no_cyclic_gc():
        spec = read_spec(path, display=display, limits=limits)
        if not spec.is_spec:
            result = FileResult(spec.document.path, tuple(spec.findings))
        else:
            result = FileResult(
                spec.document.path, tuple(apply(spec, evaluate(spec, rules), policy))
            )
        # Freed here, by reference counting, before the collector is resumed: its first
        # collection then walks what survives, not the millions of objects of the spec.
        del spec
    return result


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


def check_target(
    target: Target,
    rules: RuleSet,
    *,
    limits: Limits = DEFAULT_LIMITS,
    policy: Policy = NO_POLICY,
) -> FileResult | None:
    """One file's result, or None for a file passed over as no spec. A file that cannot be
    read or checked is a result with its error: a pack rule that fails on one file's data
    stops that file only."""
    head: FileKind | None = None
    if target.skip_non_spec and target.data is None and _special(target.path):
        # Found in a folder (or passed by a hook): never read, but never skipped silently.
        message = (
            f"{target.display} is not a regular file (a FIFO, socket or device), so it was "
            "not read; keep specs in regular files"
        )
        finding = schema_finding(
            "special-file", message, target.display, "", (1, 1), None, Severity.WARNING
        )
        return FileResult(target.display, (finding,))
    if target.skip_non_spec:
        head = _head_kind(target)
        if head is FileKind.OTHER:
            return None  # not even read in full: a large or malformed non-spec is no error
    with _no_cyclic_gc():
        try:
            document = _document(target, limits)
        except InputError as error:
            if target.skip_non_spec and head is None:
                return None  # unreadable, and nothing shows it was meant as a spec
            return FileResult(target.display, error=error)
        if target.skip_non_spec and kind_of(document.data) is FileKind.OTHER:
            return None
        try:
            spec = build(document, validate(document))
            if not spec.is_spec:
                result = FileResult(document.path, tuple(spec.findings))
            else:
                result = FileResult(
                    document.path, tuple(apply(spec, evaluate(spec, rules), policy))
                )
        except (InputError, PackError) as error:  # a spec all the same: always reported
            return FileResult(target.display, error=error)
        # As in check_file: the spec is freed before the collector is resumed.
        del spec, document
    return result


def _document(target: Target, limits: Limits) -> Document:
    if target.data is None:
        return load(target.path, display=target.display, limits=limits)
    if len(target.data) > limits.max_bytes:
        raise InputError(
            f"the input is over the limit of {limits.max_bytes:,} bytes; raise it with "
            "--max-file-size (for example --max-file-size 20MB) if it is meant to be this large",
            path=target.display,
        )
    return parse(decode(target.data, display=target.display), path=target.display, limits=limits)


def _special(path: Path) -> bool:
    """Whether ``path`` exists as something other than a regular file or a folder."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _head_kind(target: Target) -> FileKind | None:
    if target.data is not None:
        return head_kind(target.data[:HEAD_BYTES], whole=len(target.data) <= HEAD_BYTES)
    if not target.path.is_file():  # a FIFO would block here: the check says what it is instead
        return FileKind.SPEC
    try:
        with target.path.open("rb") as handle:
            head = handle.read(HEAD_BYTES + 1)
    except OSError:
        return FileKind.SPEC  # taken for one, so that the reason it cannot be read is reported
    return head_kind(head[:HEAD_BYTES], whole=len(head) <= HEAD_BYTES)


def run(
    targets: Sequence[Target | Path],
    rules: RuleSet,
    *,
    limits: Limits = DEFAULT_LIMITS,
    policy: Policy = NO_POLICY,
) -> Result:
    """Check every file in turn (``consider.workers`` checks them in parallel)."""
    results = (check_target(as_target(t), rules, limits=limits, policy=policy) for t in targets)
    return Result(tuple(result for result in results if result is not None))


def as_target(target: Target | Path) -> Target:
    """A path as a target named by itself."""
    return target if isinstance(target, Target) else Target(target, str(target))


def expand(arguments: Sequence[str], *, skip_non_specs: bool = False) -> list[Target]:
    """Files, folders (their spec files, recursively), globs and ``-`` (standard input, read
    by the caller) → targets, each once. A file found in a folder or matched by a glob is
    passed over when it turns out not to be a spec; a file named is too with
    ``skip_non_specs``."""
    found: list[Target] = []
    for argument in arguments:
        path = Path(argument)
        if argument == STDIN:
            found.append(Target(path, STDIN_NAME, skip_non_specs))
        elif path.is_dir():
            found.extend(Target(p, str(p), skip_non_spec=True) for p in _specs_in(path))
        elif not path.exists() and any(c in argument for c in "*?["):
            import glob

            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                raise UsageError(
                    f"the pattern '{argument}' matches no file; check the path "
                    "or quote it differently"
                )
            # A pattern selects files as a folder does: the non-specs it matches are no error.
            found.extend(
                Target(Path(m), m, skip_non_spec=True) for m in matches if Path(m).is_file()
            )
        else:  # a missing file is reported as that file's error
            found.append(Target(path, str(path), skip_non_specs))
    unique: dict[str, Target] = {}
    for target in found:
        unique.setdefault(target.display, target)
    return list(unique.values())


def _specs_in(folder: Path) -> list[Path]:
    """Spec files under a folder: YAML files that are specs or look like one
    (``consider.specfiles``), or whose head cannot tell."""
    specs = []
    for here, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))  # no .git, no .venv
        for name in sorted(files):
            path = Path(here) / name
            if not name.startswith(".") and path.suffix in SPEC_SUFFIXES and _looks_like_spec(path):
                specs.append(path)
    return sorted(specs)


def _looks_like_spec(path: Path) -> bool:
    return _head_kind(Target(path, str(path))) is not FileKind.OTHER
