"""The rule engine: templates, truthiness, escalation, folds, positions, ``_refs``, the index
by kind, and the on-disk cache of compiled packs.

Every test writes its own small pack, so none depends on the built-in packs' content.
"""

from __future__ import annotations

import pickle
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jmespath
import pytest
import yaml
from conftest import spec_of

from consider import engine, packs
from consider.check import check_file
from consider.engine import (
    KINDS,
    Pack,
    Risk,
    RuleSet,
    Template,
    index,
    load_pack,
    load_rules,
    truthy,
)
from consider.errors import PackError
from consider.findings import Finding, Kind, Severity, Status
from consider.model import refs_view

RISK_DEFAULTS = {"severity": "warning", "why": "w", "fix": "f"}


def _write_pack(
    folder: Path,
    questions: Sequence[dict[str, Any]] = (),
    risks: Sequence[dict[str, Any]] = (),
    name: str = "pack.yaml",
    pack_id: str = "test",
) -> Path:
    body: dict[str, Any] = {"pack": pack_id, "title": "Test pack"}
    if questions:
        body["questions"] = [{"title": "Q", "why": "w", **question} for question in questions]
    if risks:
        body["risks"] = [{"title": "R", **RISK_DEFAULTS, **risk} for risk in risks]
    path = folder / name
    path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return path


def _rules(folder: Path, **pack: Any) -> RuleSet:
    return index([load_pack(_write_pack(folder, **pack))])


def _check(folder: Path, spec: str, rules: RuleSet) -> tuple[Finding, ...]:
    path = folder / "spec.yaml"
    path.write_text(textwrap.dedent(spec), encoding="utf-8")
    return check_file(path, rules, display="spec.yaml").findings


def _message(folder: Path, template: str, spec: str) -> str:
    rules = _rules(
        folder, risks=[{"id": "say", "for": "outputs", "when": "`true`", "message": template}]
    )
    (finding,) = [f for f in _check(folder, spec, rules) if f.rule == "say"]
    return finding.message


SPEC = """\
    consider: 1
    product: {name: Shop, tier: 1}
    outputs:
      home-rows:
        mode: online
        reacts_to: [add to cart, search]
        depends_on: [model:ranker, model:missing]
        request_path:
          - dep: service:profile
            p99: 20ms
          - parallel:
              - {dep: store:features, p99: 5ms}
              - {dep: model:ranker}
        x-zero: 0
        x-empty: ""
        x-flag: false
        x-nested: {b: 2, a: [1, 2]}
    models:
      ranker:
        retrain: {cadence: 1d, duration: 1h30m}
        trained_on: [dataset:orders]
    datasets:
      orders: {retention: 30d}
    services:
      profile: {availability: "99.95%", p99: 25ms}
    stores:
      features: {kind: key_value}
    slos:
      rows-fast: {applies_to: "output:home-rows", availability: "99.9%"}
      rows-fresh: {applies_to: "output:home-rows"}
"""


# -- templates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{_id} is {mode}", "home-rows is online"),
        ("{_kind} of {_product.name}", "outputs of Shop"),
        ("reacts to {reacts_to}", "reacts to add to cart, search"),
        ("{fallback}", "(not set)"),
        ("{fallback.strategy}", "(not set)"),
        ('{"x-zero"} {"x-flag"} [{"x-empty"}]', "0 false []"),
        ('{"x-nested"}', '{"a": [1, 2], "b": 2}'),
        ("{request_path[0].p99|duration}", "20ms"),
        ("{request_path[0].p99}", "0.02"),
        ("{_refs.depends_on[0]._id} then {_refs.depends_on[1]}", "ranker then (not set)"),
        ("{_facts.slos}", "rows-fast, rows-fresh"),
        ("{length(reacts_to)} reactions", "2 reactions"),
        ("{mode || 'unknown'} / {fallback || 'none'}", "online / none"),
        ("no placeholders at all", "no placeholders at all"),
    ],
)
def test_template_renders_values_looked_up_by_jmespath(
    tmp_path: Path, template: str, expected: str
) -> None:
    assert _message(tmp_path, template, SPEC) == expected


