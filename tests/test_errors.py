"""Errors cross process boundaries (``check --jobs``) and keep their place."""

from __future__ import annotations

import pickle

import pytest

from consider.errors import ConsiderError, InputError, PackError, UsageError


class _Strict(ConsiderError):
    """A subclass whose constructor asks for more than the base's."""

    def __init__(self, rule: str, message: str, *, path: str) -> None:
        super().__init__(f"{rule}: {message}", path=path, line=7)


@pytest.mark.parametrize("kind", [ConsiderError, InputError, PackError, UsageError])
def test_an_error_survives_a_pickle_with_its_place(kind: type[ConsiderError]) -> None:
    error = kind("not UTF-8 text (byte 0xff)", path="specs/a.yaml", line=3, column=14)
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is kind
    assert (back.message, back.path, back.line, back.column) == (
        "not UTF-8 text (byte 0xff)",
        "specs/a.yaml",
        3,
        14,
    )
    assert str(back) == "specs/a.yaml:3:14: not UTF-8 text (byte 0xff)"


def test_an_error_without_a_place_survives_a_pickle() -> None:
    back = pickle.loads(pickle.dumps(UsageError("no spec files found")))
    assert str(back) == "no spec files found"
    assert (back.path, back.line, back.column) == (None, None, None)


def test_a_subclass_with_its_own_constructor_survives_a_pickle() -> None:
    back = pickle.loads(pickle.dumps(_Strict("r1", "bad", path="p.yaml")))
    assert type(back) is _Strict
    assert str(back) == "p.yaml:7: r1: bad"
