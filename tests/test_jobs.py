"""Many files: --jobs, results in the command line's order, line formats printed file by file,
the worst exit code, and a progress line only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from conftest import EXAMPLES

import consider.cli
import consider.workers
from consider.check import Target, check_target
from consider.engine import RuleSet
from consider.errors import InputError
from consider.loader import Limits
from consider.result import FileResult
from consider.workers import check_all, cores

RunCli = Callable[..., tuple[int, str, str]]
BROKEN = (
    "consider: broken.yaml:3:1: not valid YAML: did not find expected node content while "
    "parsing a flow node; fix the syntax at this place"
)


@pytest.fixture
def specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every example, a spec that does not parse, a non-spec and a clean spec, in a folder."""
    monkeypatch.chdir(tmp_path)
    names = []
    for example in sorted(EXAMPLES.glob("*.yaml")):
        Path(example.name).write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
        names.append(example.name)
    Path("broken.yaml").write_text("consider: 1\nproduct: {name: [\n")
    Path("compose.yaml").write_text("services: {web: {image: nginx}}\n")
    Path("clean.yaml").write_text("consider: 1\nproduct: {name: S}\n")
    return [names[0], "broken.yaml", *names[1:], "compose.yaml", "clean.yaml"]


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_two_jobs_print_exactly_what_one_job_prints(
    run_cli: RunCli, specs: list[str], output_format: str
) -> None:
    serial = run_cli("check", "--format", output_format, "--jobs", "1", *specs)
    parallel = run_cli("check", "--format", output_format, "--jobs", "2", *specs)
    assert parallel == serial
    assert serial[0] == 2  # the worst over all files: one does not parse
    assert serial[2] == BROKEN + "\n"


def test_the_files_come_back_in_the_command_line_order(run_cli: RunCli, specs: list[str]) -> None:
    import json

    _, out, _ = run_cli("check", "--format", "json", "--jobs", "2", *reversed(specs))
    assert [f["file"] for f in json.loads(out)["files"]] == list(reversed(specs))


def test_an_error_keeps_its_place_across_processes(run_cli: RunCli, specs: list[str]) -> None:
    code, _, err = run_cli("check", "--jobs", "2", "clean.yaml", "broken.yaml", "missing.yaml")
    assert code == 2
    lines = err.splitlines()
    assert lines == [BROKEN, "consider: missing.yaml: file not found; check the path"]


def test_the_pool_gives_results_in_order_with_errors_rebuilt(
    specs: list[str], builtin_rules: RuleSet
) -> None:
    targets = [Target(Path(name), name) for name in ["broken.yaml", "clean.yaml", "gone.yaml"]]
    results = list(check_all(targets, builtin_rules, limits=Limits(), jobs=2))
    assert [r.path for r in results if r is not None] == ["broken.yaml", "clean.yaml", "gone.yaml"]
    broken, clean, gone = results
    assert broken is not None and isinstance(broken.error, InputError)
    assert (broken.error.path, broken.error.line, broken.error.column) == ("broken.yaml", 3, 1)
    assert clean is not None and clean.error is None
    assert gone is not None and str(gone.error) == "gone.yaml: file not found; check the path"
    serial = [check_target(t, builtin_rules, limits=Limits()) for t in targets]
    assert [_comparable(r) for r in results] == [_comparable(r) for r in serial]


def _comparable(result: FileResult | None) -> object:
    if result is None:
        return None
    error = result.error
    shown = None if error is None else (type(error), str(error))
    return (result.path, result.findings, shown)


def test_a_skipped_file_comes_back_as_none_in_its_place(
    specs: list[str], builtin_rules: RuleSet
) -> None:
    targets = [
        Target(Path("compose.yaml"), "compose.yaml", skip_non_spec=True),
        Target(Path("clean.yaml"), "clean.yaml", skip_non_spec=True),
    ]
    results = list(check_all(targets, builtin_rules, limits=Limits(), jobs=2))
    assert results[0] is None
    assert results[1] is not None and results[1].path == "clean.yaml"