def test_template_filters_format_numbers_and_each_item_of_a_list(tmp_path: Path) -> None:
    spec = """\
        consider: 1
        product: {name: Shop}
        outputs: {o: {}}
        slos:
          s:
            applies_to: output:o
            availability: "99.95%"
            freshness: {max_staleness: 1h30m}
            throughput: {peak: 5000/h}
            latency: {p99: 150ms}
    """
    rules = _rules(
        tmp_path,
        risks=[
            {
                "id": "say",
                "for": "slos",
                "when": "`true`",
                "message": "{availability|percentage} {freshness.max_staleness|duration} "
                "{throughput.peak|rate} {latency.p99|duration} "
                "{[freshness.max_staleness, latency.p99]|duration} {_id|duration}",
            }
        ],
    )
    (finding,) = _check(tmp_path, spec, rules)
    assert finding.message == "99.95% 1h30m 5000/h 150ms 1h30m, 150ms s"


@pytest.mark.parametrize(
    "template",
    [
        "{__class__}",
        "{_id.__class__}",
        "{__class__.__init__.__globals__}",
        "{__dict__}",
        "{_product.__class__.__mro__}",
    ],
)
def test_a_placeholder_cannot_reach_python_attributes(tmp_path: Path, template: str) -> None:
    # Refused when the pack loads, as a name no entity has...
    with pytest.raises(PackError, match="reads a name that is never there"):
        _message(tmp_path, template, SPEC)
    # ...and even rendered, a template looks values up as data: no attribute is reachable.
    expression = template.strip("{}")
    rendered = Template(template, ((expression, jmespath.compile(expression), None),))
    assert rendered.render({"_id": "home-rows", "_product": {}}) == "(not set)"


def test_values_written_in_the_spec_are_never_filled_in_again(tmp_path: Path) -> None:
    spec = """\
        consider: 1
        product: {name: "{_id} {__class__}"}
        outputs: {home-rows: {}}
    """
    assert _message(tmp_path, "{_product.name} at {_id}", spec) == (
        "{_id} {__class__} at home-rows"
    )


def test_the_same_placeholder_twice_is_filled_twice(tmp_path: Path) -> None:
    assert _message(tmp_path, "{_id}/{_id}", SPEC) == "home-rows/home-rows"


# -- truthiness -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, True),
        (0.0, True),
        ("false", True),
        ("0", True),
        ([0], True),
        ({"a": None}, True),
        (True, True),
        (None, False),
        (False, False),
        ("", False),
        ([], False),
        ({}, False),
    ],
)
def test_jmespath_truthiness(value: Any, expected: bool) -> None:
    assert truthy(value) is expected


@pytest.mark.parametrize(
    ("condition", "fires"),
    [
        ('"x-zero"', True),  # 0 is true in JMESPath, unlike Python
        ('"x-empty"', False),
        ('"x-flag"', False),
        ("fallback", False),
        ("!fallback", True),
        ("reacts_to", True),
        ("mode == 'online'", True),
        ("_product.tier == `1`", True),
        ("_product.tier == '1'", False),  # a number is not a string
        ("request_path[0].p99 < `0.05`", True),  # units normalised to seconds
        ("length(_facts.slos) > `1`", True),
        ("_refs.depends_on[0].retrain.cadence == `86400`", True),
        ("_refs.request_path[1].parallel[0].dep._kind == 'stores'", True),
    ],
)
def test_conditions_see_the_entity_and_fire_on_jmespath_truth(
    tmp_path: Path, condition: str, fires: bool
) -> None:
    rules = _rules(
        tmp_path, risks=[{"id": "r", "for": "outputs", "when": condition, "message": "m"}]
    )
    fired = [f.rule for f in _check(tmp_path, SPEC, rules) if f.kind is Kind.RISK]
    assert fired == (["r"] if fires else [])


