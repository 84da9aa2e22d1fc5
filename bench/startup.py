"""Start-up benchmark: a cold ``consider check`` of a small spec against ``python -c pass``.

A pre-commit hook starts a new process on every commit, so what matters is the wall time of
a fresh process. Both commands run in the same interpreter and environment, interleaved, so
the ratio holds however busy the machine is; the median of many runs is reported.

"Cold" means a new process, as the hook makes one. The pack cache (compiled rules, in the
user's cache folder) is warmed once first, as it is after the first commit; the figure
without it is printed too. Bytecode is compiled first, as ``pip install`` does.

Target (issue 13, item 5): the cold check at most 8x ``python -c pass``.

    python bench/startup.py [--runs 40] [SPEC]
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "examples" / "sound-search-ranking.yaml"
TARGET = 8.0


def _command() -> list[str]:
    script = shutil.which("consider", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "consider"]


def _time(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    import consider

    compileall.compile_dir(Path(consider.__file__).parent, quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cache = tempfile.mkdtemp(prefix="consider-bench-cache-")
    env["CONSIDER_CACHE_DIR"] = cache
    base = [sys.executable, "-c", "pass"]
    check = [*_command(), "check", str(args.spec)]
    check_json = [*check, "--format", "json"]
    uncached_env = {**env, "CONSIDER_NO_CACHE": "1"}

    _time(check, env)  # warm the pack cache, as the first commit does
    samples: dict[str, list[float]] = {"pass": [], "check": [], "json": [], "nocache": []}
    for _ in range(args.runs):
        samples["pass"].append(_time(base, env))
        samples["check"].append(_time(check, env))
        samples["json"].append(_time(check_json, env))
        samples["nocache"].append(_time(check, uncached_env))
    shutil.rmtree(cache, ignore_errors=True)

    median = {name: statistics.median(values) for name, values in samples.items()}
    print(f"spec: {args.spec.relative_to(ROOT) if args.spec.is_relative_to(ROOT) else args.spec}")
    print(f"runs: {args.runs} each, interleaved; medians")
    print(f"python -c pass                    {median['pass'] * 1000:7.1f} ms   1.0x")
    for name, label in (
        ("check", "consider check (text)"),
        ("json", "consider check --format json"),
        ("nocache", "consider check, no pack cache"),
    ):
        ratio = median[name] / median["pass"]
        print(f"{label:33s} {median[name] * 1000:7.1f} ms  {ratio:4.1f}x")
    ratio = median["check"] / median["pass"]
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"cores: {os.cpu_count()}")
    print(f"target: cold check <= {TARGET:.0f}x python -c pass: {verdict} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