def test_the_default_is_every_core(
    run_cli: RunCli, specs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []
    real = consider.workers.check_all

    def spy(targets: Any, rules: Any, *, jobs: int, **options: Any) -> Iterator[Any]:
        asked.append(jobs)
        return real(targets, rules, jobs=jobs, **options)

    monkeypatch.setattr(consider.workers, "check_all", spy)
    run_cli("check", "clean.yaml", "compose.yaml")
    run_cli("check", "-j", "3", "clean.yaml", "compose.yaml")
    assert asked == [cores(), 3]


def test_jobs_must_be_at_least_one(run_cli: RunCli, specs: list[str]) -> None:
    code, out, err = run_cli("check", "--jobs", "0", "clean.yaml")
    assert (code, out) == (2, "")
    assert err == (
        "consider check: Invalid value for '--jobs' / '-j': 0 is not in the range x>=1; "
        "see 'consider check --help'\n"
    )


# -- streaming --------------------------------------------------------------------------------


def test_a_line_format_prints_each_file_before_the_next_is_taken(
    run_cli: RunCli, specs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_check_all = consider.workers.check_all

    def logged(targets: Any, rules: Any, **options: Any) -> Iterator[Any]:
        for result in real_check_all(targets, rules, **options):
            events.append(f"done {result.path}")
            yield result

    real_echo = click.echo

    def echo(message: Any = None, **kwargs: Any) -> None:
        stream = "stderr" if kwargs.get("err") else "stdout"
        first = str(message).strip().splitlines()[0] if str(message).strip() else ""
        events.append(f"{stream} {first}")
        real_echo(message, **kwargs)

    monkeypatch.setattr(consider.workers, "check_all", logged)
    monkeypatch.setattr(click, "echo", echo)
    code, _, err = run_cli(
        "check", "--no-builtin-packs", "-j", "2", "clean.yaml", "broken.yaml", "clean2.yaml"
    )
    assert events == [
        "done clean.yaml",
        "stdout clean.yaml",
        "done broken.yaml",
        # the text format has nothing for an unreadable file, whose error goes to stderr:
        f"stderr {err.splitlines()[0]}",
        "done clean2.yaml",
        "stderr consider: clean2.yaml: file not found; check the path",
        "stdout 3 files, 2 unreadable: 0 errors, 0 warnings, 0 info, 0 waived, "
        "0 open questions (0 acknowledged)",
    ]
    assert code == 2


def test_streamed_text_is_the_text_format_of_the_whole_run(
    run_cli: RunCli, specs: list[str], builtin_rules: RuleSet
) -> None:
    from consider.check import run
    from consider.report.text_format import render

    _, out, _ = run_cli("check", "--jobs", "2", *specs)
    assert out == render(run([Path(name) for name in specs], builtin_rules))


# -- progress ---------------------------------------------------------------------------------


def _terminal_stderr(monkeypatch: pytest.MonkeyPatch, tty: bool) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty)  # the captured stderr
    monkeypatch.setattr(consider.cli._Progress, "_AFTER", 0.0)
    monkeypatch.setattr(consider.cli._Progress, "_EVERY", 0.0)


def test_a_long_run_shows_its_progress_on_a_terminal(
    run_cli: RunCli, specs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _terminal_stderr(monkeypatch, tty=True)
    code, out, err = run_cli(
        "check", "--format", "json", "--jobs", "2", "clean.yaml", "compose.yaml", "clean.yaml"
    )
    assert code == 1
    assert err == ("\rconsider: checked 1/2 files\rconsider: checked 2/2 files\r\x1b[K")
    assert "checked" not in out


def test_no_progress_when_stderr_is_not_a_terminal(
    run_cli: RunCli, specs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _terminal_stderr(monkeypatch, tty=False)
    assert run_cli("check", "--format", "json", "clean.yaml", "compose.yaml")[2] == ""


def test_a_caller_that_stops_early_cancels_the_files_left(
    specs: list[str], builtin_rules: RuleSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "checked.log"
    real = consider.workers.check_target

    def logged(target: Target, *args: Any, **options: Any) -> Any:
        with log.open("a") as out:  # one short append per file, from whichever worker
            out.write(target.display + "\n")
        return real(target, *args, **options)

    # Patched before the pool forks, so every worker checks through it.
    monkeypatch.setattr(consider.workers, "check_target", logged)
    targets = [Target(Path("home-recommender.yaml"), f"home-{i}.yaml") for i in range(400)]
    results = check_all(targets, builtin_rules, limits=Limits(), jobs=2)
    first = next(results)
    assert first is not None
    results.close()
    checked = log.read_text().splitlines()
    assert len(checked) < 100  # the chunks under way finish; the 399 files left are not checked


def test_ctrl_c_stops_a_parallel_run_in_one_line(specs: list[str]) -> None:
    import os
    import signal
    import subprocess

    # Forty specs of 400 outputs each, about 0.3 s of work apiece: the run cannot be over by
    # the time the first file's report is read (300 copies of an example once were, on a
    # fast machine, and the signal then found the command already done).
    heavy = "consider: 1\nproduct: {name: Heavy, owner: team, tier: 1}\noutputs:\n" + "".join(
        f"  out-{i}: {{mode: online}}\n" for i in range(400)
    )
    for i in range(40):
        Path(f"copy-{i}.yaml").write_text(heavy, encoding="utf-8")
    script = Path(sys.executable).with_name("consider")
    command = [str(script), "check", "--jobs", "2", "--format", "text"]
    process = subprocess.Popen(
        [*command, *(f"copy-{i}.yaml" for i in range(40))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "copy-0.yaml\n"  # the workers are busy
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (2, "\nconsider: aborted\n")


def test_the_pool_works_where_processes_are_spawned_not_forked(
    specs: list[str], builtin_rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    # macOS and Windows spawn: the rule set then reaches each worker as a pickle.
    monkeypatch.setattr(consider.workers, "_context", lambda: multiprocessing.get_context("spawn"))
    targets = [Target(Path(name), name) for name in specs]
    spawned = list(check_all(targets, builtin_rules, limits=Limits(), jobs=2))
    serial = list(check_all(targets, builtin_rules, limits=Limits(), jobs=1))
    assert [_comparable(r) for r in spawned] == [_comparable(r) for r in serial]
    assert sum(len(r.findings) for r in serial if r is not None) > 50


def test_the_progress_line_steps_aside_for_each_file_printed(
    run_cli: RunCli, specs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _terminal_stderr(monkeypatch, tty=True)
    Path("clean2.yaml").write_text("consider: 1\nproduct: {name: T}\n")
    code, out, err = run_cli("check", "--no-builtin-packs", "clean.yaml", "clean2.yaml")
    assert code == 0
    assert out.startswith("clean.yaml\n")
    assert err == (
        "\rconsider: checked 1/2 files"  # below clean.yaml's part
        "\r\x1b[K"  # erased before clean2.yaml's part
        "\rconsider: checked 2/2 files"
        "\r\x1b[K"  # erased at the end
    )
