"""The command line: click only. Parse options, call the command (``consider.commands``),
print what it gives back, choose the exit code.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 the run could
not be made (bad usage, unreadable YAML, an invalid pack); 3 a bug in consider.
Everything else is imported when a command needs it, so start-up stays small. The progress
line of ``check`` is drawn here too: it is the terminal's, not the command's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from consider import __version__
from consider.errors import ConsiderError
from consider.lazyre import import_lazily
from consider.report import FORMATS, one_line, printable

if TYPE_CHECKING:
    import click
else:
    click = import_lazily("click")  # its patterns compiled on first use (consider/lazyre.py)

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

_PATH = click.Path(path_type=Path)
"""One path type for every option and argument that takes a path: click looks each new one's
name up in gettext's catalogues, a few file lookups, on every start."""

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
    type=_PATH,
    help="An extra rule-pack file (repeatable).",
)

_no_plugin_packs = click.option(
    "--no-plugin-packs",
    is_flag=True,
    help="Do not load the packs of installed packages (entry points in consider.packs).",
)
_only_pack_option = click.option(
    "--only-pack", metavar="ID", help="Only the questions of this pack."
)
_entity_option = click.option(
    "--entity", metavar="REF", help="Only the questions about this entity."
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
    type=_PATH,
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
    type=_PATH,
    help="Fail only on findings this baseline does not record (overrides the config's).",
)
@click.option(
    "--write-baseline",
    type=_PATH,
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
def check(today: Any, colour: bool | None, **options: Any) -> int:
    """Report the risks and unanswered questions of specs (files, folders, globs, or - for
    standard input)."""
    from consider.commands.check import check as check_command

    return check_command(
        **options,
        today=today.date().isoformat() if today else "",
        colour=_colour_wanted(colour),
        show=_show,
        warn=_warn,
        progress=_Progress,
    )


def _show(text: str) -> None:
    click.echo(text, nl=False)


def _warn(text: str) -> None:
    click.echo(text, err=True)


def _colour_wanted(flag: bool | None) -> bool:
    """--color or --no-color when given, else colour on a terminal unless NO_COLOR is set."""
    if flag is not None:
        return flag
    return not os.environ.get("NO_COLOR") and sys.stdout.isatty()


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
@click.argument("spec_path", metavar="SPEC", type=_PATH)
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
    from consider.commands.impact import impact as impact_command

    _show(
        impact_command(
            spec_path,
            changed,
            output_format=output_format,
            max_file_size=max_file_size,
            warn=_warn,
        )
    )
    return EXIT_OK


@cli.command()
@click.argument("spec_path", metavar="SPEC", type=_PATH)
@_format_option("mermaid", "dot", "json")
@_max_file_size
def graph(spec_path: Path, output_format: str, max_file_size: int) -> int:
    """The lineage graph, with staleness against each SLO, critical paths and loops."""
    from consider.commands.graph import graph as graph_command

    _show(
        graph_command(
            spec_path, output_format=output_format, max_file_size=max_file_size, warn=_warn
        )
    )
    return EXIT_OK


@cli.command()
@click.argument("path", required=False, type=_PATH)
@click.option("--example", metavar="NAME", help="Start from a bundled example spec instead.")
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def init(path: Path | None, example: str | None, force: bool) -> int:
    """Write a new spec (spec.yaml by default): the press release first, then the entities."""
    from consider.commands.init import init as init_command

    click.echo(one_line(init_command(path, example=example, force=force)))
    return EXIT_OK


@cli.command()
@click.argument("spec_path", metavar="SPEC", type=_PATH)
@_format_option("text", "markdown", "json")
@_only_pack_option
@_entity_option
@_max_file_size
@_pack_option
@_no_plugin_packs
def questions(**options: Any) -> int:
    """The open questions as a questionnaire, grouped by pack and entity, with progress."""
    from consider.commands.questions import questions as questions_command

    _show(questions_command(**options))
    return EXIT_OK


@cli.command()
@click.argument("spec_path", metavar="SPEC", type=_PATH)
@click.option("--max", "limit", type=click.IntRange(min=1), help="Ask at most N questions.")
@_only_pack_option
@_entity_option
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

    if not spec_path.is_file():
        from consider.loader import read_text

        read_text(spec_path, display=str(spec_path), max_bytes=max_file_size)  # says why not
    if not sys.stdin.isatty():
        raise ConsiderError(
            "consider ask needs a terminal to ask its questions in; to list them without "
            f"one, run: consider questions {spec_path}"
        )
    if today is not None and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", today):
        raise click.BadParameter(f"{today!r} is not a date like 2026-03-02", param_hint="--date")
    from consider.commands.ask import ask as ask_command

    interrupted = ask_command(
        spec_path,
        limit=limit,
        only_pack=only_pack,
        entity=entity,
        today=today or datetime.date.today().isoformat(),
        max_file_size=max_file_size,
        packs=packs,
        no_plugin_packs=no_plugin_packs,
        read=lambda prompt: input(prompt),
        write=click.echo,
    )
    return EXIT_USAGE if interrupted else EXIT_OK


@cli.group()
def rules() -> None:
    """List and explain the rules that are checked."""


@rules.command("list")
@_format_option("text", "json")
@_pack_option
@_no_plugin_packs
def rules_list(output_format: str, packs: tuple[Path, ...], no_plugin_packs: bool) -> int:
    """Every rule: id, pack, kind, severity and title, and where each pack comes from."""
    from consider.commands.rules import list_rules

    _show(list_rules(packs, output_format=output_format, plugins=not no_plugin_packs))
    return EXIT_OK


@rules.command("show")
@click.argument("rule_id", metavar="ID")
@_pack_option
@_no_plugin_packs
def rules_show(rule_id: str, packs: tuple[Path, ...], no_plugin_packs: bool) -> int:
    """The documentation of one rule, or the rules that share a catalog code (CL-01)."""
    from consider.commands.rules import show_rule

    _show(show_rule(packs, rule_id, plugins=not no_plugin_packs))
    return EXIT_OK


@rules.command("validate")
@click.argument("paths", nargs=-1, required=True, type=_PATH)
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
    from consider.commands.rules import validate_packs

    click.echo(
        validate_packs(paths, no_builtin_packs=no_builtin_packs, no_plugin_packs=no_plugin_packs)
    )
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
    from consider.commands.rules import test_packs

    report, passed = test_packs(
        paths,
        packs,
        output_format=output_format,
        builtin=not no_builtin_packs,
        plugins=not no_plugin_packs,
    )
    _show(printable(report))
    return EXIT_OK if passed else EXIT_FINDINGS


@cli.command("schema")
@click.argument("name", type=click.Choice(["spec", "rulepack", "report", "config"]), default="spec")
def schema_command(name: str) -> int:
    """Print a published JSON Schema (for editors: the spec schema, where any field may be tbd)."""
    from consider.commands.schema import schema

    click.echo(schema(name))
    return EXIT_OK


def main(argv: list[str] | None = None) -> None:
    """The console script: run, map errors to exit codes, never show a traceback."""
    if argv is None:
        _quiet_collector()
    try:
        code = cli.main(args=argv, prog_name="consider", standalone_mode=False)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.ClickException as error:
        from consider.bounds import clip

        # One line, like every other error: the command, what was wrong, where help is. The
        # message may quote what was typed (a 400-digit size, a name with a newline).
        ctx = getattr(error, "ctx", None)
        where = ctx.command_path if ctx is not None else "consider"
        message = one_line(clip(error.format_message(), 300)).rstrip(".")
        click.echo(f"{where}: {message}; see '{where} --help'", err=True)
        code = EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("consider: aborted", err=True)
        code = EXIT_USAGE
    except ConsiderError as error:
        click.echo(one_line(f"consider: {error}"), err=True)
        code = EXIT_USAGE
    except BrokenPipeError:
        # A reader such as `head` went away; nothing more can be printed.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = EXIT_FINDINGS
    except Exception:  # a bug: one line, details written to a file
        code = _report_bug(argv)
    if argv is None:
        # The console script's process ends here. Frozen objects are spared the collection
        # Python runs at exit, a walk over every object of click, PyYAML and the run that
        # frees nothing (bench/startup.py).
        import gc

        gc.freeze()
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def _quiet_collector() -> None:
    """Spare the console script's start-up the cyclic collector's rescans.

    Importing the commands' modules and PyYAML makes tens of thousands of long-lived objects;
    each full collection while they are made walks them all and frees nothing. What exists
    now is frozen (never scanned again) and the next collections wait for many more
    allocations than the default 700. Only for the console script's own process: a caller
    that runs ``main(argv)`` in its process keeps its collector as it was.
    """
    import gc

    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def _report_bug(argv: list[str] | None) -> int:
    import tempfile
    import traceback

    details = traceback.format_exc()
    handle, name = tempfile.mkstemp(prefix="consider-crash-", suffix=".txt")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(f"consider {__version__}\ncommand: {' '.join(argv or sys.argv)}\n\n{details}")
    last = one_line(details.strip().splitlines()[-1])
    click.echo(
        f"consider: internal error (a bug in consider, not in your spec): {last}\n"
        f"details written to {name}; please report it with consider {__version__} and the "
        f"command: {' '.join(argv or sys.argv)}",
        err=True,
    )
    return EXIT_BUG
