"""Large-spec benchmark: a 10,000-entity spec against the parse floor and against Spectral.

Three figures on the same file (``bench/generate.py``'s layered shape), measured in one run:

1. consider's check of the file, in process (``consider.check.check_file``: load, validate,
   model, facts, rules; the cyclic collector paused, as the check pauses it), against
   PyYAML's ``CSafeLoader`` compose of the same text with the collector off: the floor of
   any YAML linter in Python. Target: at most 2x.
2. ``consider check`` as a process (wall time and peak RSS) against ``spectral lint`` with
   the ruleset in ``../shared/peers/spectral-ruleset.yaml`` (24 per-entity checks). Target:
   at most 0.5x Spectral's time and 0.5x its peak memory.

Under the first figure it prints where the in-process check's time goes, stage by stage
(the fastest of the runs for each), freeing the spec included.

Spectral is installed by npm into a temporary folder (or the folder given with
``--spectral-dir``, kept for the next run); when npm is not there the comparison is skipped
with a line that says so. The machine may be shared: each figure is the median of
``--runs`` paired runs, consider's and the peer's interleaved.

    python bench/large.py [--entities 10000] [--runs 5] [--spectral-dir DIR]
"""

from __future__ import annotations

import argparse
import compileall
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # bench/ is not a package

ROOT = Path(__file__).resolve().parent.parent
RULESET = ROOT.parent / "shared" / "peers" / "spectral-ruleset.yaml"
SPECTRAL = "@stoplight/spectral-cli@6"
MAX_FILE_SIZE = "200MB"
COMPOSE_TARGET = 2.0
SPECTRAL_TARGET = 0.5


def _in_process(path: Path, runs: int) -> tuple[list[float], list[float]]:
    """Paired samples: consider's check of ``path`` and the CSafeLoader compose of it."""
    import yaml

    from consider.check import check_file
    from consider.engine import load_rules
    from consider.loader import Limits
    from consider.units import parse_size

    limits = Limits(max_bytes=int(parse_size(MAX_FILE_SIZE)))
    rules = load_rules()
    text = path.read_text("utf-8")
    checks: list[float] = []
    composes: list[float] = []
    check_file(path, rules, display=path.name, limits=limits)  # warm: imports, phrase tables
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        check_file(path, rules, display=path.name, limits=limits)
        checks.append(time.perf_counter() - started)
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            yaml.compose(text, Loader=yaml.CSafeLoader)
            composes.append(time.perf_counter() - started)
        finally:
            gc.enable()
    return checks, composes


STAGES = ("load", "validate", "model", "evaluate (facts and rules)", "free")


def _stages(path: Path, runs: int) -> dict[str, float]:
    """Where the in-process check's time goes: the fastest of ``runs`` for each stage (the
    collector off, as the check runs), freeing the spec included."""
    from consider.engine import evaluate, load_rules
    from consider.loader import Limits, load
    from consider.model import build
    from consider.schema import validate
    from consider.units import parse_size

    limits = Limits(max_bytes=int(parse_size(MAX_FILE_SIZE)))
    rules = load_rules()
    best: dict[str, float] = {}
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            times = [time.perf_counter()]
            document = load(path, limits=limits)
            times.append(time.perf_counter())
            validation = validate(document)
            times.append(time.perf_counter())
            spec = build(document, validation)
            times.append(time.perf_counter())
            evaluate(spec, rules)
            times.append(time.perf_counter())
            del spec, document, validation
            times.append(time.perf_counter())
        finally:
            gc.enable()
        for name, start, end in zip(STAGES, times, times[1:], strict=False):
            best[name] = min(best.get(name, end - start), end - start)
    return best


_MEASURE = """
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
errors = child.stderr.read()
_, status, usage = os.wait4(child.pid, 0)
elapsed = time.perf_counter() - started
sys.stderr.buffer.write(errors[-2000:])
print(os.waitstatus_to_exitcode(status), elapsed, usage.ru_maxrss * 1024)
"""
"""Runs a command and reports its exit code, wall time and peak RSS. It runs in a small
process of its own: Linux carries a process's peak RSS across exec, so a child forked from
this benchmark (grown by the in-process part) would count this process's memory too."""


