"""The command line: click only. Parse options, call the stages, print, choose the exit code.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 the run could
not be made (bad usage, unreadable YAML, an invalid pack); 3 a bug in consider.
Everything else is imported when a command needs it, so start-up stays small.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from consider import __version__
from consider.errors import ConsiderError
from consider.report import FORMATS, printable

if TYPE_CHECKING:
    from consider.check import Result, Target
    from consider.engine import RuleSet
    from consider.loader import Limits
    from consider.policy import Policy
    from consider.report import View

FAIL_ON = ("error", "warning", "info", "never")
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


def _size(value: str) -> int:
    from consider.units import parse_size

    try:
        return int(parse_size(value.strip()))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a size; write it like 1MB, 20MB or 512KiB"
        ) from None


class _Size(click.ParamType):  # type: ignore[type-arg]
    name = "SIZE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        return value if isinstance(value, int) else _size(str(value))


_F = TypeVar("_F", bound=Callable[..., Any])

_max_file_size = click.option(
    "--max-file-size",
    type=_Size(),
    default="1MB",
    show_default=True,
    help="Refuse spec files larger than this.",
)
_pack_option = click.option(
    "--pack",
    "packs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="An extra rule-pack file (repeatable).",
)


_no_plugin_packs = click.option(
    "--no-plugin-packs",
    is_flag=True,
    help="Do not load the packs of installed packages (entry points in consider.packs).",
)


def _format_option(*choices: str) -> Callable[[_F], _F]:
    """``--format``, defaulting to the first of ``choices``."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="consider")
def cli() -> None:
    """Engineering-considerations questionnaire and risk linter for product specs."""


