"""Positions are kept by container and found by walking the data along a pointer
(consider/positions.py, ``Positions``): the answers of a table by pointer, without one."""

from __future__ import annotations

from consider.loader import parse

TEXT = """\
top:
  a/b: 1
  t~x: [x, {y: 2}]
base: &base
  k: v
  deep: {z: 3}
copy: *base
twice: 1
twice: 2
merged:
  <<: *base
  own: 4
"""


def test_values_and_keys_are_found_by_pointer() -> None:
    document = parse(TEXT, path="t.yaml")
    assert document.values[""] == (1, 1)
    assert document.values["/top"] == (2, 3)
    assert document.keys["/top"] == (1, 1)
    assert document.values["/top/a~1b"] == (2, 8)
    assert document.keys["/top/a~1b"] == (2, 3)
    assert document.values["/top/t~0x/1/y"] == (3, 16)
    assert document.keys.get("/top/t~0x/0") is None  # a list item has no key
    assert "/top/t~0x/01" not in document.values
    assert "/top/missing" not in document.values
    assert "/top/a~1b/deeper" not in document.values


def test_inside_an_alias_every_value_is_at_the_alias() -> None:
    document = parse(TEXT, path="t.yaml")
    assert document.values["/copy"] == (7, 7)
    assert document.values["/copy/deep/z"] == (7, 7)
    assert "/copy/k" not in document.keys
    assert document.values["/base/deep/z"] == (6, 13)


def test_a_duplicate_keeps_the_first_place_and_merged_keys_have_none() -> None:
    document = parse(TEXT, path="t.yaml")
    assert document.values["/twice"] == (8, 8)
    assert [(d.pointer, d.line, d.first_line) for d in document.duplicates] == [("/twice", 9, 8)]
    assert document.values["/merged/own"] == (12, 8)
    assert "/merged/k" not in document.values


def test_iteration_lists_every_pointer_it_can_find() -> None:
    document = parse(TEXT, path="t.yaml")
    values = dict(document.values)
    assert "/copy/deep/z" in values and "/top/t~0x/1/y" in values
    assert all(document.values[pointer] == where for pointer, where in values.items())
    keys = dict(document.keys)
    assert all(document.keys[pointer] == where for pointer, where in keys.items())
    assert "/top/t~0x/0" not in keys and "/top/a~1b" in keys


def test_a_large_mapping_finds_each_key_in_the_order_written() -> None:
    # Over _SCANNED keys a mapping gets an index of its keys' places: every key and value
    # of it, one written twice, merged keys after the written ones, and a nested container.
    lines = ["many:", "  <<: {m1: x, m2: y}"]
    lines += [f"  k{i}: {i}" for i in range(20)]
    lines += ["  k3: again", "  nested: {inner: [1, {leaf: z}]}"]
    document = parse("\n".join(lines) + "\n", path="t.yaml")
    for i in range(20):
        assert document.values[f"/many/k{i}"] == (3 + i, 6 + len(str(i)))
        assert document.keys[f"/many/k{i}"] == (3 + i, 3)
    assert [(d.pointer, d.line, d.first_line) for d in document.duplicates] == [("/many/k3", 23, 6)]
    assert document.values["/many/nested/inner/1/leaf"] == (24, 30)
    assert document.keys["/many/nested"] == (24, 3)
    assert list(document.data["many"])[-2:] == ["m1", "m2"]  # merged last, with no place
    assert "/many/m1" not in document.values and "/many/m1" not in document.keys


def test_duplicates_keep_their_first_lines_in_every_mapping_that_has_them() -> None:
    # Each mapping being built finds its keys' places once (consider/builder.py, _key_place):
    # a merge key's own mapping, mappings side by side, and one with several duplicates.
    text = """\
a:
  <<: {d: 1, d: 2}
  e: 3
b: {f: 1, g: 2, f: 3}
c:
  - {h: 1, h: 2}
  - {i: 1, j: 2, i: 3, j: 4}
"""
    document = parse(text, path="t.yaml")
    assert [(d.pointer, d.line, d.column, d.first_line) for d in document.duplicates] == [
        ("/a/<</d", 2, 14, 2),
        ("/b/f", 4, 17, 4),
        ("/c/0/h", 6, 12, 6),
        ("/c/1/i", 7, 18, 7),
        ("/c/1/j", 7, 24, 7),
    ]
    assert document.data == {
        "a": {"e": 3, "d": 1},
        "b": {"f": 1, "g": 2},
        "c": [{"h": 1}, {"i": 1, "j": 2}],
    }
    assert document.keys["/c/1/j"] == (7, 12) and document.values["/b/g"] == (4, 14)
