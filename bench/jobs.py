"""Parallel benchmark: ``consider check`` over 1,000 spec files, one core against all.

The specs are synthetic (bench/generate.py, layered lineage, each with its own seed), written
to a temporary folder. The same command, ``consider check --format json FOLDER``, is timed
as a fresh process with ``--jobs 1`` and with ``--jobs`` the number of cores, interleaved,
the best of ``--repeat`` runs each (the pack cache is warmed first). The speed-up is the one
run over the other. On a machine that other work keeps busy, more jobs find no idle core,
so three figures are printed beside it: the load average; the machine's own ceiling in the
same minutes (pure-Python loops on that many processes against one); and the speed-up on idle
cores estimated from CPU time (jobs x the serial run's CPU / the parallel run's CPU, which
counts what the pool itself costs but assumes the work spreads evenly).

Target (issue 7): a speed-up of at least 0.9 x the cores, counting at most 4 of them.

    python bench/jobs.py [--files 1000] [--entities 60] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from consider.workers import cores

TARGET_PER_CORE = 0.9
TARGET_MAX_CORES = 4


def _command() -> list[str]:
    script = shutil.which("consider", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "consider"]


def _time(command: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user and system, the process and its workers) of a run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(
            f"bench: {' '.join(command[:3])}... exited {done.returncode}:\n"
            + done.stderr.decode(errors="replace")
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def _spin(rounds: int = 2_000_000) -> int:
    total = 0
    for i in range(rounds):
        total += i * i
    return total


def _machine_speedup(jobs: int) -> float:
    """What the machine gives right now to ``jobs`` processes of pure Python, against one:
    the ceiling for consider's figure, taken in the same minutes."""
    import multiprocessing

    start = time.perf_counter()
    for _ in range(jobs):
        _spin()
    alone = time.perf_counter() - start
    with multiprocessing.get_context().Pool(jobs) as pool:
        pool.map(_spin, [1000])  # the pool's start-up is not the measure
        start = time.perf_counter()
        pool.map(_spin, [2_000_000] * jobs, chunksize=1)
        together = time.perf_counter() - start
    return alone / together


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--entities", type=int, default=60, help="entities per spec")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument("--jobs", type=int, default=0, help="the parallel run's jobs (0: cores)")
    args = parser.parse_args(argv)

    available = cores()
    before = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    jobs = args.jobs or available
    with tempfile.TemporaryDirectory(prefix="consider-jobs-") as folder:
        for i in range(args.files):
            text = generate("layered", args.entities, seed=i)
            Path(folder, f"spec-{i:04d}.yaml").write_text(text, encoding="utf-8")
        base = [*_command(), "check", "--format", "json", folder]
        _time([*base, "--jobs", str(jobs)])  # warm the pack cache and the page cache
        ceiling = _machine_speedup(jobs)
        serial: list[tuple[float, float]] = []
        parallel: list[tuple[float, float]] = []
        for _ in range(args.repeat):
            serial.append(_time([*base, "--jobs", "1"]))
            parallel.append(_time([*base, "--jobs", str(jobs)]))

    (one, one_cpu), (many, many_cpu) = min(serial), min(parallel)
    speedup = one / many
    target = TARGET_PER_CORE * min(jobs, TARGET_MAX_CORES)
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(f"{args.files} specs of about {args.entities} entities, {available} core(s)")
    print(f"load average before and after: {before}; {load} (others' work lowers the figure)")
    print(f"--jobs 1: {one:.2f} s ({one / args.files * 1000:.1f} ms a file), {one_cpu:.2f} s CPU")
    print(
        f"--jobs {jobs}: {many:.2f} s ({many / args.files * 1000:.1f} ms a file), "
        f"{many_cpu:.2f} s CPU"
    )
    print(f"the machine now: {ceiling:.2f}x for {jobs} processes of pure Python against one")
    verdict = "met" if speedup >= target else "NOT met"
    print(f"speed-up {speedup:.2f}x on {jobs} job(s); target {target:.2f}x: {verdict}")
    # What the cores would give if nothing else ran: the work spread over them, plus the
    # pool's own cost (the CPU the parallel run spends beyond the serial one).
    idle = jobs * one_cpu / many_cpu
    print(f"on idle cores (jobs x serial CPU / parallel CPU): {idle:.2f}x")
    return 0 if speedup >= target else 1


if __name__ == "__main__":
    sys.exit(main())
