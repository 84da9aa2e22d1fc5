"""The attacks of issue 13, each a hostile input and what consider must answer to it.

Each attack writes its files into a folder and returns the command line to run. The
regression tests (tests/test_hardening.py) run each one guarded and check its exit code and
its one clear line; bench/attacks.py runs the same ones and prints time and peak memory.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

SPEC = "consider: 1\nproduct: {name: Attack, owner: team, tier: 1}\n"


class Attack(NamedTuple):
    name: str
    build: Callable[[Path], list[str]]
    codes: frozenset[int]
    says: str = ""
    """Text the output (stdout or stderr) must contain."""


def _spec(folder: Path, text: str, name: str = "spec.yaml") -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _pack(
    folder: Path, when: str = "mode", message: str = "{_id} is risky", extra: str = ""
) -> str:
    text = textwrap.dedent(
        """\
        pack: attack
        title: Attack pack
        risks:
          - id: attack-risk
            title: An attack
            for: outputs
            when: WHEN
            severity: warning
            message: MESSAGE
            why: w
            fix: f
        """
    )
    text = text.replace("WHEN", _quoted(when)).replace("MESSAGE", _quoted(message)) + extra
    path = folder / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _with_output(folder: Path, extra: str = "") -> str:
    return _spec(folder, SPEC + "outputs:\n  home:\n    mode: online\n" + extra)


def _huge_integer(literal: str, where: str = "tier") -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        if where == "tier":
            text = f"consider: 1\nproduct: {{name: A, owner: t, tier: {literal}}}\n"
        else:
            text = SPEC + f"x-mine: {literal}\n"
        return ["check", _spec(folder, text)]

    return build


def _alias_bomb(folder: Path, *, as_pack: bool = False) -> list[str]:
    key = "k" * 60_000
    value = "v" * 60_000
    lines = ["consider: 1", "base: &a", f"  ? {key}", f"  : {value}", "copies:"]
    lines += ["  - *a"] * 6_000
    path = _spec(folder, "\n".join(lines) + "\n", "bomb.yaml")
    if as_pack:
        return ["check", "--pack", path, _spec(folder, SPEC)]
    return ["check", path]


def _fifo(folder: Path) -> list[str]:
    os.mkfifo(folder / "pipe.yaml")
    return ["check", str(folder / "pipe.yaml")]


def _fifo_in_folder(folder: Path) -> list[str]:
    inner = folder / "specs"
    inner.mkdir()
    _spec(inner, SPEC)
    os.mkfifo(inner / "pipe.yaml")
    return ["check", str(inner)]


def _zero_link(folder: Path) -> list[str]:
    (folder / "zero.yaml").symlink_to("/dev/zero")
    return ["check", str(folder / "zero.yaml")]


def _chain(operator: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        when = f" {operator} ".join(["mode"] * 400)
        return ["check", "--pack", _pack(folder, when=when), _with_output(folder)]

    return build


_AMPLIFY_AT_LOAD = "[@,@,@,@][][@,@,@,@][][@,@,@,@][][@,@,@,@][][@,@,@,@][]"
_MANY = "[" + ",".join(["@"] * 200) + "]"
_AMPLIFY_AT_RUN = f"{_MANY}[].{_MANY}[].{_MANY}[]"
"""Within the bounds checked at load (three levels), but 8,000,000 elements at run time."""


def _phrases(rows: int, headline_bytes: int) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        table = "".join(
            f"  - {{phrase: 'within {{n}} word{i} hours', latency: 1h}}\n" for i in range(rows)
        )
        pack = folder / "phrases.yaml"
        pack.write_text("pack: phrases\ntitle: Phrases\nx-phrases:\n" + table, encoding="utf-8")
        words = " ".join(f"word{i}" for i in range(rows))
        headline = (f"within 5 {words} hours " * (headline_bytes // (len(words) + 20) + 1))[
            :headline_bytes
        ]
        spec = (
            "consider: 1\nproduct:\n  name: A\n  owner: t\n  tier: 1\n"
            f"  working_backwards:\n    headline: '{headline}'\n"
        )
        return ["check", "--pack", str(pack), _spec(folder, spec)]

    return build


def _big_pack(folder: Path) -> list[str]:
    path = Path(_pack(folder))
    path.write_text(path.read_text("utf-8") + "# " + "x" * 1_100_000 + "\n", encoding="utf-8")
    return ["check", "--pack", str(path), _spec(folder, SPEC)]


def _runtime_repr(folder: Path) -> list[str]:
    # contains() on a mapping fails at run time, quoting the whole mapping (3.4 KB here).
    spec = _with_output(folder, "    tier_note: " + "n" * 3400 + "\n")
    return ["check", "--pack", _pack(folder, when="contains(@, 'a')"), spec]


def _one_cause_many_times(folder: Path) -> list[str]:
    """A pack whose risk subsumes another, both firing on each of 12,000 outputs: 24,000
    findings to group (grouping once compared every finding with every other: minutes)."""
    extra = textwrap.indent(
        textwrap.dedent(
            """\
          - id: attack-cause
            title: The cause
            for: outputs
            when: mode
            severity: error
            message: "{_id} has the cause"
            why: w
            fix: f
            subsumes: [attack-risk]
        """
        ),
        "  ",
    )
    outputs = "".join(f"  o{i}: {{mode: online}}\n" for i in range(12_000))
    return [
        "check",
        "--no-builtin-packs",
        "--no-plugin-packs",
        "--pack",
        _pack(folder, extra=extra),
        "--format=concise",
        _spec(folder, SPEC + "outputs:\n" + outputs),
    ]


def _named(folder: Path, name: str, text: str = "x") -> list[str]:
    return ["check", _spec(folder, text, name)]


def _pack_title_escape(command: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        path = Path(_pack(folder))
        text = path.read_text("utf-8").replace(
            "title: An attack", 'title: "An \\e]0;owned\\a\\e[31mattack\\u2028::error::x"'
        )
        path.write_text(text, encoding="utf-8")
        if command == "list":
            return ["rules", "list", "--pack", str(path)]
        return ["rules", "show", "attack-risk", "--pack", str(path)]

    return build


def _duplicate_keys_throughout(folder: Path) -> list[str]:
    """40,000 keys of one mapping, each written twice, in a file under the 1 MB limit: each
    duplicate's first line was once found by listing the mapping's keys again (12 s)."""
    notes = "".join(f"  k{i}: 1\n  k{i}: 2\n" for i in range(40_000))
    return ["check", "--format=concise", _spec(folder, SPEC + "x-notes:\n" + notes)]


ATTACKS: tuple[Attack, ...] = (
    Attack("hex-integer-5000", _huge_integer("0x" + "f" * 5000), frozenset({0, 1}), "tier"),
    Attack("binary-integer-20000", _huge_integer("0b" + "1" * 20000), frozenset({0, 1})),
    Attack("sexagesimal-integer", _huge_integer(":".join(["59"] * 3000)), frozenset({0, 1})),
    Attack("hex-integer-in-x-field", _huge_integer("0x" + "f" * 5000, "x"), frozenset({0, 1})),
    Attack("decimal-5000-digits", _huge_integer("9" * 5000), frozenset({0, 1}), "..."),
    Attack(
        "max-file-size-400-digits",
        lambda folder: ["check", "--max-file-size", "9" * 400, _spec(folder, SPEC)],
        frozenset({2}),
        "Invalid value for '--max-file-size'",
    ),
    Attack(
        "inf-in-a-pack-duration",
        lambda folder: [
            "check",
            "--pack",
            _pack(folder, extra="x-phrases:\n  - {phrase: soon, latency: .inf}\n"),
            _spec(folder, SPEC),
        ],
        frozenset({2}),
        "must be a duration",
    ),
    Attack(
        "nan-into-the-json-report",
        lambda folder: [
            "check",
            "--format",
            "json",
            _spec(folder, SPEC + "outputs:\n  home: {mode: online, cardinality: .nan}\n"),
        ],
        frozenset({0, 1}),
    ),
    Attack("condition-chaining-or", _chain("||"), frozenset({2}), "nests more than"),
    Attack("condition-chaining-pipe", _chain("|"), frozenset({2}), "nests more than"),
    Attack("alias-bomb-of-long-text", _alias_bomb, frozenset({2}), "aliases expand"),
    Attack(
        "alias-bomb-as-a-pack",
        lambda folder: _alias_bomb(folder, as_pack=True),
        frozenset({2}),
        "aliases expand",
    ),
    Attack("dev-zero", lambda folder: ["check", "/dev/zero"], frozenset({2}), "a device"),
    Attack("symlink-to-dev-zero", _zero_link, frozenset({2}), "a device"),
    Attack(
        "pack-dev-zero",
        lambda folder: ["check", "--pack", "/dev/zero", _spec(folder, SPEC)],
        frozenset({2}),
        "a device",
    ),
    Attack("fifo", _fifo, frozenset({2}), "FIFO"),
    Attack("fifo-in-a-folder", _fifo_in_folder, frozenset({0, 1}), "FIFO"),
    Attack(
        "condition-amplifying-at-load",
        lambda folder: [
            "check",
            "--pack",
            _pack(folder, when=_AMPLIFY_AT_LOAD),
            _with_output(folder),
        ],
        frozenset({2}),
        "multiply its work",
    ),
    Attack(
        "condition-amplifying-at-run-time",
        lambda folder: [
            "check",
            "--pack",
            _pack(folder, when=_AMPLIFY_AT_RUN),
            _with_output(folder),
        ],
        frozenset({2}),
        "steps of work",
    ),
    Attack(
        "template-amplifying",
        lambda folder: [
            "check",
            "--pack",
            _pack(folder, message="{" + _AMPLIFY_AT_LOAD + "}"),
            _with_output(folder),
        ],
        frozenset({2}),
        "multiply its work",
    ),
    Attack("phrase-table-of-1000", _phrases(1000, 900_000), frozenset({2}), "over the limit"),
    Attack("phrase-table-of-100-on-900kb", _phrases(100, 900_000), frozenset({0, 1})),
    Attack("pack-over-1mb", _big_pack, frozenset({2}), "split it into several packs"),
    Attack("runtime-pack-error-repr", _runtime_repr, frozenset({2}), "more characters"),
    Attack(
        "id-ending-in-newline",
        lambda folder: ["check", _spec(folder, SPEC + 'outputs:\n  "home\\n": {mode: online}\n')],
        frozenset({1}),
        "is not a valid id",
    ),
    Attack(
        "file-name-with-newline",
        lambda folder: _named(folder, "a\n::error file=x::b.yaml", "[unclosed"),
        frozenset({2}),
        "\\n::error",
    ),
    Attack(
        "line-separator-in-a-file-name",
        lambda folder: _named(folder, "a\u2028::error::b.yaml", "[unclosed"),
        frozenset({2}),
        "\\u2028",
    ),
    Attack("one-cause-many-times", _one_cause_many_times, frozenset({1}), "attack-cause"),
    Attack(
        "duplicate-keys-throughout",
        _duplicate_keys_throughout,
        frozenset({1}),
        "'k39999' is written twice in x-notes (first at line 80002)",
    ),
    Attack("rules-list-escape", _pack_title_escape("list"), frozenset({0}), "\\x1b"),
    Attack("rules-show-escape", _pack_title_escape("show"), frozenset({0}), "\\x1b"),
)