def _outputs(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str, Path], ...]:
    """``--output FORMAT=FILE`` values → (format, path) pairs."""
    pairs = []
    for value in values:
        name, equals, file = value.partition("=")
        if not equals or not file or name not in FORMATS:
            raise click.BadParameter(
                f"{value!r} is not FORMAT=FILE with a FORMAT of {', '.join(FORMATS)}; "
                "write it like sarif=consider.sarif",
                ctx=ctx,
                param=param,
            )
        pairs.append((name, Path(file)))
    return tuple(pairs)


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


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@_format_option(*FORMATS)
@click.option(
    "--output",
    "outputs",
    multiple=True,
    metavar="FORMAT=FILE",
    callback=_outputs,
    help="Also write a report in FORMAT to FILE (repeatable), such as sarif=consider.sarif.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default=None,
    help="Exit 1 when a risk or schema finding is at or above this severity  [default: error]",
)
@click.option(
    "--max-file-size",
    type=_Size(),
    default=None,
    help="Refuse spec files larger than this  [default: 1MB]",
)
@_pack_option
@click.option(
    "--no-builtin-packs",
    is_flag=True,
    help="Do not load the built-in packs (installed packages' packs still load, unless "
    "--no-plugin-packs; with no pack at all: check the spec format alone).",
)
@_no_plugin_packs
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    help="The config file to use, instead of the nearest .consider.yaml or pyproject.toml.",
)
@click.option("--no-config", is_flag=True, help="Use no config file.")
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Judge waiver expiry as of this date (YYYY-MM-DD) instead of today.",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(path_type=Path),
    help="Fail only on findings this baseline does not record (overrides the config's).",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path),
    help="Record today's findings in this baseline file, then exit 0.",
)
@click.option(
    "--skip-non-specs",
    is_flag=True,
    help="Pass over named files that are not specs without a word (what the pre-commit "
    "hook sets); a file that looks like a spec is still checked.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Print only what fails the gate, and the summary."
)
@click.option(
    "--no-questions",
    is_flag=True,
    help="Leave open questions out of the listing (they are still counted).",
)
@click.option(
    "--color/--no-color",
    "colour",
    default=None,
    help="Colour the output [default: on a terminal, unless NO_COLOR is set].",
)
@click.option(
    "--explain",
    "explain",
    multiple=True,
    metavar="RULE[@REF]",
    help="Explain why RULE fired: each part of its condition and its value (repeatable); "
    "RULE@output:home-rows explains it on that entity, fired or not.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Check this many files at once [default: the number of cores].",
)
def check(
    paths: tuple[str, ...],
    output_format: str,
    outputs: tuple[tuple[str, Path], ...],
    fail_on: str | None,
    max_file_size: int | None,
    packs: tuple[Path, ...],
    no_builtin_packs: bool,
    no_plugin_packs: bool,
    config_file: Path | None,
    no_config: bool,
    today: Any,
    baseline_file: Path | None,
    write_baseline: Path | None,
    skip_non_specs: bool,
    quiet: bool,
    no_questions: bool,
    colour: bool | None,
    explain: tuple[str, ...],
    jobs: int | None,
) -> int:
    """Report the risks and unanswered questions of specs (files, folders, globs, or - for
    standard input)."""
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
        today=today.date().isoformat() if today else "",
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
        from consider.check import Result
        from consider.workers import check_all, cores

        checked = check_all(targets, rules, limits=limits, jobs=jobs or cores(), policy=policy)
        result = Result(tuple(file for file in checked if file is not None))
        click.echo(f"consider: {write(write_baseline, result)}", err=True)
        return EXIT_OK
    threshold = parse_threshold(settings.fail_on)
    view = View(
        threshold=threshold,
        quiet=quiet,
        questions=not no_questions,
        colour=_colour_wanted(colour),
    )
    if explain:
        result = _check_and_explain(
            targets, rules, limits, policy, output_format, view, jobs, explain
        )
    else:
        result = _check_and_print(targets, rules, limits, policy, output_format, view, jobs)
    for name, path in outputs:  # a file for a scanner or an archive gets the whole report
        _write_report(path, formatter(name)(result, view))
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
) -> Result:
    """The report, then why each rule named by --explain did what it did (in the JSON
    report, under ``explain``)."""
    import json

    from consider.explain import explain_result, parse_target, render

    if output_format not in ("text", "concise", "json"):
        raise ConsiderError("--explain works with --format text, concise or json")
    wanted = [parse_target(item, rules) for item in explain]
    if output_format != "json":
        result = _check_and_print(targets, rules, limits, policy, output_format, view, jobs)
        shown = render(explain_result(result, rules, wanted, limits))
        click.echo(printable("\n" + shown if shown else ""), nl=False)
        return result
    from consider.check import Result
    from consider.report import formatter
    from consider.workers import check_all, cores

    checked = check_all(targets, rules, limits=limits, jobs=jobs or cores(), policy=policy)
    result = Result(tuple(file for file in checked if file is not None))
    report = json.loads(formatter("json")(result, view))
    report["explain"] = [item.as_json() for item in explain_result(result, rules, wanted, limits)]
    click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    for file in result.files:
        if file.error is not None:
            click.echo(printable(f"consider: {file.error}"), err=True)
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


def _colour_wanted(flag: bool | None) -> bool:
    """--color or --no-color when given, else colour on a terminal unless NO_COLOR is set."""
    if flag is not None:
        return flag
    return not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def _check_and_print(
    targets: list[Target],
    rules: RuleSet,
    limits: Limits,
    policy: Policy,
    output_format: str,
    view: View,
    jobs: int | None,
) -> Result:
    """Check the files on ``jobs`` cores; a line format is printed file by file, in the
    command line's order, as soon as each file and those before it are done; a document
    format once, at the end. Errors go to stderr as their file's turn comes."""
    from consider.check import FileResult, Result
    from consider.report import formatter, line_format
    from consider.workers import check_all, cores

    lines = line_format(output_format)
    progress = _Progress(len(targets))
    done: list[FileResult] = []
    for result in check_all(targets, rules, limits=limits, jobs=jobs or cores(), policy=policy):
        if result is not None:
            done.append(result)
            if lines is not None:
                part = lines.render_file(result, view, first=len(done) == 1)
                if part or result.error is not None:
                    progress.clear()
                if part:
                    click.echo(part, nl=False)
                if result.error is not None:
                    click.echo(printable(f"consider: {result.error}"), err=True)
        progress.advance()  # drawn below what was just printed
    progress.clear()
    everything = Result(tuple(done))
    if lines is not None:
        click.echo(lines.render_end(everything, view), nl=False)
        return everything
    click.echo(formatter(output_format)(everything, view), nl=False)
    for file in everything.files:
        if file.error is not None:
            click.echo(printable(f"consider: {file.error}"), err=True)
    return everything


