"""The ``consider`` console script's entry point, kept apart from :mod:`consider.cli` so
that it runs before click, PyYAML and the commands are imported.

Importing them makes tens of thousands of long-lived objects, and the cyclic collector,
left at its defaults, walks them over and over while they are made and frees nothing
(about 2.5 ms of a check's start-up, a quarter of a bare ``python -c pass``). The console
script's process is consider's alone, so the collector is quieted first, as
:func:`consider.cli.main` does for the rest of the run; a caller that imports
:mod:`consider.cli` in its own process keeps its collector as it was.
"""

from __future__ import annotations

import gc


def main() -> None:
    """Quiet the cyclic collector, then run the command line (which exits)."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    from consider.cli import main as run

    run()
