"""consider.records.Record: a typing.NamedTuple to mypy, the same class at run time without
compiling each field's annotation."""

from __future__ import annotations

import pickle

import pytest

from consider.findings import Finding, Suppression
from consider.records import Record


class Point(Record):
    """A record for the tests."""

    x: int
    label: str = "p"

    @property
    def doubled(self) -> int:
        return self.x * 2


def test_a_record_is_a_named_tuple_with_its_defaults_methods_and_doc() -> None:
    point = Point(3)
    assert point == (3, "p")
    assert isinstance(point, tuple)
    assert point.doubled == 6
    assert point._replace(label="q") == Point(3, "q")
    assert Point._fields == ("x", "label")
    assert Point._field_defaults == {"label": "p"}
    assert Point.__doc__ == "A record for the tests."
    assert Point.__annotations__ == {"x": "int", "label": "str"}
    assert repr(point) == "Point(x=3, label='p')"


def test_records_pickle_by_module_and_name_as_the_cache_needs() -> None:
    suppression = Suppression("waiver", reason="r")
    assert Suppression.__module__ == "consider.findings"
    assert pickle.loads(pickle.dumps(suppression)) == suppression
    assert Finding.__module__ == "consider.findings"


def test_a_field_without_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError, match="non-default record field y"):

        class Bad(Record):
            x: int = 0
            y: int


def test_a_record_cannot_overwrite_what_namedtuple_defines() -> None:
    with pytest.raises(AttributeError, match="_replace"):

        class Bad(Record):
            x: int

            def _replace(self) -> None: ...