# -- escalation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "severity"),
    [(1, Severity.ERROR), (2, Severity.WARNING), (3, Severity.INFO), (None, Severity.INFO)],
)
def test_escalation_first_match_wins(tmp_path: Path, tier: int | None, severity: Severity) -> None:
    rules = _rules(
        tmp_path,
        risks=[
            {
                "id": "r",
                "for": "product",
                "when": "`true`",
                "severity": "info",
                "message": "m",
                "escalate": [
                    {"when": "tier == `1`", "severity": "error"},
                    {"when": "tier <= `2`", "severity": "warning"},  # true for tier 1 too: not used
                    {"when": "tier == `1`", "severity": "info"},
                ],
            }
        ],
    )
    product = "{name: Shop}" if tier is None else f"{{name: Shop, tier: {tier}}}"
    (finding,) = _check(tmp_path, f"consider: 1\nproduct: {product}\n", rules)
    assert finding.severity is severity


# -- questions and folds ----------------------------------------------------------------------

FOLDING = {
    "questions": [
        {
            "id": "output-fallback",
            "for": "outputs",
            "ask": "What does {_id} fall back to?",
            "answered_by": ["fallback"],
        },
        {
            "id": "output-cache",
            "for": "outputs",
            "ask": "Is {_id} cached?",
            "answered_by": ["cache"],
            "when": "mode == 'online'",
        },
    ],
    "risks": [
        {
            "id": "online-without-fallback",
            "for": "outputs",
            "when": "mode == 'online' && !fallback",
            "message": "{_id} has no fallback",
            "folds": ["output-fallback"],
            "at": ["mode"],
        },
    ],
}


def test_a_firing_risk_folds_in_the_questions_it_answers(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        """\
        consider: 1
        product: {name: Shop}
        outputs:
          home-rows:
            mode: online
    """,
        _rules(tmp_path, **FOLDING),
    )
    assert [(f.rule, f.line, f.column) for f in findings] == [
        ("output-cache", 4, 3),
        ("online-without-fallback", 5, 5),
    ]
    risk = findings[1]
    assert [(q.rule, q.kind, q.message, q.status) for q in risk.folded] == [
        ("output-fallback", Kind.QUESTION, "What does home-rows fall back to?", Status.OPEN)
    ]


def test_when_the_risk_does_not_fire_the_question_stands_alone(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        """\
        consider: 1
        product: {name: Shop}
        outputs:
          home-rows:
            mode: precomputed
    """,
        _rules(tmp_path, **FOLDING),
    )
    # output-cache is not asked: its `when` does not hold for a precomputed output.
    assert [(f.rule, f.kind, f.line, f.column) for f in findings] == [
        ("output-fallback", Kind.QUESTION, 4, 3)
    ]
    assert findings[0].severity is None


def test_a_question_is_answered_by_any_of_its_paths_even_false_or_zero(tmp_path: Path) -> None:
    rules = _rules(
        tmp_path,
        questions=[
            {
                "id": "output-size",
                "for": "outputs",
                "ask": "How big is {_id}?",
                "answered_by": ["cardinality.entities", "fanout.hedging"],
            }
        ],
    )
    findings = _check(
        tmp_path,
        """\
        consider: 1
        product: {name: Shop}
        outputs:
          a: {fanout: {hedging: false}}
          b: {cardinality: {entities: 11M}}
          c: {cardinality: {entities: 0}}
          d: {cardinality: {items_per_entity: 200}}
    """,
        rules,
    )
    assert [(f.rule, f.pointer, f.message) for f in findings] == [
        ("output-size", "/outputs/d", "How big is d?")
    ]


def test_a_tbd_question_folded_into_a_risk_keeps_its_status(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        """\
        consider: 1
        product: {name: Shop}
        outputs:
          home-rows:
            mode: online
            fallback: tbd
            cache: {ttl: 5m}
    """,
        _rules(tmp_path, **FOLDING),
    )
    (risk,) = findings
    assert [(q.rule, q.status, q.line, q.column, q.pointer) for q in risk.folded] == [
        ("output-fallback", Status.ACKNOWLEDGED, 6, 5, "/outputs/home-rows/fallback")
    ]


