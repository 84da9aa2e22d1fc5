"""Fuzzing, a short run: whatever the input, consider exits 0, 1 or 2, never with a traceback
or exit 3, within a generous guard (timeout and address-space limit: tests/guard.py).

bench/fuzz.py runs the same strategies over at least 10,000 inputs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fuzzing import CASES, Case
from guard import run
from hypothesis import HealthCheck, given, settings

EXAMPLES_EACH = {"random-yaml": 8, "schema-spec": 2, "mutated-example": 6, "random-pack": 6}


def holds(case: Case) -> None:
    """The property: exit 0, 1 or 2 with no traceback."""
    with tempfile.TemporaryDirectory() as folder:
        outcome = run(*case.write(Path(folder)))
    assert outcome.code in (0, 1, 2), (outcome.code, case.args, outcome.err[-2000:])
    assert "Traceback" not in outcome.err, outcome.err


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_input_crashes_consider(name: str) -> None:
    @settings(
        max_examples=EXAMPLES_EACH[name],
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(CASES[name])
    def check(case: Case) -> None:
        holds(case)

    check()
