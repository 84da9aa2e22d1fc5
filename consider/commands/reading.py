"""The one spec a command other than ``check`` reads: a file that is no spec stops the run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from consider.errors import ConsiderError
from consider.model import Spec


def read_one(spec_path: Path, max_file_size: int) -> Spec:
    """A spec for ``questions`` and ``ask``: a file that is no spec raises (exit 2), naming
    its first finding."""
    from consider.check import read_spec
    from consider.loader import Limits

    spec = read_spec(spec_path, display=str(spec_path), limits=Limits(max_bytes=max_file_size))
    if not spec.is_spec:
        first = spec.findings[0]
        raise ConsiderError(first.message, path=first.file, line=first.line, column=first.column)
    return spec


def read_for_lineage(spec_path: Path, max_file_size: int, warn: Callable[[str], None]) -> Spec:
    """A spec for ``impact`` and ``graph``: a spec with schema problems is used as far as it
    is valid, each problem given to ``warn``."""
    from consider.report import one_line

    spec = read_one(spec_path, max_file_size)
    for finding in spec.findings:
        warn(
            one_line(
                f"consider: warning: {finding.file}:{finding.line}:{finding.column}: "
                f"{finding.message} (left out of the lineage)"
            )
        )
    return spec
