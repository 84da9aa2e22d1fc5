"""Version requirements such as ``>=0.3, <2``, compared without a dependency.

Only what a pack's ``requires`` needs: release numbers (``0.3``, ``1.2.0``) and the
comparisons ``>= <= > < == !=``, joined by commas. A version's pre-release or local part
(``1.0rc1``, ``1.0+dev``) is read as its release.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from consider.lazyre import LazyPattern

_CLAUSE = LazyPattern(r"^\s*(>=|<=|==|!=|>|<)\s*([0-9]+(?:\.[0-9]+)*)\s*$")
_RELEASE = LazyPattern(r"^\s*v?([0-9]+(?:\.[0-9]+)*)")
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


def release(version: str) -> tuple[int, ...]:
    """The release numbers of a version, trailing zeros dropped: ``1.2.0`` → ``(1, 2)``."""
    match = _RELEASE.match(version)
    if not match:
        raise ValueError(f"{version!r} is not a version")
    numbers = [int(n) for n in match[1].split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def satisfies(version: str, requirement: str) -> bool:
    """Whether ``version`` meets every clause of ``requirement``."""
    have = release(version)
    for clause in requirement.split(","):
        match = _CLAUSE.match(clause)
        if not match:
            raise ValueError(f"{clause.strip()!r} is not a comparison like >=0.3")
        if not _COMPARE[match[1]](have, release(match[2])):
            return False
    return True