class _Progress:
    """``checked 120/1000 files`` on stderr, redrawn in place: only on a terminal, and only
    once the run has taken a while (a quick run shows nothing)."""

    _AFTER = 1.0  # seconds before the line first shows
    _EVERY = 0.1  # seconds between redraws

    def __init__(self, total: int) -> None:
        import time

        self.total = total
        self.count = 0
        self.shown = False
        self.enabled = total > 1 and sys.stderr.isatty()
        self.started = self.drawn = time.monotonic()

    def advance(self) -> None:
        import time

        self.count += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < self._AFTER or now - self.drawn < self._EVERY:
            return
        self.drawn = now
        self.shown = True
        sys.stderr.write(f"\rconsider: checked {self.count}/{self.total} files")
        sys.stderr.flush()

    def clear(self) -> None:
        """Take the line away, before other output or at the end; the next advance draws it
        again at once."""
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False
            self.drawn = float("-inf")


@cli.command()
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path))
@click.option(
    "--changed",
    required=True,
    metavar="REF",
    help="The entity that changes, such as dataset:orders-daily (or its id alone).",
)
@_format_option("text", "json")
@_max_file_size
def impact(spec_path: Path, changed: str, output_format: str, max_file_size: int) -> int:
    """What must re-run or re-train when REF changes, in order, and when each output sees it."""
    from consider.impact import plan, render

    spec = _read_for_lineage(spec_path, max_file_size)
    click.echo(render(plan(spec, changed), output_format), nl=False)
    return EXIT_OK


@cli.command()
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path))
@_format_option("mermaid", "dot", "json")
@_max_file_size
def graph(spec_path: Path, output_format: str, max_file_size: int) -> int:
    """The lineage graph, with staleness against each SLO, critical paths and loops."""
    from consider.drawing import render

    spec = _read_for_lineage(spec_path, max_file_size)
    click.echo(render(spec, output_format), nl=False)
    return EXIT_OK


def _read_for_lineage(spec_path: Path, max_file_size: int) -> Any:
    """A spec for `impact` and `graph`: a file that is no spec stops the run (exit 2); a spec
    with schema problems is used as far as it is valid, each problem named on stderr."""
    from consider.check import read_spec
    from consider.loader import Limits

    spec = read_spec(spec_path, display=str(spec_path), limits=Limits(max_bytes=max_file_size))
    if not spec.is_spec:
        first = spec.findings[0]
        raise ConsiderError(first.message, path=first.file, line=first.line, column=first.column)
    for finding in spec.findings:
        click.echo(
            printable(
                f"consider: warning: {finding.file}:{finding.line}:{finding.column}: "
                f"{finding.message} (left out of the lineage)"
            ),
            err=True,
        )
    return spec


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--example", metavar="NAME", help="Start from a bundled example spec instead.")
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def init(path: Path | None, example: str | None, force: bool) -> int:
    """Write a new spec (spec.yaml by default): the press release first, then the entities."""
    from consider.template import DEFAULT_PATH, new_spec, write_new

    target = path if path is not None else DEFAULT_PATH
    write_new(target, new_spec(target, example=example), force=force)
    click.echo(
        printable(f"wrote {target}; next: consider questions {target}, or consider ask {target}")
    )
    return EXIT_OK


