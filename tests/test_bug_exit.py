"""A bug in consider is exit 3: one line saying so and where the details went, no traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLES


def test_an_internal_error_is_exit_3_with_one_line_and_a_details_file(
    run_cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    import consider.check

    def broken(*args: object, **kwargs: object) -> object:
        raise KeyError("boom")

    monkeypatch.setattr(consider.check, "evaluate", broken)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    code, out, err = run_cli("check", EXAMPLES / "weekly-digest.yaml")
    assert (code, out) == (3, "")
    assert "Traceback" not in err
    first, second = err.splitlines()
    assert (
        first == "consider: internal error (a bug in consider, not in your spec): KeyError: 'boom'"
    )
    details = Path(second.split("details written to ", 1)[1].split(";", 1)[0])
    assert details.parent == tmp_path
    assert "Traceback" in details.read_text(encoding="utf-8")
