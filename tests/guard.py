"""Run the real command line in a forked child, within a time and an address-space limit.

The hardening and fuzzing tests feed consider hostile input; should a regression bring back a
hang or a blow-up, the child is stopped by its limits rather than taking the test run (or the
machine) down. Forking an already-imported consider costs about a millisecond, where a fresh
interpreter costs a third of a second. bench/attacks.py measures with the same helper.
"""

from __future__ import annotations

import gc
import os
import resource
import signal
import sys
import tempfile
import time
from typing import NamedTuple

TIMEOUT = 30
"""Seconds: generous, as a guard, not a timing."""
HEADROOM = 1 << 30
"""Address space a child may add to what the parent has mapped: 1 GiB."""


class Outcome(NamedTuple):
    """What one guarded run did."""

    code: int
    """The exit code, or -signal when the child was killed (by its limits)."""
    out: str
    err: str
    seconds: float
    peak_rss: int
    """Peak resident memory of the child, in bytes."""


def _mapped() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


_WARM: list[bool] = []


def _warm() -> None:
    """Import in the parent what every child needs, once: a child then starts at once."""
    if _WARM:
        return
    import importlib

    for name in (
        "consider.check",
        "consider.engine",
        "consider.facts.staleness",
        "consider.facts.slos",
        "consider.facts.serving",
        "consider.facts.collection",
        "consider.facts.models",
        "consider.facts.press_release",
        "consider.report.text_format",
        "consider.report.json_format",
        "consider.commands.rules",
        "consider.schema",
        "jsonschema",
        "tabulate",
    ):
        importlib.import_module(name)
    from consider.engine import load_rules

    load_rules()  # compiled once here, so each child reads it from the cache
    # What exists now is never collected in a child: without this, the child's first
    # collection touches (and so copies) every page of the parent, doubling a run's time.
    gc.freeze()
    _WARM.append(True)


def run(*args: str, timeout: int = TIMEOUT, headroom: int = HEADROOM) -> Outcome:
    """``consider ARGS`` in a forked child: exit code, stdout, stderr, time and peak memory."""
    from consider.cli import main

    _warm()
    limit = _mapped() + headroom
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        started = time.perf_counter()
        child = os.fork()
        if child == 0:  # pragma: no cover - runs in the child
            code = 3
            try:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
                signal.alarm(timeout)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                sys.stdout = os.fdopen(1, "w", encoding="utf-8", errors="replace")
                sys.stderr = os.fdopen(2, "w", encoding="utf-8", errors="replace")
                main(list(args))
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else 0
            except BaseException:
                code = 99
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code)
        _, status, usage = os.wait4(child, 0)
        seconds = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Outcome(
            code,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            usage.ru_maxrss * 1024,
        )
