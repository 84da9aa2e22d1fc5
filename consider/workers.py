"""Checking many files on several cores, each result given back in the order asked for.

The unit of work is one file. Worker processes are forked where the platform can, so the
rule set compiled once in the parent is inherited rather than loaded again in each worker;
elsewhere (spawn) it reaches each worker once, as a pickle, through the pool's initializer.
Results come back in the order of the targets, each as soon as it and those before it are
done, so a caller can print a file's part of a line format while later files still run.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from consider.check import Target, check_target
from consider.engine import RuleSet
from consider.loader import Limits
from consider.policy import NO_POLICY, Policy
from consider.result import FileResult

if TYPE_CHECKING:
    import multiprocessing.context

_rules: RuleSet | None = None
_limits: Limits | None = None
_policy: Policy = NO_POLICY


def cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS and Windows have no affinity call
        return os.cpu_count() or 1


def check_all(
    targets: Sequence[Target],
    rules: RuleSet,
    *,
    limits: Limits,
    jobs: int,
    policy: Policy = NO_POLICY,
) -> Iterator[FileResult | None]:
    """Each target's result (None for a file passed over as no spec), in the targets' order.

    With ``jobs`` 1, or a single target, the files are checked here, one after the other:
    a pool would only add its start-up.
    """
    workers = min(jobs, len(targets))
    if workers <= 1:
        for target in targets:
            yield check_target(target, rules, limits=limits, policy=policy)
        return
    # Objects made before the fork are moved out of the collector's sight: a collection in
    # a worker would otherwise write to each of them, copying every inherited page.
    # The pool's modules are imported only here: a run of one file (a pre-commit hook's
    # usual call) does not pay for them at start-up.
    from concurrent.futures import ProcessPoolExecutor

    gc.freeze()
    pool = ProcessPoolExecutor(
        workers, mp_context=_context(), initializer=_start, initargs=(rules, limits, policy)
    )
    try:
        yield from pool.map(_check, targets, chunksize=_chunk(len(targets), workers))
    finally:
        # A caller that stops early (a reader such as `head` went away) leaves no file
        # to be checked for nothing.
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()


def _context() -> multiprocessing.context.BaseContext:
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()  # pragma: no cover - platforms without fork


def _chunk(count: int, workers: int) -> int:
    # Small enough that results stream and the last worker is not left alone with a long
    # tail; large enough that a run of many small files is not all hand-over.
    return max(1, min(8, count // (workers * 8)))


def _start(rules: RuleSet, limits: Limits, policy: Policy) -> None:
    global _rules, _limits, _policy
    _rules, _limits, _policy = rules, limits, policy
    # Ctrl-C reaches the whole process group: the parent stops the run and says so in one
    # line; a worker that took it too would print its own traceback. (Imported here: a
    # single-file check, a pre-commit hook's, starts no worker.)
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _check(target: Target) -> FileResult | None:
    assert _rules is not None and _limits is not None, "the pool's initializer sets them"
    return check_target(target, _rules, limits=_limits, policy=_policy)
