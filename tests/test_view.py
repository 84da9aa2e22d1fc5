"""``check``'s reading options reach every format as one View: --fail-on, --quiet,
--no-questions, and colour (on a terminal unless NO_COLOR is set; --color/--no-color)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import consider.report
from consider.findings import Severity
from consider.report import View

RunCli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[View]:
    """The views the format was rendered with, for a spec in the working folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    Path("s.yaml").write_text("consider: 1\nproduct: {name: S}\n")
    views: list[View] = []
    chosen = consider.report.formatter

    def spy(name: str) -> Callable[..., str]:
        render = chosen(name)

        def rendered(result: object, view: View) -> str:
            views.append(view)
            return render(result, view)  # type: ignore[arg-type]

        return rendered

    monkeypatch.setattr(consider.report, "formatter", spy)
    return views


@pytest.mark.parametrize(
    ("args", "view"),
    [
        ([], View(Severity.ERROR, quiet=False, questions=True, colour=False)),
        (["--fail-on", "warning"], View(Severity.WARNING)),
        (["--fail-on", "never"], View(None)),
        (["--quiet"], View(quiet=True)),
        (["-q", "--no-questions"], View(quiet=True, questions=False)),
        (["--color"], View(colour=True)),
        (["--no-color"], View(colour=False)),
    ],
)
def test_the_options_become_the_view(
    run_cli: RunCli, seen: list[View], args: list[str], view: View
) -> None:
    code, _, err = run_cli("check", "--no-builtin-packs", "--format", "json", *args, "s.yaml")
    assert (code, err) == (0, "")
    assert seen == [view]


@pytest.mark.parametrize(
    ("tty", "no_color", "args", "colour"),
    [
        (True, None, [], True),
        (True, "1", [], False),
        (True, "", [], True),  # an empty NO_COLOR is unset (no-color.org)
        (False, None, [], False),
        (True, "1", ["--color"], True),  # the flag wins
        (True, None, ["--no-color"], False),
    ],
)
def test_colour_follows_the_terminal_and_no_color(
    run_cli: RunCli,
    seen: list[View],
    monkeypatch: pytest.MonkeyPatch,
    tty: bool,
    no_color: str | None,
    args: list[str],
    colour: bool,
) -> None:
    if no_color is not None:
        monkeypatch.setenv("NO_COLOR", no_color)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: tty)  # the captured stdout
    run_cli("check", "--no-builtin-packs", "--format", "json", *args, "s.yaml")
    assert [view.colour for view in seen] == [colour]
