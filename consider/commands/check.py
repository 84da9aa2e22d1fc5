"""``consider check``: the config and policy settled, the paths expanded to targets, every
target checked (on ``jobs`` cores) and reported, and the exit code the result makes.

What the command prints goes through the ``show`` (standard output) and ``warn`` (standard
error) callbacks that ``consider.cli`` passes in; the progress line is the caller's too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from consider.errors import ConsiderError
from consider.report import one_line

if TYPE_CHECKING:
    from consider.check import Target
    from consider.loader import Limits
    from consider.policy import Policy
    from consider.report import View
    from consider.result import Result
    from consider.rules import RuleSet

EXIT_OK = 0


class Progress(Protocol):
    """How far the run has come, drawn by the caller (``consider.cli`` on a terminal)."""

    def advance(self) -> None:
        """One more file done."""

    def clear(self) -> None:
        """Take the line away before other output."""


def check(
    paths: tuple[str, ...],
    *,
    output_format: str,
    outputs: tuple[tuple[str, Path], ...],
    fail_on: str | None,
    max_file_size: int | None,
    packs: tuple[Path, ...],
    no_builtin_packs: bool,
    no_plugin_packs: bool,
    config_file: Path | None,
    no_config: bool,
    today: str,
    baseline_file: Path | None,
    write_baseline: Path | None,
    skip_non_specs: bool,
    quiet: bool,
    no_questions: bool,
    colour: bool,
    explain: tuple[str, ...],
    jobs: int | None,
    show: Callable[[str], None],
    warn: Callable[[str], None],
    progress: Callable[[int], Progress],
) -> int:
    """Check the specs that ``paths`` name, report them, and return the exit code."""
    from consider import config
    from consider.check import expand
    from consider.engine import load_rules
    from consider.findings import parse_threshold
    from consider.loader import Limits
    from consider.report import View, formatter

    project = config.resolve(config_file, no_config=no_config, start=Path.cwd())
    settings = config.settle(
        project,
        packs=packs,
        no_builtin_packs=no_builtin_packs,
        fail_on=fail_on,
        max_file_size=max_file_size,
    )
    rules = load_rules(
        settings.pack_files,
        builtin=False,
        plugins=not no_plugin_packs,
        disabled=project.disable_packs,
    )
    policy = config.policy_for(
        settings,
        rules,
        today=today,
        baseline=baseline_file,
        writing_baseline=write_baseline is not None,
    )
    limits = Limits() if settings.max_file_size is None else Limits(settings.max_file_size)
    found = expand(paths, skip_non_specs=skip_non_specs)
    targets = _with_stdin(config.select(found, paths, project), limits.max_bytes)
    if not targets:
        raise ConsiderError(
            f"no spec files found in {', '.join(paths)}; a spec is a .yaml file whose top "
            "level has a 'consider' key, or 'product' with 'outputs', 'slos' or 'sources'"
        )
    if write_baseline is not None:
        from consider.baseline import write
        from consider.result import Result
        from consider.workers import check_all, cores

        checked = check_all(targets, rules, limits=limits, jobs=jobs or cores(), policy=policy)
        result = Result(tuple(file for file in checked if file is not None))
        warn(f"consider: {write(write_baseline, result)}")
        return EXIT_OK
    threshold = parse_threshold(settings.fail_on)
    view = View(threshold=threshold, quiet=quiet, questions=not no_questions, colour=colour)
    if explain:
        result = _check_and_explain(
            targets, rules, limits, policy, output_format, view, jobs, explain, show, warn
        )
        for name, path in outputs:
            _write_report(path, formatter(name)(result, View(threshold=threshold)))
        return result.exit_code(threshold)
    result = _check_and_report(
        targets,
        rules,
        limits,
        policy,
        output_format,
        view,
        jobs,
        show=show,
        warn=warn,
        progress=progress(len(targets)),
    )
    # A file for a scanner or an archive gets the whole report: --quiet, --no-questions and
    # colour are for the terminal.
    for name, path in outputs:
        _write_report(path, formatter(name)(result, View(threshold=threshold)))
    return result.exit_code(threshold)


def _check_and_explain(
    targets: list[Target],
    rules: RuleSet,
    limits: Limits,
    policy: Policy,
    output_format: str,
    view: View,
    jobs: int | None,
    explain: tuple[str, ...],
    show: Callable[[str], None],
    warn: Callable[[str], None],
) -> Result:
    """The report, then why each rule named by --explain did what it did (in the JSON
    report, under ``explain``)."""
    import json

    from consider.explain import explain_result, parse_target, render
    from consider.report import formatter, printable
    from consider.result import Result
    from consider.workers import check_all, cores

    if output_format not in ("text", "concise", "json"):
        raise ConsiderError("--explain works with --format text, concise or json")
    wanted = [parse_target(item, rules) for item in explain]
    checked = check_all(targets, rules, limits=limits, jobs=jobs or cores(), policy=policy)
    result = Result(tuple(file for file in checked if file is not None))
    if output_format != "json":
        show(formatter(output_format)(result, view))
        shown = render(explain_result(result, rules, wanted, limits))
        show(printable("\n" + shown if shown else ""))
    else:
        report = json.loads(formatter("json")(result, view))
        report["explain"] = [
            item.as_json() for item in explain_result(result, rules, wanted, limits)
        ]
        show(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    for file in result.files:
        if file.error is not None:
            warn(one_line(f"consider: {file.error}"))
    return result


def _with_stdin(targets: list[Target], max_file_size: int) -> list[Target]:
    """The targets, standard input's bytes read into its own (up to one byte over the limit,
    so that an endless stream is refused rather than read)."""
    from consider.check import STDIN, STDIN_NAME

    reads = [t.path == Path(STDIN) and t.display == STDIN_NAME for t in targets]
    if not any(reads):
        return targets
    data = sys.stdin.buffer.read(max_file_size + 1)
    return [t._replace(data=data) if read else t for t, read in zip(targets, reads, strict=True)]


def _check_and_report(
    targets: list[Target],
    rules: RuleSet,
    limits: Limits,
    policy: Policy,
    output_format: str,
    view: View,
    jobs: int | None,
    *,
    show: Callable[[str], None],
    warn: Callable[[str], None],
    progress: Progress,
) -> Result:
    """Check the files on ``jobs`` cores; a line format is shown file by file, in the
    command line's order, as soon as each file and those before it are done; a document
    format once, at the end. Errors are warned of as their file's turn comes."""
    from consider.report import formatter, line_format
    from consider.result import FileResult, Result
    from consider.workers import check_all, cores

    lines = line_format(output_format)
    done: list[FileResult] = []
    for result in check_all(targets, rules, limits=limits, jobs=jobs or cores(), policy=policy):
        if result is not None:
            done.append(result)
            if lines is not None:
                part = lines.render_file(result, view, first=len(done) == 1)
                if part or result.error is not None:
                    progress.clear()
                if part:
                    show(part)
                if result.error is not None:
                    warn(one_line(f"consider: {result.error}"))
        progress.advance()  # drawn below what was just shown
    progress.clear()
    everything = Result(tuple(done))
    if lines is not None:
        show(lines.render_end(everything, view))
        return everything
    show(formatter(output_format)(everything, view))
    for file in everything.files:
        if file.error is not None:
            warn(one_line(f"consider: {file.error}"))
    return everything


def _write_report(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConsiderError(
            f"cannot write the report ({reason.lower()}); check that the folder exists and "
            "is writable",
            path=str(path),
        ) from None
