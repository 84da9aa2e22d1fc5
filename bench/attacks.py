"""Each attack of issue 13: its exit code, wall time and peak memory, against the targets.

The attacks are the regression tests' (tests/attacks.py); each runs in a forked child of
this small process (tests/guard.py), so the peak resident memory printed is the child's,
the interpreter and consider's modules included. Target: each within 2 s and 200 MB.

    python bench/attacks.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from attacks import ATTACKS  # noqa: E402
from guard import run  # noqa: E402

SECONDS = 2.0
MEGABYTES = 200


def main() -> int:
    over = 0
    print(f"{os.cpu_count()} cores; target: each attack within {SECONDS:g} s and {MEGABYTES} MB")
    print(f"{'attack':36} {'exit':>4} {'seconds':>8} {'MB':>6}  verdict")
    for attack in ATTACKS:
        with tempfile.TemporaryDirectory() as folder:
            outcome = run(*attack.build(Path(folder)))
        megabytes = outcome.peak_rss / 1e6
        good = (
            outcome.code in attack.codes and outcome.seconds <= SECONDS and megabytes <= MEGABYTES
        )
        over += not good
        print(
            f"{attack.name:36} {outcome.code:>4} {outcome.seconds:>8.2f} {megabytes:>6.0f}  "
            f"{'ok' if good else 'OVER'}"
        )
    print(f"\n{len(ATTACKS) - over} of {len(ATTACKS)} attacks within the targets")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
