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
from typing import Any, TypeVar

import click

from consider import __version__
from consider.errors import ConsiderError
from consider.report import one_line

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


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@_format_option("text", "json")
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="error",
    show_default=True,
    help="Exit 1 when a risk or schema finding is at or above this severity.",
)
@_max_file_size
@_pack_option
@click.option(
    "--no-builtin-packs",
    is_flag=True,
    help="Use only the packs given with --pack (with none: check the spec format alone).",
)
def check(
    paths: tuple[str, ...],
    output_format: str,
    fail_on: str,
    max_file_size: int,
    packs: tuple[Path, ...],
    no_builtin_packs: bool,
) -> int:
    """Report the risks and unanswered questions of specs (files, folders or globs)."""
    from consider.check import expand, run
    from consider.engine import load_rules
    from consider.findings import parse_threshold
    from consider.loader import Limits
    from consider.report import View, formatter

    rules = load_rules(packs, builtin=not no_builtin_packs)
    files = expand(paths)
    if not files:
        raise ConsiderError(
            f"no spec files found in {', '.join(paths)}; a spec is a .yaml "
            "file whose top level has a 'consider:' key"
        )
    result = run(files, rules, limits=Limits(max_bytes=max_file_size))
    render = formatter(output_format)
    threshold = parse_threshold(fail_on)
    click.echo(render(result, View(threshold=threshold)), nl=False)
    for file in result.files:
        if file.error is not None:
            click.echo(one_line(f"consider: {file.error}"), err=True)
    return result.exit_code(threshold)


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
            one_line(
                f"consider: warning: {finding.file}:{finding.line}:{finding.column}: "
                f"{finding.message} (left out of the lineage)"
            ),
            err=True,
        )
    return spec


@cli.group()
def rules() -> None:
    """List and explain the rules that are checked."""


@rules.command("list")
@_format_option("text", "json")
@_pack_option
def rules_list(output_format: str, packs: tuple[Path, ...]) -> int:
    """Every rule: id, pack, kind, severity and title."""
    from consider import catalog
    from consider.engine import load_rules

    entries = catalog.entries(load_rules(packs))
    click.echo(catalog.render_list(entries, output_format), nl=False)
    return EXIT_OK


@rules.command("show")
@click.argument("rule_id", metavar="ID")
@_pack_option
def rules_show(rule_id: str, packs: tuple[Path, ...]) -> int:
    """The documentation of one rule."""
    from consider import catalog
    from consider.engine import load_rules

    click.echo(catalog.render_show(load_rules(packs), rule_id), nl=False)
    return EXIT_OK


@rules.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--no-builtin-packs",
    is_flag=True,
    help="Do not check the packs' rule ids against the built-in packs'.",
)
def rules_validate(paths: tuple[Path, ...], no_builtin_packs: bool) -> int:
    """Check rule-pack files: schema, conditions, names, templates, and ids.

    Rule ids must be unique beside the built-in packs too, as `check --pack` loads them
    together (unless --no-builtin-packs).
    """
    from consider.engine import index, load_pack
    from consider.resources import builtin_pack_paths

    packs = [load_pack(path) for path in paths]
    given = {path.resolve() for path in paths}
    beside = (
        []
        if no_builtin_packs
        else [load_pack(path) for path in builtin_pack_paths() if path.resolve() not in given]
    )
    index([*beside, *packs])
    total = sum(len(p.questions) + len(p.risks) for p in packs)
    click.echo(f"{len(packs)} pack(s), {total} rules: valid")
    return EXIT_OK


@cli.command("schema")
@click.argument("name", type=click.Choice(["spec", "rulepack", "report"]), default="spec")
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
        from consider.bounds import clip

        # Its message may quote what was typed (a 400-digit size, a name with a newline).
        setattr(error, "message", one_line(clip(error.message, 300)))  # noqa: B010 (Final)
        error.show()
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
    sys.exit(code if isinstance(code, int) else EXIT_OK)


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