def _process(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one run of ``command``."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True
    )
    code, elapsed, peak = done.stdout.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {code}: {done.stderr}")
    return float(elapsed), int(peak)


def _spectral(folder: Path) -> Path | None:
    """The spectral executable installed in ``folder`` (installed now if need be), or None."""
    executable = folder / "node_modules" / ".bin" / "spectral"
    if executable.exists():
        return executable
    npm = shutil.which("npm")
    if npm is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--silent", SPECTRAL],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not executable.exists():
        print(f"npm install {SPECTRAL} failed: {done.stderr.strip()[-500:]}")
        return None
    return executable


def _consider() -> list[str]:
    script = shutil.which("consider", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "consider"]


def _mib(size: float) -> str:
    return f"{size / (1 << 20):6.1f} MiB"


def _verdict(ratio: float, target: float) -> str:
    return f"{ratio:.2f}x (target <= {target}x: {'meets' if ratio <= target else 'misses'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--spectral-dir", type=Path, help="install Spectral here, and keep it")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="consider-large-"))
    try:
        spec = work / "large.yaml"
        spec.write_text(generate.generate("layered", args.entities), encoding="utf-8")
        print(f"spec: {args.entities:,} entities, layered, {spec.stat().st_size / 1e6:.1f} MB")
        print(f"cores: {os.cpu_count()}; {args.runs} paired runs each, interleaved; medians")

        checks, composes = _in_process(spec, args.runs)
        check_time = statistics.median(checks)
        compose_time = statistics.median(composes)
        ratios = statistics.median(c / p for c, p in zip(checks, composes, strict=True))
        print(f"consider check, in process        {check_time * 1000:8.0f} ms")
        print(f"CSafeLoader compose (GC off)      {compose_time * 1000:8.0f} ms")
        print(f"consider / compose: {_verdict(ratios, COMPOSE_TARGET)}")
        stages = _stages(spec, args.runs)
        print(
            "  stages, fastest of the runs: "
            + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in stages.items())
        )

        # As installed: pip writes the bytecode of a package it installs, so the runs must
        # not compile consider's modules from source each time (PYTHONDONTWRITEBYTECODE).
        import consider

        compileall.compile_dir(Path(consider.__file__).parent, quiet=1)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["CONSIDER_CACHE_DIR"] = str(work / "cache")
        command = [*_consider(), "check", str(spec), "--max-file-size", MAX_FILE_SIZE]
        _process(command)  # fills the pack cache, as a first run does

        spectral = _spectral(args.spectral_dir or work / "spectral")
        if spectral is None:
            print("spectral: skipped (npm is not available); no comparison with Spectral")
        elif not RULESET.exists():
            print(f"spectral: skipped ({RULESET} not found)")
        peer = (
            [str(spectral), "lint", "--quiet", "--ruleset", str(RULESET), str(spec)]
            if spectral is not None and RULESET.exists()
            else None
        )
        ours: list[tuple[float, int]] = []
        theirs: list[tuple[float, int]] = []
        if peer is not None:
            _process(peer)  # node's own caches, as after a first run
        for _ in range(args.runs):
            ours.append(_process(command))
            if peer is not None:
                theirs.append(_process(peer))
        our_time = statistics.median(t for t, _ in ours)
        our_rss = statistics.median(m for _, m in ours)
        label = "consider check (process)"
        print(f"{label:33s} {our_time * 1000:8.0f} ms  {_mib(our_rss)}")
        if theirs:
            their_time = statistics.median(t for t, _ in theirs)
            their_rss = statistics.median(m for _, m in theirs)
            time_ratio = statistics.median(a[0] / b[0] for a, b in zip(ours, theirs, strict=True))
            rss_ratio = statistics.median(a[1] / b[1] for a, b in zip(ours, theirs, strict=True))
            label = "spectral lint"
            print(f"{label:33s} {their_time * 1000:8.0f} ms  {_mib(their_rss)}")
            print(f"consider / spectral, time:   {_verdict(time_ratio, SPECTRAL_TARGET)}")
            print(f"consider / spectral, memory: {_verdict(rss_ratio, SPECTRAL_TARGET)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)  # Spectral too, unless --spectral-dir kept it


if __name__ == "__main__":
    main()
