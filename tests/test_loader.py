"""The loader: positions, duplicates, YAML's corners, and every hostile input refused cleanly.

Hostile inputs go through the real command line (``consider.cli.main``): each must exit 2 with
one message on standard error naming file:line:col, what is wrong and what to do, and never a
traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from consider.check import check_file
from consider.engine import index
from consider.errors import InputError
from consider.loader import Duplicate, Limits, decode, load, parse, read_text
from consider.schema import validate

RunCli = Callable[..., tuple[int, str, str]]
NO_RULES = index([])


def _parse(text: str, **limits: int) -> object:
    return parse(text, path="t.yaml", limits=Limits(**limits))


def _refused(text: str, **limits: int) -> str:
    with pytest.raises(InputError) as caught:
        parse(text, path="t.yaml", limits=Limits(**limits))
    return str(caught.value)


# -- positions --------------------------------------------------------------------------------

POSITIONS = """\
consider: 1
product:
  name: Home rows
  tier: 1
outputs:
  home-rows:
    depends_on: [model:ranker, "dataset:orders"]
    request_path:
      - dep: store:features
        p99: 10ms
      - {dep: model:ranker, p99: 40ms}
"""


def test_every_key_and_value_has_its_line_and_column() -> None:
    document = parse(POSITIONS, path="t.yaml")
    assert document.keys == {
        "/consider": (1, 1),
        "/product": (2, 1),
        "/product/name": (3, 3),
        "/product/tier": (4, 3),
        "/outputs": (5, 1),
        "/outputs/home-rows": (6, 3),
        "/outputs/home-rows/depends_on": (7, 5),
        "/outputs/home-rows/request_path": (8, 5),
        "/outputs/home-rows/request_path/0/dep": (9, 9),
        "/outputs/home-rows/request_path/0/p99": (10, 9),
        "/outputs/home-rows/request_path/1/dep": (11, 10),
        "/outputs/home-rows/request_path/1/p99": (11, 29),
    }
    assert document.values == {
        "": (1, 1),
        "/consider": (1, 11),
        "/product": (3, 3),
        "/product/name": (3, 9),
        "/product/tier": (4, 9),
        "/outputs": (6, 3),
        "/outputs/home-rows": (7, 5),
        "/outputs/home-rows/depends_on": (7, 17),
        "/outputs/home-rows/depends_on/0": (7, 18),
        "/outputs/home-rows/depends_on/1": (7, 32),
        "/outputs/home-rows/request_path": (9, 7),
        "/outputs/home-rows/request_path/0": (9, 9),
        "/outputs/home-rows/request_path/0/dep": (9, 14),
        "/outputs/home-rows/request_path/0/p99": (10, 14),
        "/outputs/home-rows/request_path/1": (11, 9),
        "/outputs/home-rows/request_path/1/dep": (11, 15),
        "/outputs/home-rows/request_path/1/p99": (11, 34),
    }


@pytest.mark.parametrize(
    ("pointer", "prefer", "expected"),
    [
        ("/product/tier", "key", (4, 3)),
        ("/product/tier", "value", (4, 9)),
        ("/outputs/home-rows/depends_on/1", "key", (7, 32)),  # list items have no key
        ("/outputs/home-rows/fallback", "key", (6, 3)),  # absent: the entity's key
        ("/outputs/home-rows/fallback/source", "value", (7, 5)),  # absent: nearest parent
        ("/outputs/nothing/at/all", "key", (5, 1)),
        ("", "key", (1, 1)),
    ],
)
def test_position_of_a_pointer_or_its_nearest_written_parent(
    pointer: str, prefer: str, expected: tuple[int, int]
) -> None:
    assert parse(POSITIONS, path="t.yaml").position(pointer, prefer=prefer) == expected


def test_keys_with_slash_and_tilde_are_escaped_in_pointers() -> None:
    document = parse("a/b: 1\nc~d: {e: 2}\n", path="t.yaml")
    assert document.data == {"a/b": 1, "c~d": {"e": 2}}
    assert document.keys == {"/a~1b": (1, 1), "/c~0d": (2, 1), "/c~0d/e": (2, 7)}


def test_columns_count_characters_and_crlf_ends_lines() -> None:
    document = parse('a: {é: 1, b: 2}\r\nc: "x"\r\n', path="t.yaml")
    assert document.keys["/a/b"] == (1, 11)
    assert document.values["/c"] == (2, 4)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\rb: [2, 3]\rc: 4\n",  # CR alone
        "a: 1\x85b: 2\n",  # NEL
        "a: \"x\u2028y\"\nb: 'p\u2029q'\nc: 3\n",  # LS and PS inside quoted text
        "a: plain\u2028 b\nc: {d: 1}\n",  # LS in a plain scalar
        "# a comment\nk: [\U0001f600, v]\nz: |\n  one\r\n  two\nw: 1\n",
        "\ufeffa: 1\nb: {c: 2}\n",  # a byte-order mark given in the text itself
    ],
)
def test_positions_are_where_libyaml_puts_them_for_every_kind_of_line_break(text: str) -> None:
    # Positions are kept as character offsets and turned into lines and columns when asked:
    # the line breaks counted must be YAML's own, so each value is where the parser says.
    document = parse(text, path="t.yaml")
    expected = []
    loader = yaml.CSafeLoader(text)
    while not isinstance(event := loader.get_event(), yaml.StreamEndEvent):
        if isinstance(event, yaml.ScalarEvent | yaml.MappingStartEvent | yaml.SequenceStartEvent):
            expected.append((event.start_mark.line + 1, event.start_mark.column + 1))
    loader.dispose()
    found = sorted([*document.values.values(), *document.keys.values()])
    assert found == sorted(expected)


# -- duplicates -------------------------------------------------------------------------------

DUPLICATES = """\
a:
  b: 1
  c: [x, y]
