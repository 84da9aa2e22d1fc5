"""Output formats: each module a pure function from a result to text.

Formats are imported by name only when asked for, so a run pays for its own format alone.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from consider.check import Result

FORMATS = ("text", "json")
"""The formats ``consider check --format`` accepts."""


def formatter(name: str) -> Callable[[Result], str]:
    """The ``render`` function of the format ``name``."""
    module = importlib.import_module(f"consider.report.{name}_format")
    render: Callable[[Result], str] = module.render
    return render
