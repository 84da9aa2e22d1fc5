"""Fuzzing, the long run: the strategies of tests/fuzzing.py over many inputs.

The property is the test suite's (tests/test_fuzz.py): whatever the input, consider exits
0, 1 or 2, never with a traceback or exit 3, each run in a forked child under a timeout and
an address-space limit (tests/guard.py). Failures are printed with the command and the end
of stderr, and the input is kept in a folder to reproduce it; the summary gives inputs tried
and failures per strategy.

    python bench/fuzz.py [--inputs 10000] [--seed 0] [--keep bench/fuzz-failures]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fuzzing import CASES, Case  # noqa: E402
from guard import run  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="in all, split evenly")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=ROOT / "bench" / "fuzz-failures")
    options = parser.parse_args()
    each = max(1, options.inputs // len(CASES))
    tried: dict[str, int] = {}
    failed: dict[str, int] = {}
    started = time.perf_counter()
    for name, strategy in CASES.items():
        tried[name] = failed[name] = 0
        _probe(name, strategy, each, options, tried, failed)()
        print(
            f"{name:16} {tried[name]:6} inputs, {failed[name]} failures "
            f"({time.perf_counter() - started:.0f} s so far)",
            flush=True,
        )
    total = sum(tried.values())
    failures = sum(failed.values())
    print(f"\n{total} inputs tried, {failures} failures, {time.perf_counter() - started:.0f} s")
    return 1 if failures else 0


def _probe(
    name: str,
    strategy: Any,
    each: int,
    options: argparse.Namespace,
    tried: dict[str, int],
    failed: dict[str, int],
) -> Any:
    @seed(options.seed)
    @settings(
        max_examples=each,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def probe(case: Case) -> None:
        tried[name] += 1
        with tempfile.TemporaryDirectory() as folder:
            args = case.write(Path(folder))
            outcome = run(*args)
            if outcome.code not in (0, 1, 2) or "Traceback" in outcome.err:
                failed[name] += 1
                kept = options.keep / f"{name}-{failed[name]}"
                shutil.copytree(folder, kept, dirs_exist_ok=True)
                print(f"FAIL {name} exit {outcome.code}: {' '.join(args)[:200]}")
                print(f"     kept in {kept}; stderr: {outcome.err[-600:]!r}", flush=True)

    return probe


if __name__ == "__main__":
    sys.exit(main())