@cli.command()
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path))
@_format_option("text", "markdown", "json")
@click.option("--only-pack", metavar="ID", help="Only the questions of this pack.")
@click.option("--entity", metavar="REF", help="Only the questions about this entity.")
@_max_file_size
@_pack_option
@_no_plugin_packs
def questions(
    spec_path: Path,
    output_format: str,
    only_pack: str | None,
    entity: str | None,
    max_file_size: int,
    packs: tuple[Path, ...],
    no_plugin_packs: bool,
) -> int:
    """The open questions as a questionnaire, grouped by pack and entity, with progress."""
    from dataclasses import replace

    from consider.engine import load_rules
    from consider.questionnaire import check_filters, collect, render, select

    rules = load_rules(packs, plugins=not no_plugin_packs)
    spec = _read_spec(spec_path, max_file_size)
    check_filters(spec, rules, pack=only_pack, entity=entity)
    found = collect(spec, rules)
    found = replace(
        found,
        items=tuple(select(found.items, pack=only_pack, entity=entity)),
        progress=tuple(p for p in found.progress if only_pack in (None, p.pack)),
    )
    click.echo(render(found, output_format), nl=False)
    return EXIT_OK


@cli.command()
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path))
@click.option("--max", "limit", type=click.IntRange(min=1), help="Ask at most N questions.")
@click.option("--only-pack", metavar="ID", help="Only the questions of this pack.")
@click.option("--entity", metavar="REF", help="Only the questions about this entity.")
@click.option(
    "--date",
    "today",
    metavar="YYYY-MM-DD",
    help="The date recorded in the clarifications log (default: today).",
)
@_max_file_size
@_pack_option
@_no_plugin_packs
def ask(
    spec_path: Path,
    limit: int | None,
    only_pack: str | None,
    entity: str | None,
    today: str | None,
    max_file_size: int,
    packs: tuple[Path, ...],
    no_plugin_packs: bool,
) -> int:
    """Answer the open questions one at a time; each answer is written into SPEC at once."""
    import datetime
    import re

    if not sys.stdin.isatty():
        raise ConsiderError(
            "consider ask needs a terminal to ask its questions in; to list them without "
            f"one, run: consider questions {spec_path}"
        )
    if today is not None and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", today):
        raise click.BadParameter(f"{today!r} is not a date like 2026-03-02", param_hint="--date")
    from consider.engine import load_rules
    from consider.loader import read_text
    from consider.prompt import Filters, walk
    from consider.questionnaire import check_filters

    rules = load_rules(packs, plugins=not no_plugin_packs)
    check_filters(_read_spec(spec_path, max_file_size), rules, pack=only_pack, entity=entity)
    text = read_text(spec_path, display=str(spec_path), max_bytes=max_file_size)
    outcome = walk(
        spec_path,
        text,
        rules,
        today=today or datetime.date.today().isoformat(),
        filters=Filters(limit=limit, pack=only_pack, entity=entity),
        read=lambda prompt: input(prompt),
        write=click.echo,
    )
    return EXIT_USAGE if outcome.interrupted else EXIT_OK


def _read_spec(spec_path: Path, max_file_size: int) -> Any:
    """A spec for `questions` and `ask`: a file that is no spec stops the run (exit 2)."""
    from consider.check import read_spec
    from consider.loader import Limits

    spec = read_spec(spec_path, display=str(spec_path), limits=Limits(max_bytes=max_file_size))
    if not spec.is_spec:
        first = spec.findings[0]
        raise ConsiderError(first.message, path=first.file, line=first.line, column=first.column)
    return spec


@cli.group()
def rules() -> None:
    """List and explain the rules that are checked."""


@rules.command("list")
@_format_option("text", "json")
@_pack_option
@_no_plugin_packs
def rules_list(output_format: str, packs: tuple[Path, ...], no_plugin_packs: bool) -> int:
    """Every rule: id, pack, kind, severity and title, and where each pack comes from."""
    from consider import rule_listing as catalog
    from consider.engine import load_rules

    entries = catalog.entries(load_rules(packs, plugins=not no_plugin_packs))
    click.echo(catalog.render_list(entries, output_format), nl=False)
    return EXIT_OK


@rules.command("show")
@click.argument("rule_id", metavar="ID")
@_pack_option
@_no_plugin_packs
def rules_show(rule_id: str, packs: tuple[Path, ...], no_plugin_packs: bool) -> int:
    """The documentation of one rule, or the rules that share a catalog code (CL-01)."""
    from consider import rule_listing as catalog
    from consider.engine import load_rules

    rules = load_rules(packs, plugins=not no_plugin_packs)
    click.echo(catalog.render_show(rules, rule_id), nl=False)
    return EXIT_OK