# -- where a risk points ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "where", "pointer"),
    [
        (["retrain.duration"], (5, 7), "/models/ranker/retrain/duration"),
        (["retrain.triggers", "retrain.cadence"], (4, 7), "/models/ranker/retrain/cadence"),
        (["retrain"], (3, 5), "/models/ranker/retrain"),
        (["validation", "rollback"], (2, 3), "/models/ranker"),  # absent: the entity's key
        ([], (2, 3), "/models/ranker"),
        (["trained_on[1]"], (6, 29), "/models/ranker/trained_on/1"),
    ],
)
def test_a_risk_points_at_the_first_present_path_of_at_else_the_entity(
    tmp_path: Path, at: list[str], where: tuple[int, int], pointer: str
) -> None:
    spec = """\
        models:
          ranker:
            retrain:
              cadence: 1h
              duration: 2h
            trained_on: [dataset:a, dataset:b]
        datasets: {a: {}, b: {}}
        consider: 1
        product: {name: Shop}
    """
    risk: dict[str, Any] = {"id": "r", "for": "models", "when": "`true`", "message": "m"}
    if at:
        risk["at"] = at
    (finding,) = _check(tmp_path, spec, _rules(tmp_path, risks=[risk]))
    assert ((finding.line, finding.column), finding.pointer) == (where, pointer)


def test_an_absent_field_of_a_product_rule_points_at_the_product_key(tmp_path: Path) -> None:
    rules = _rules(
        tmp_path,
        questions=[
            {
                "id": "product-owner",
                "for": "product",
                "ask": "Who owns {name}?",
                "answered_by": ["owner"],
            }
        ],
    )
    (finding,) = _check(tmp_path, "consider: 1\n\nproduct:\n  name: Shop\n", rules)
    assert (finding.line, finding.column, finding.pointer, finding.message) == (
        3,
        1,
        "/product",
        "Who owns Shop?",
    )


# -- what a condition sees --------------------------------------------------------------------


def test_refs_mirror_the_reference_fields_with_each_entity_in_place() -> None:
    spec = spec_of(SPEC)
    output = spec.collections["outputs"]["home-rows"]
    view = refs_view(spec, output)
    ranker = {
        "retrain": {"cadence": 86400.0, "duration": 5400.0},
        "trained_on": ["dataset:orders"],
        "_id": "ranker",
        "_kind": "models",
    }
    assert view == {
        "depends_on": [ranker, None],
        "request_path": [
            {"dep": {"availability": 0.9995, "p99": 0.025, "_id": "profile", "_kind": "services"}},
            {
                "parallel": [
                    {"dep": {"kind": "key_value", "_id": "features", "_kind": "stores"}},
                    {"dep": ranker},
                ]
            },
        ],
    }
    # The referenced entity's own references stay references: one level deep, no cycles.
    model_view = refs_view(spec, spec.collections["models"]["ranker"])
    assert model_view == {
        "trained_on": [{"retention": 2_592_000.0, "_id": "orders", "_kind": "datasets"}]
    }


def test_entity_fields_are_normalised_and_the_raw_data_kept() -> None:
    spec = spec_of(SPEC)
    output = spec.collections["outputs"]["home-rows"]
    assert output.fields["request_path"][0] == {"dep": "service:profile", "p99": 0.02}
    assert output.raw["request_path"][0] == {"dep": "service:profile", "p99": "20ms"}
    assert spec.collections["slos"]["rows-fast"].fields["availability"] == 0.999
    assert output.ref == "output:home-rows"


def test_product_rules_see_the_product_as_their_entity(tmp_path: Path) -> None:
    rules = _rules(
        tmp_path,
        risks=[
            {
                "id": "r",
                "for": "product",
                "when": "_id == 'product' && _kind == 'product'",
                "message": "{name} {_product.name} {tier}",
            }
        ],
    )
    (finding,) = [f for f in _check(tmp_path, SPEC, rules) if f.rule == "r"]
    assert finding.message == "Shop Shop 1"
    assert finding.pointer == "/product"


# -- the index by kind ------------------------------------------------------------------------