a:
  b: 2
  d: 3
k: 1
k: 2
"""


def test_duplicate_keys_are_data_at_the_second_key_naming_the_first_line() -> None:
    document = parse(DUPLICATES, path="t.yaml")
    assert document.data == {"a": {"b": 1, "c": ["x", "y"]}, "k": 1}
    assert document.duplicates == (
        Duplicate(pointer="/a", line=4, column=1, first_line=1),
        Duplicate(pointer="/k", line=8, column=1, first_line=7),
    )


def test_the_ignored_duplicate_leaves_the_kept_values_positions_alone() -> None:
    document = parse(DUPLICATES, path="t.yaml")
    assert document.keys == {"/a": (1, 1), "/a/b": (2, 3), "/a/c": (3, 3), "/k": (7, 1)}
    assert document.values["/a/b"] == (2, 6)
    assert document.values["/k"] == (7, 4)
    assert "/a/d" not in document.values  # written only in the ignored copy


def test_a_duplicate_key_is_a_finding_at_the_second_key(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "consider: 1\n"
        "product:\n"
        "  name: Dup\n"
        "outputs:\n"
        "  home-rows:\n"
        "    mode: online\n"
        "    mode: precomputed\n"
    )
    findings = check_file(spec, NO_RULES, display="spec.yaml").findings
    assert [
        (f.rule, f.kind.value, f.severity and f.severity.value, f.line, f.column, f.pointer)
        for f in findings
    ] == [("duplicate-key", "schema", "error", 7, 5, "/outputs/home-rows/mode")]
    assert findings[0].message == (
        "'mode' is written twice in outputs.home-rows (first at line 6); only the first is used"
    )


# -- YAML's corners ---------------------------------------------------------------------------


def test_dates_and_times_stay_the_strings_that_were_written() -> None:
    document = parse(
        "d: 2025-09-15\nt: 2025-09-15T10:00:00Z\ns: 2025-09-15 10:00:00.5 +02:00\n", path="t"
    )
    assert document.data == {
        "d": "2025-09-15",
        "t": "2025-09-15T10:00:00Z",
        "s": "2025-09-15 10:00:00.5 +02:00",
    }


def test_standard_scalars_are_typed_as_yaml_says() -> None:
    document = parse(
        "i: 12\nf: 1.5\nb: true\ny: yes\nn: ~\ne:\nh: 0x1F\ns: !!str 123\nj: !!int '7'\n"
        "q: '12'\nbig: 12K\n",
        path="t",
    )
    assert document.data == {
        "i": 12,
        "f": 1.5,
        "b": True,
        "y": True,
        "n": None,
        "e": None,
        "h": 31,
        "s": "123",
        "j": 7,
        "q": "12",
        "big": "12K",
    }


def test_a_scalar_that_cannot_be_its_explicit_type_is_refused() -> None:
    assert _refused("a: !!int x\n") == (
        "t.yaml:1:4: 'x' cannot be read as int; quote it if it is meant as text"
    )


MERGES = """\
base: &base
  x: 1
  y: [1, 2]
one:
  <<: *base
  y: own
two:
  z: 0
  <<: [*base, {z: 9, w: 2}]