@rules.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--no-builtin-packs",
    is_flag=True,
    help="Do not check the packs' rule ids against the built-in packs'.",
)
@_no_plugin_packs
def rules_validate(paths: tuple[Path, ...], no_builtin_packs: bool, no_plugin_packs: bool) -> int:
    """Check rule-pack files: schema, conditions, names, templates, and ids.

    Rule ids must be unique beside the built-in and installed packs too, as `check --pack`
    loads them together (unless --no-builtin-packs, --no-plugin-packs).
    """
    from consider.engine import index, load_pack
    from consider.plugins import pack_path, pack_plugins, source_of
    from consider.resources import builtin_pack_paths

    packs = [load_pack(path) for path in paths]
    given = {path.resolve() for path in paths}
    offered = {} if no_plugin_packs else {pack_path(p): p for p in pack_plugins()}
    others = [*([] if no_builtin_packs else builtin_pack_paths()), *offered]
    beside = [
        load_pack(path, source=source_of(path, offered))
        for path in others
        if path.resolve() not in given
    ]
    index([*beside, *packs])
    total = sum(len(p.questions) + len(p.risks) for p in packs)
    click.echo(f"{len(packs)} pack(s), {total} rules: valid")
    return EXIT_OK


@rules.command("test")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@_format_option("text", "json")
@_pack_option
@click.option("--no-builtin-packs", is_flag=True, help="Do not load the built-in packs.")
@_no_plugin_packs
def rules_test(
    paths: tuple[str, ...],
    output_format: str,
    packs: tuple[Path, ...],
    no_builtin_packs: bool,
    no_plugin_packs: bool,
) -> int:
    """Run test specs whose `# expect: RULE` and `# expect-not: RULE` comments say what must
    be reported; exit 1 on any missed or unexpected finding."""
    from consider import rule_tests
    from consider.engine import load_rules

    rules = load_rules(packs, builtin=not no_builtin_packs, plugins=not no_plugin_packs)
    outcome = rule_tests.run(paths, rules)
    click.echo(printable(rule_tests.render(outcome, output_format)), nl=False)
    return EXIT_OK if outcome.passed else EXIT_FINDINGS


@cli.command("schema")
@click.argument("name", type=click.Choice(["spec", "rulepack", "report", "config"]), default="spec")
def schema_command(name: str) -> int:
    """Print a published JSON Schema (for editors: the spec schema, where any field may be tbd)."""
    import json

    from consider.resources import schema

    published = schema(name)
    if name == "spec":
        from consider.schema import editor_schema

        published = editor_schema(published)
    click.echo(json.dumps(published, indent=2))
    return EXIT_OK


def main(argv: list[str] | None = None) -> None:
    """The console script: run, map errors to exit codes, never show a traceback."""
    try:
        code = cli.main(args=argv, prog_name="consider", standalone_mode=False)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.ClickException as error:
        error.show()
        code = EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("consider: aborted", err=True)
        code = EXIT_USAGE
    except ConsiderError as error:
        click.echo(printable(f"consider: {error}"), err=True)
        code = EXIT_USAGE
    except BrokenPipeError:
        # A reader such as `head` went away; nothing more can be printed.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = EXIT_FINDINGS
    except Exception:  # a bug: one line, details written to a file
        code = _report_bug(argv)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def _report_bug(argv: list[str] | None) -> int:
    import tempfile
    import traceback

    details = traceback.format_exc()
    handle, name = tempfile.mkstemp(prefix="consider-crash-", suffix=".txt")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(f"consider {__version__}\ncommand: {' '.join(argv or sys.argv)}\n\n{details}")
    last = details.strip().splitlines()[-1]
    click.echo(
        f"consider: internal error (a bug in consider, not in your spec): {last}\n"
        f"details written to {name}; please report it with consider {__version__} and the "
        f"command: {' '.join(argv or sys.argv)}",
        err=True,
    )
    return EXIT_BUG
