"""strip_tbd copies only the containers on the way to a tbd: a spec without one is walked,
not copied (issue 13: no whole-document copies)."""

from __future__ import annotations

from consider.tbd import strip_tbd


def test_a_document_without_tbd_is_returned_as_it_is() -> None:
    data = {"product": {"name": "x", "tags": ["a", {"b": 1}]}, "sources": {"s": {"m": 1}}}
    found: set[str] = set()
    assert strip_tbd(data, "", found) is data
    assert found == set()


def test_only_the_path_to_a_tbd_is_copied() -> None:
    untouched = {"owner": "a"}
    data = {
        "product": {"name": "x", "list": [1, {"when": " TBD "}, 3]},
        "sources": {"s": untouched, "t": "tbd"},
    }
    found: set[str] = set()
    stripped = strip_tbd(data, "", found)
    assert found == {"/product/list/1/when", "/sources/t"}
    assert stripped == {
        "product": {"name": "x", "list": [1, {}, 3]},
        "sources": {"s": {"owner": "a"}, "t": {}},
    }
    assert stripped["sources"]["s"] is untouched
    assert data["product"]["list"][1] == {"when": " TBD "}  # the loaded data is left alone


def test_the_loader_says_whether_any_value_is_tbd() -> None:
    from consider.loader import parse

    assert parse("a: [x, {b: 1}]\nc: tbdx\n", path="t.yaml").tbd_free
    assert not parse("a: [x, {b: ' TBD '}]\n", path="t.yaml").tbd_free
    assert not parse("a: &x tbd\nb: *x\n", path="t.yaml").tbd_free
    assert parse("tbd: 1\n", path="t.yaml").tbd_free  # a key is no answer