def test_rules_are_indexed_by_the_kinds_they_are_for(tmp_path: Path) -> None:
    rules = _rules(
        tmp_path,
        questions=[
            {"id": "q-one", "for": "outputs", "ask": "?", "answered_by": ["mode"]},
            {
                "id": "q-two",
                "for": ["models", "datasets"],
                "ask": "?",
                "answered_by": ["description"],
            },
            {"id": "q-product", "for": "product", "ask": "?", "answered_by": ["owner"]},
        ],
        risks=[
            {"id": "r-one", "for": ["outputs", "models"], "when": "`true`", "message": "m"},
        ],
    )
    assert set(rules.questions) == set(KINDS) == set(rules.risks)
    ids = {
        kind: ([q.id for q in rules.questions[kind]], [r.id for r in rules.risks[kind]])
        for kind in KINDS
    }
    assert ids == {
        "product": (["q-product"], []),
        "outputs": (["q-one"], ["r-one"]),
        "models": (["q-two"], ["r-one"]),
        "datasets": (["q-two"], []),
        "slos": ([], []),
        "features": ([], []),
        "sources": ([], []),
        "services": ([], []),
        "stores": ([], []),
    }
    assert [r.id for r in rules.rules()] == ["q-one", "q-two", "q-product", "r-one"]
    assert rules.find("r-one") is rules.risks["outputs"][0]
    assert rules.find("nope") is None


def test_a_rule_records_its_pack_file_and_line(tmp_path: Path) -> None:
    path = _write_pack(
        tmp_path, risks=[{"id": "r", "for": "outputs", "when": "mode", "message": "m"}]
    )
    pack = load_pack(path)
    assert isinstance(pack, Pack)
    (risk,) = pack.risks
    assert isinstance(risk, Risk)
    assert (risk.pack, risk.file, risk.line) == ("test", str(path), 4)
    assert (risk.kinds, risk.severity, risk.when.expression) == (
        ("outputs",),
        Severity.WARNING,
        "mode",
    )


def test_findings_are_sorted_by_line_column_then_rule(tmp_path: Path) -> None:
    rules = _rules(
        tmp_path,
        questions=[
            {"id": "b-question", "for": "outputs", "ask": "?", "answered_by": ["cache"]},
            {"id": "a-question", "for": "outputs", "ask": "?", "answered_by": ["fallback"]},
        ],
    )
    findings = _check(tmp_path, SPEC, rules)
    assert [(f.line, f.rule) for f in findings] == [
        (4, "a-question"),
        (4, "b-question"),
        (7, "dangling-reference"),
    ]


# -- the pack cache ---------------------------------------------------------------------------


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CONSIDER_CACHE_DIR", str(folder))
    monkeypatch.delenv("CONSIDER_NO_CACHE", raising=False)
    return folder


def _no_compiling(paths: Any) -> RuleSet:
    raise AssertionError("the packs were compiled again instead of read from the cache")