"""


def test_merge_keys_fill_in_what_the_mapping_does_not_say() -> None:
    data = parse(MERGES, path="t").data
    assert data["one"] == {"x": 1, "y": "own"}
    assert data["two"] == {"z": 0, "x": 1, "y": [1, 2], "w": 2}
    assert "<<" not in data["one"] and "<<" not in data["two"]


def test_merged_fields_are_placed_at_the_mapping_and_own_fields_where_written() -> None:
    document = parse(MERGES, path="t")
    assert document.position("/one/y", prefer="key") == (6, 3)
    assert document.position("/one/x", prefer="key") == (4, 1)


def test_aliases_are_copied_not_shared() -> None:
    data = parse("a: &a {list: [1]}\nb: *a\nc:\n  <<: *a\n", path="t").data
    data["b"]["list"].append(2)
    data["c"]["list"].append(3)
    assert data["a"] == {"list": [1]}
    assert data["b"] == {"list": [1, 2]}
    assert data["c"] == {"list": [1, 3]}


def test_an_alias_is_placed_where_it_is_written() -> None:
    document = parse("a: &a {x: 1}\nb: *a\n", path="t")
    assert document.values["/b"] == (2, 4)
    assert document.values["/b/x"] == (2, 4)


def test_a_byte_order_mark_is_allowed() -> None:
    assert decode(b"\xef\xbb\xbfa: 1\n", display="t") == "a: 1\n"
    assert parse("\ufeffa: 1\n", path="t").data == {"a": 1}


def test_an_explicit_document_start_and_end_are_one_document() -> None:
    assert parse("---\na: 1\n...\n", path="t").data == {"a": 1}


def test_an_empty_text_is_no_data() -> None:
    document = parse("", path="t")
    assert document.data is None
    assert document.position("/anything") == (1, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: *nope\n", "t.yaml:1:4: the alias *nope names no anchor"),
        ("a: &x [1, *x]\n", "t.yaml:1:11: the alias *x refers to a node that contains it"),
        ("? [a]\n: 1\n", "t.yaml:1:3: a mapping or list used as a key; keys must be plain text"),
        (
            "a: !foo x\n",
            "t.yaml:1:4: the tag !foo is not allowed: consider reads only YAML's "
            "standard tags (a Python tag could run code); remove it",
        ),
        (
            "a: !!set {x}\n",
            "t.yaml:1:4: the tag !!set is not allowed: consider reads only "
            "YAML's standard tags (a Python tag could run code); remove it",
        ),
    ],
)
def test_yaml_that_cannot_become_plain_data_is_refused(text: str, message: str) -> None:
    assert _refused(text) == message


# -- limits, at the parser --------------------------------------------------------------------


def test_nesting_up_to_the_limit_is_read_and_one_deeper_refused() -> None:
    # The top-level mapping is the first level.
    assert _parse("a: [[1]]\n", max_depth=3) is not None
    assert _refused("a: [[[1]]]\n", max_depth=3) == (
        "t.yaml:1:6: nesting is deeper than 3 levels; a spec never needs this, so flatten the "
        "structure"
    )


def test_alias_expansion_up_to_the_limit_is_read_and_past_it_refused() -> None:
    text = "a: &a [1, 2]\nb: [*a, *a, *a]\n"  # each alias expands to 3 nodes
    assert _parse(text, max_alias_nodes=9) is not None
    assert _refused(text, max_alias_nodes=8).startswith(
        "t.yaml:2:13: aliases expand to more than 8 nodes"
    )


def test_many_aliases_of_one_scalar_count_too() -> None:
    text = "a: &a x\nb: [" + ", ".join(["*a"] * 11) + "]\n"
    assert _refused(text, max_alias_nodes=10).startswith("t.yaml:2:")


def test_a_text_over_the_size_limit_is_refused_before_parsing() -> None:
    assert _refused("a: 12345\n", max_bytes=8) == (
        "t.yaml: the text is over the limit of 8 bytes; raise it with --max-file-size"
    )


def test_reading_a_folder_or_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^here: is a folder, not a file$"):
        read_text(tmp_path, display="here", max_bytes=100)
    with pytest.raises(InputError, match=r"^gone.yaml: file not found; check the path$"):
        load(tmp_path / "gone.yaml", display="gone.yaml")


def test_a_file_at_exactly_the_size_limit_is_read(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_bytes(b"a: 1\n")
    assert load(spec, limits=Limits(max_bytes=5)).data == {"a": 1}
    with pytest.raises(InputError, match="over the limit of 4;"):
        load(spec, limits=Limits(max_bytes=4))


# -- hostile input through the real command line ----------------------------------------------

SPEC_HEAD = "consider: 1\nproduct:\n  name: Hostile\n"


def _bomb() -> str:
    lines = ["consider: 1", "product: {name: Bomb}", "x-a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"x-{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


HOSTILE = [
    pytest.param(
        "object.yaml",
        SPEC_HEAD + "x-run: !!python/object:os.system {command: ls}\n",
        "object.yaml:4:8: the tag !!python/object:os.system is not allowed: consider reads only "
        "YAML's standard tags (a Python tag could run code); remove it",
        id="python-object",
    ),
    pytest.param(
        "name.yaml",
        SPEC_HEAD + "x-run: !!python/name:os.system\n",
        "name.yaml:4:8: the tag !!python/name:os.system is not allowed: consider reads only "
        "YAML's standard tags (a Python tag could run code); remove it",
        id="python-name",
    ),
    pytest.param(
        "apply.yaml",
        SPEC_HEAD + "x-run: !!python/object/apply:os.system [ls]\n",
        "apply.yaml:4:8: the tag !!python/object/apply:os.system is not allowed: consider reads "
        "only YAML's standard tags (a Python tag could run code); remove it",
        id="python-object-apply",
    ),
    pytest.param(
        "key.yaml",
        SPEC_HEAD + "!!python/name:os.system : 1\n",
        "key.yaml:4:1: the tag !!python/name:os.system is not allowed: consider reads only "
        "YAML's standard tags (a Python tag could run code); remove it",
        id="python-tag-on-a-key",
    ),
    pytest.param(
        "bomb.yaml",
        _bomb(),
        "bomb.yaml:7:10: aliases expand to more than 10,000 nodes (a 'billion laughs' bomb, or "
        "a spec that leans too hard on anchors); write the repeated parts out",
        id="billion-laughs",
    ),
    pytest.param(
        "deep.yaml",
        SPEC_HEAD + "x-deep: " + "[" * 100 + "]" * 100 + "\n",
        "deep.yaml:4:72: nesting is deeper than 64 levels; a spec never needs this, so flatten "
        "the structure",
        id="deep-nesting",
    ),
    pytest.param(
        "two.yaml",
        SPEC_HEAD + "---\nconsider: 1\n",
        "two.yaml:4:1: a second YAML document (---) in one spec; keep one spec per file",
        id="second-document",
    ),
]


MALFORMED = [
    pytest.param(
        "flow.yaml",
        "consider: 1\nproduct: {name: x\n",
        "3:1",
        "did not find expected ',' or '}' while parsing a flow mapping",
        id="unclosed-flow",
    ),
    pytest.param(
        "indent.yaml",
        "consider: 1\nproduct:\n  name: x\n    tier: 1\n",
        "4:9",
        "mapping values are not allowed in this context",
        id="indentation",
    ),
    pytest.param(
        "quote.yaml",
        'consider: 1\nproduct:\n  name: "x\n',
        "4:1",
        "found unexpected end of stream while scanning a quoted scalar",
        id="unclosed-quote",
    ),
]


@pytest.mark.parametrize(("name", "text", "where", "problem"), MALFORMED)
def test_malformed_yaml_exits_2_with_one_message_at_the_problem(
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    text: str,
    where: str,
    problem: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(text, encoding="utf-8")
    code, out, err = run_cli("check", "--no-builtin-packs", name)
    assert (code, out) == (2, "")
    # The problem is PyYAML's own wording, which differs between libyaml and pure Python.
    problem = re.escape(problem) if yaml.__with_libyaml__ else ".+"
    assert re.fullmatch(
        f"consider: {re.escape(name)}:{where}: not valid YAML: {problem}; fix the syntax at "
        "this place\n",
        err,
    ), err


UNREADABLE_CHARACTERS = [
    pytest.param(
        "nul.yaml",
        "consider: 1\nproduct:\n  name: a\x00b\n",
        "nul.yaml:3:10: a control character (U+0000) that YAML does not allow; remove it",
        id="nul",
    ),
    pytest.param(
        "bel.yaml",
        'consider: 1\nproduct:\n  name: "é😀 \x07"\n',
        "bel.yaml:3:13: a control character (U+0007) that YAML does not allow; remove it",
        id="bel-after-wide-characters",
    ),
    pytest.param(
        "crlf.yaml",
        "consider: 1\r\nproduct:\r\n  name: \x1b[0m\r\n",
        "crlf.yaml:3:9: a control character (U+001B) that YAML does not allow; remove it",
        id="escape-with-crlf",
    ),
    pytest.param(
        "nonchar.yaml",
        "consider: 1\nproduct: {name: \ufffe}\n",
        "nonchar.yaml:2:17: a character (U+FFFE) that YAML does not allow; remove it",
        id="non-character",
    ),
    pytest.param(
        "tab.yaml",
        "consider: 1\nproduct:\n\tname: x\n",
        "tab.yaml:3:1: a tab character, which YAML does not allow for indentation; indent with "
        "spaces",
        id="tab",
    ),
    pytest.param(
        "tab2.yaml",
        "consider: 1\nproduct:\n  name: x\n  \ttier: 1\n",
        "tab2.yaml:4:3: a tab character, which YAML does not allow for indentation; indent with "
        "spaces",
        id="tab-after-spaces",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), UNREADABLE_CHARACTERS)
def test_a_character_yaml_does_not_allow_exits_2_with_one_line_at_its_place(
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    text: str,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(name).write_bytes(text.encode("utf-8"))
    assert run_cli("check", "--no-builtin-packs", name) == (2, "", f"consider: {message}\n")


@pytest.mark.parametrize(("name", "text", "message"), UNREADABLE_CHARACTERS)
def test_the_pure_python_parser_places_those_characters_the_same(
    monkeypatch: pytest.MonkeyPatch, name: str, text: str, message: str
) -> None:
    import consider.loader as loader

    monkeypatch.setattr(loader, "_Loader", yaml.SafeLoader)
    monkeypatch.setattr(loader, "_LIBYAML", False)
    with pytest.raises(InputError) as caught:
        parse(text, path=name)
    assert str(caught.value) == message


@pytest.mark.parametrize(("name", "text", "message"), HOSTILE)
def test_hostile_yaml_exits_2_with_one_message(
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    text: str,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(text, encoding="utf-8")
    assert run_cli("check", "--no-builtin-packs", name) == (2, "", f"consider: {message}\n")


def test_a_non_utf8_file_exits_2_at_the_first_bad_byte(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("latin1.yaml").write_bytes(SPEC_HEAD.encode() + "owner: café\n".encode("latin-1"))
    assert run_cli("check", "--no-builtin-packs", "latin1.yaml") == (
        2,
        "",
        "consider: latin1.yaml:4:11: not UTF-8 text (byte 0xe9); save the file as UTF-8\n",
    )


def test_a_non_utf8_byte_after_a_byte_order_mark_is_named_where_it_is(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The BOM's three bytes once shifted the report: byte 0x65 ('e', valid) at 4:8.
    monkeypatch.chdir(tmp_path)
    Path("bom.yaml").write_bytes(
        b"\xef\xbb\xbf" + SPEC_HEAD.encode() + "owner: café\n".encode("latin-1")
    )
    assert run_cli("check", "--no-builtin-packs", "bom.yaml") == (
        2,
        "",
        "consider: bom.yaml:4:11: not UTF-8 text (byte 0xe9); save the file as UTF-8\n",
    )
    assert decode(b"\xef\xbb\xbf\xef\xbb\xbfa: 1\n", display="t") == "\ufeffa: 1\n"  # one BOM
    with pytest.raises(InputError) as caught:  # on the first line, and after a wide character
        decode(b"\xef\xbb\xbfa: \xc3\xbc\xe9\n", display="t")
    assert (caught.value.line, caught.value.column) == (1, 5)
    assert "byte 0xe9" in str(caught.value)


def test_a_missing_file_exits_2(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli("check", "--no-builtin-packs", "missing.yaml") == (
        2,
        "",
        "consider: missing.yaml: file not found; check the path\n",
    )


def test_a_folder_with_no_spec_in_it_exits_2(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("specs.yaml").mkdir()  # a folder named like a file
    Path("specs.yaml", "notes.yaml").write_text("just: notes\n")
    assert run_cli("check", "--no-builtin-packs", "specs.yaml") == (
        2,
        "",
        "consider: no spec files found in specs.yaml; a spec is a .yaml file whose top "
        "level has a 'consider' key, or 'product' with 'outputs', 'slos' or 'sources'\n",
    )


def test_a_folder_is_searched_for_specs(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("specs", "deeper").mkdir(parents=True)
    Path("specs", "deeper", "a.yaml").write_text(SPEC_HEAD)
    Path("specs", "notes.yaml").write_text("just: notes\n")
    Path("specs", ".hidden.yaml").write_text(SPEC_HEAD + "broken: [\n")
    code, out, err = run_cli("check", "--no-builtin-packs", "specs")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == str(Path("specs", "deeper", "a.yaml"))


def _sized(size: int) -> bytes:
    head = SPEC_HEAD.encode()
    return head + b"#" * (size - len(head) - 1) + b"\n"


def test_a_file_over_the_size_limit_exits_2_and_the_flag_raises_the_limit(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("big.yaml").write_bytes(_sized(1_000_001))
    Path("fits.yaml").write_bytes(_sized(1_000_000))
    assert run_cli("check", "--no-builtin-packs", "big.yaml") == (
        2,
        "",
        "consider: big.yaml: the file is 1,000,001 bytes, over the limit of 1,000,000; "
        "raise it with --max-file-size (for example --max-file-size 20MB) if it is meant to be "
        "this large\n",
    )
    assert run_cli("check", "--no-builtin-packs", "fits.yaml")[0] == 0
    code, out, err = run_cli("check", "--no-builtin-packs", "--max-file-size", "2MB", "big.yaml")
    assert (code, err) == (0, "")
    assert out == (
        "big.yaml\nno findings\n\n"
        "big.yaml: 0 errors, 0 warnings, 0 info, 0 waived, 0 open questions (0 acknowledged)\n"
    )


def test_max_file_size_takes_binary_units_and_can_lower_the_limit(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("s.yaml").write_bytes(_sized(1025))
    assert run_cli("check", "--no-builtin-packs", "--max-file-size", "1KiB", "s.yaml") == (
        2,
        "",
        "consider: s.yaml: the file is 1,025 bytes, over the limit of 1,024; raise it "
        "with --max-file-size (for example --max-file-size 20MB) if it is meant to be this "
        "large\n",
    )
    assert run_cli("check", "--no-builtin-packs", "--max-file-size", "2KB", "s.yaml")[0] == 0


def test_a_max_file_size_that_is_not_a_size_is_a_usage_error(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("s.yaml").write_text(SPEC_HEAD)
    code, out, err = run_cli("check", "--max-file-size", "lots", "s.yaml")
    assert (code, out) == (2, "")
    assert err == (
        "consider check: Invalid value for '--max-file-size': 'lots' is not a size; write it "
        "like 1MB, 20MB or 512KiB; see 'consider check --help'\n"
    )


# -- files that parse but are not specs: findings, not exit 2 --------------------------------


NOT_A_SPEC = "this is not a consider spec: "
NO_CONSIDER_KEY = (
    "this is not a consider spec: its top level has no 'consider: 1' key; add it, or leave "
    "the file out of the check"
)


@pytest.mark.parametrize(
    ("text", "rule", "message"),
    [
        pytest.param("", "invalid-type", "its top level is empty, not a mapping", id="empty"),
        pytest.param(
            "# nothing yet\n",
            "invalid-type",
            "its top level is empty, not a mapping",
            id="comments",
        ),
        pytest.param(
            "- consider: 1\n", "invalid-type", "its top level is a list, not a mapping", id="list"
        ),
        pytest.param(
            "hello\n", "invalid-type", "its top level is 'hello', not a mapping", id="scalar"
        ),
        pytest.param(
            "# compose\nservices:\n  web: {image: nginx, ports: ['80:80']}\nversion: '3'\n",
            "missing-required-field",
            NO_CONSIDER_KEY.removeprefix(NOT_A_SPEC),
            id="docker-compose",
        ),
    ],
)
def test_a_file_that_is_not_a_spec_is_one_finding_at_the_start(
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    rule: str,
    message: str,
) -> None:
    # Such a file is readable YAML, so it is reported, not refused: a spec that parses but is
    # wrong is findings (exit 1), and the other files of the run are still checked. Only the
    # one finding: not the unknown keys of a file that was never meant as a spec.
    monkeypatch.chdir(tmp_path)
    Path("s.yaml").write_text(text)
    findings = check_file(Path("s.yaml"), NO_RULES).findings
    assert [(f.rule, f.line, f.column, f.pointer, f.message) for f in findings] == [
        (rule, 1, 1, "", NOT_A_SPEC + message)
    ]
    validation = validate(load(Path("s.yaml")))
    assert (validation.is_spec, validation.data, validation.tbd) == (False, {}, frozenset())
    code, out, err = run_cli("check", "--no-builtin-packs", "--format", "json", "s.yaml")
    assert (code, err) == (1, "")
    assert json.loads(out)["summary"]["error"] == 1
