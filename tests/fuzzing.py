"""Hypothesis strategies for fuzzing consider: random YAML, specs generated from the spec
schema, mutations of the bundled examples, and random packs and conditions.

Shared by the short run in the test suite (tests/test_fuzz.py) and the long run in
bench/fuzz.py. Each strategy gives a :class:`Case`: the files to write and the command to run.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SPEC_HEAD = "consider: 1\nproduct: {name: Fuzz, owner: team, tier: 1}\n"


class Case(NamedTuple):
    """Files (name → text) and the arguments of one run; ``{dir}`` is the folder they are in."""

    files: dict[str, str]
    args: tuple[str, ...]

    def write(self, folder: Path) -> list[str]:
        for name, text in self.files.items():
            (folder / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        return [arg.replace("{dir}", str(folder)) for arg in self.args]


def _check(spec: str, *extra: str, pack: str | None = None) -> Case:
    files = {"spec.yaml": spec}
    args = ["check", *extra]
    if pack is not None:
        files["pack.yaml"] = pack
        args += ["--pack", "{dir}/pack.yaml"]
    return Case(files, (*args, "{dir}/spec.yaml"))


# -- random YAML ------------------------------------------------------------------------------

_NASTY_TEXT = st.sampled_from(
    [
        "tbd",
        "",
        "0x" + "f" * 5000,
        "9" * 5000,
        ".nan",
        ".inf",
        "-.inf",
        "1e999",
        "\u2028",
        "a\nb",
        "::error::x",
        "\x1b[31m",
        "{_id}",
        "source:nowhere",
        "1h",
        "99.9%",
        "1200/s",
        "50GB",
        "12K",
        "online",
        "batch",
        "stream",
        "push",
        "pull",
        "x-mine",
    ]
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    _NASTY_TEXT,
)
_KEYS = st.one_of(
    st.sampled_from(
        [
            "mode",
            "fallback",
            "depends_on",
            "refresh",
            "method",
            "direction",
            "interval",
            "applies_to",
            "availability",
            "latency",
            "freshness",
            "p99",
            "retrain",
            "cadence",
            "request_path",
            "dep",
            "<<",
            "x-extra",
            "trained_on",
            "derived_from",
        ]
    ),
    st.text(max_size=8),
)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=20,
)
_COLLECTIONS = st.sampled_from(
    ["outputs", "slos", "models", "datasets", "features", "sources", "services", "stores"]
)


@st.composite
def random_yaml(draw: st.DrawFn) -> Case:
    """A spec head and random data under random collections, or random text."""
    if draw(st.integers(0, 4)) == 0:
        return _check(draw(st.text(max_size=200)))
    body = draw(st.dictionaries(_COLLECTIONS, st.dictionaries(st.text(max_size=6), _DATA)))
    try:
        text = yaml.safe_dump(body, allow_unicode=draw(st.booleans()), sort_keys=False)
    except yaml.YAMLError:
        text = json.dumps(body, default=str)
    return _check(SPEC_HEAD + text)


# -- specs from the schema --------------------------------------------------------------------


def _inline(node: Any, definitions: dict[str, Any], depth: int) -> Any:
    """The schema with its references written out, the recursive ones cut at ``depth``
    (hypothesis-jsonschema cannot resolve recursive references)."""
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/definitions/"):
            if depth <= 0:
                return {}
            return _inline(definitions[reference.rsplit("/", 1)[1]], definitions, depth - 1)
        return {
            key: _inline(value, definitions, depth)
            for key, value in node.items()
            if key not in ("definitions", "$schema", "examples", "default", "description")
        }
    if isinstance(node, list):
        return [_inline(item, definitions, depth) for item in node]
    return node


_DEFINITIONS = {
    "outputs": "output",
    "slos": "slo",
    "models": "model",
    "datasets": "dataset",
    "features": "feature",
    "sources": "source",
    "services": "service",
    "stores": "store",
    "product": "product",
}


@cache
def _entity_strategy(collection: str) -> st.SearchStrategy[Any]:
    """Entities of one collection from the spec schema, built once and only when drawn (each
    costs hypothesis-jsonschema a fraction of a second)."""
    from hypothesis_jsonschema import from_schema

    schema = json.loads((ROOT / "schemas" / "spec.schema.json").read_text("utf-8"))
    definitions = schema["definitions"]
    return from_schema(_inline(definitions[_DEFINITIONS[collection]], definitions, 2))


_IDS = st.sampled_from(["a", "b", "home", "orders", "ranker", "x.1"])


@st.composite
def schema_spec(draw: st.DrawFn) -> Case:
    """A spec whose entities are generated from the spec schema (hypothesis-jsonschema)."""
    product = (
        draw(_entity_strategy("product"))
        if draw(st.booleans())
        else {"name": "Fuzz", "owner": "team", "tier": 1}
    )
    spec: dict[str, Any] = {"consider": 1, "product": product}
    for collection in draw(st.lists(_COLLECTIONS, max_size=3, unique=True)):
        spec[collection] = draw(st.dictionaries(_IDS, _entity_strategy(collection), max_size=2))
    return _check(json.dumps(spec, ensure_ascii=draw(st.booleans())))


# -- mutations of the examples ----------------------------------------------------------------

_INSERTS = st.sampled_from(
    [
        "&a ",
        "*a",
        "!!python/object:os.system ",
        "0x" + "f" * 5000,
        ".nan",
        ".inf",
        "\u2028",
        "\t",
        "{",
        "[",
        "tbd",
        "<<: *a\n",
        "- ",
        ": ",
        '"',
        "\\",
        "~",
        "? ",
        "---\n",
        "source:nowhere",
        "0s",
        "0%",
        "100%",
        "{cron: '0 0 31 2 *'}",
        "-1",
        "1e308",
    ]
)


@st.composite
def mutated_example(draw: st.DrawFn) -> Case:
    """A bundled example with a few lines deleted, duplicated or edited."""
    lines = draw(st.sampled_from(EXAMPLES)).read_text("utf-8").splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        where = draw(st.integers(0, len(lines) - 1))
        action = draw(st.integers(0, 3))
        if action == 0:
            del lines[where]
        elif action == 1:
            lines.insert(where, lines[where])
        elif action == 2:
            line = lines[where]
            cut = draw(st.integers(0, len(line)))
            lines[where] = line[:cut] + draw(_INSERTS) + line[cut:]
        else:
            line = lines[where]
            head = line.split(":", 1)[0]
            value = draw(st.one_of(_NASTY_TEXT, st.integers().map(str), st.text(max_size=10)))
            lines[where] = f"{head}: {json.dumps(value)}\n"
    return _check("".join(lines))


# -- random packs and conditions --------------------------------------------------------------

_FIELDS = st.sampled_from(
    [
        "mode",
        "_id",
        "_kind",
        "_product.tier",
        "_refs",
        "_facts",
        "@",
        "fallback",
        "cardinality",
        "request_path",
        "depends_on",
        "_product.working_backwards.headline",
        "`1`",
        "`null`",
        "'online'",
        "`[1, 2]`",
        '`{"a": 1}`',
    ]
)


def _expression(depth: int) -> st.SearchStrategy[str]:
    if depth <= 0:
        return _FIELDS
    inner = _expression(depth - 1)
    return st.one_of(
        _FIELDS,
        st.tuples(inner, st.sampled_from(["||", "&&", "|", "==", "!=", "<", ">="]), inner).map(
            " ".join
        ),
        inner.map(lambda e: f"!({e})"),
        inner.map(lambda e: f"({e})[*]"),
        inner.map(lambda e: f"({e})[]"),
        inner.map(lambda e: f"[{e}, {e}]"),
        inner.map(lambda e: f"{{a: {e}}}"),
        inner.map(lambda e: f"({e})[?@ == `1`]"),
        st.tuples(
            st.sampled_from(
                ["length", "contains", "sort", "max", "join", "to_string", "keys", "type", "sum"]
            ),
            inner,
            inner,
        ).map(
            lambda t: (
                f"{t[0]}({t[1]})" if t[0] not in ("contains", "join") else f"{t[0]}({t[1]}, {t[2]})"
            )
        ),
    )


@st.composite
def random_pack(draw: st.DrawFn) -> Case:
    """A pack with random conditions and placeholders, over a bundled example."""
    when = draw(_expression(3))
    placeholder = draw(_expression(2))
    kind = draw(st.sampled_from(["outputs", "sources", "slos", "product", "datasets"]))
    severity = draw(st.sampled_from(["error", "warning", "info"]))
    pack = {
        "pack": "fuzz",
        "title": "Fuzz",
        "risks": [
            {
                "id": "fuzz-risk",
                "title": "Fuzz",
                "for": kind,
                "when": when,
                "severity": severity,
                "message": "{_id}: {" + placeholder + "}" + draw(st.sampled_from(["", "{{", "}"])),
                "why": "w",
                "fix": "f",
            }
        ],
    }
    if draw(st.booleans()):
        pack["questions"] = [
            {
                "id": "fuzz-question",
                "title": "Q",
                "for": kind,
                "ask": "{" + draw(_expression(1)) + "}?",
                "answered_by": [draw(st.sampled_from(["mode", "fallback", "x-y.z", "a[0]"]))],
                "why": "w",
            }
        ]
    if draw(st.booleans()):
        pack["x-phrases"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"phrase": st.text(min_size=1, max_size=12), "latency": _SCALARS}
                ),
                max_size=3,
            )
        )
    spec = draw(st.sampled_from(EXAMPLES)).read_text("utf-8")
    return _check(spec, pack=json.dumps(pack, default=str))


CASES = {
    "random-yaml": random_yaml(),
    "schema-spec": schema_spec(),
    "mutated-example": mutated_example(),
    "random-pack": random_pack(),
}
"""Each strategy by name."""