def test_compiled_packs_are_cached_and_read_back(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_pack(
        tmp_path, risks=[{"id": "r", "for": "outputs", "when": "mode", "message": "m"}]
    )
    first = load_rules([path], builtin=False)
    entries = sorted(cache_dir.glob("rules-*.pickle"))
    assert len(entries) == 1
    monkeypatch.setattr(packs, "_load_rules", _no_compiling)
    again = load_rules([path], builtin=False)
    assert [r.id for r in again.rules()] == [r.id for r in first.rules()] == ["r"]


def test_a_changed_pack_is_read_again(tmp_path: Path, cache_dir: Path) -> None:
    path = _write_pack(
        tmp_path,
        risks=[{"id": "r", "for": "outputs", "when": "mode", "message": "m", "severity": "info"}],
    )
    assert load_rules([path], builtin=False).find("r").severity is Severity.INFO  # type: ignore[union-attr]
    _write_pack(
        tmp_path,
        risks=[{"id": "r", "for": "outputs", "when": "mode", "message": "m", "severity": "error"}],
    )
    assert load_rules([path], builtin=False).find("r").severity is Severity.ERROR  # type: ignore[union-attr]
    assert len(list(cache_dir.glob("rules-*.pickle"))) == 2


def test_a_broken_cache_entry_is_a_miss(tmp_path: Path, cache_dir: Path) -> None:
    path = _write_pack(
        tmp_path, risks=[{"id": "r", "for": "outputs", "when": "mode", "message": "m"}]
    )
    load_rules([path], builtin=False)
    (entry,) = cache_dir.glob("rules-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert [r.id for r in load_rules([path], builtin=False).rules()] == ["r"]
    assert isinstance(pickle.loads(entry.read_bytes()), RuleSet)  # rewritten


def test_an_invalid_pack_is_never_cached(tmp_path: Path, cache_dir: Path) -> None:
    path = _write_pack(
        tmp_path, risks=[{"id": "r", "for": "outputs", "when": "mode ==", "message": "m"}]
    )
    for _ in range(2):
        with pytest.raises(engine.PackError, match="does not compile"):
            load_rules([path], builtin=False)
    assert not list(cache_dir.glob("rules-*.pickle"))


def test_no_cache_turns_the_cache_off(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSIDER_NO_CACHE", "1")
    path = _write_pack(
        tmp_path, risks=[{"id": "r", "for": "outputs", "when": "mode", "message": "m"}]
    )
    load_rules([path], builtin=False)
    assert not cache_dir.exists()


def test_an_unwritable_cache_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    monkeypatch.setenv("CONSIDER_CACHE_DIR", str(blocker / "cache"))
    path = _write_pack(
        tmp_path, risks=[{"id": "r", "for": "outputs", "when": "mode", "message": "m"}]
    )
    assert [r.id for r in load_rules([path], builtin=False).rules()] == ["r"]


def test_fingerprints_ignore_line_numbers_but_not_content(tmp_path: Path) -> None:
    rules = _rules(
        tmp_path,
        questions=[{"id": "q", "for": "outputs", "ask": "?", "answered_by": ["fallback"]}],
        risks=[{"id": "r", "for": "outputs", "when": "mode == 'online'", "message": "m"}],
    )
    spec = "consider: 1\nproduct: {name: S}\noutputs:\n  o: {mode: online}\n"
    first = _check(tmp_path, spec, rules)
    moved = _check(tmp_path, "# a new first line\n" + spec, rules)
    changed = _check(tmp_path, spec.replace("{mode: online}", "{mode: online, x-n: 1}"), rules)
    assert [f.line for f in first] == [4, 4]
    assert [f.line for f in moved] == [5, 5]
    assert [f.fingerprint for f in first] == [f.fingerprint for f in moved]
    assert len({f.fingerprint for f in first}) == 2  # rule is part of it
    assert [f.fingerprint for f in changed] != [f.fingerprint for f in first]


def test_refs_are_built_field_by_field_as_read_and_whole_in_written_order() -> None:
    spec = spec_of(
        """\
        consider: 1
        product: {name: A, owner: t, tier: 1}
        outputs:
          rows: {mode: online, depends_on: ["model:ranker", "model:gone"]}
        models:
          ranker: {retrain: {cadence: 1d}}
        slos:
          fast: {applies_to: "output:nothing", availability: "99.9%"}
        """
    )
    rows = refs_view(spec, spec.collections["outputs"]["rows"])
    assert dict.__len__(rows) == 0  # nothing built until a condition reads it
    ranker = {"retrain": {"cadence": 86400.0}, "_id": "ranker", "_kind": "models"}
    assert rows.get("depends_on") == [ranker, None]
    assert rows.get("mode") is None  # not a reference field
    # A scalar reference to nothing reads as null, and its field is still there as written.
    fast = refs_view(spec, spec.collections["slos"]["fast"])
    assert fast.get("applies_to") is None
    assert list(fast) == ["applies_to"] and "applies_to" in fast and fast["applies_to"] is None
    assert jmespath.search("keys(@)", fast) == ["applies_to"]
    assert jmespath.search("length(_refs.depends_on)", {"_refs": rows}) == 2
    # Whole, the fields come in their written order whatever was read first.
    home = refs_view(spec_of(SPEC), spec_of(SPEC).collections["outputs"]["home-rows"])
    home.get("request_path")
    assert list(home) == ["depends_on", "request_path"]
