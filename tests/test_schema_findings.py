"""A spec that parses but is wrong: schema findings at their places, never exit 2.

Wrong types and values, unknown keys (with the closest valid name), references to nothing,
missing required fields; ``x-`` keys left alone; ``tbd`` an acknowledged question and never a
schema error; invalid values seen by rules as absent.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from consider.check import check_file
from consider.engine import RuleSet, index, load_rules
from consider.findings import Finding, Kind, Severity
from consider.loader import load
from consider.resources import schema
from consider.schema import editor_schema, validate

RunCli = Callable[..., tuple[int, str, str]]
SPECS = Path(__file__).resolve().parent / "specs"
GOLDEN_PACK = SPECS / "golden-pack.yaml"


@pytest.fixture(scope="module")
def golden_rules() -> RuleSet:
    return load_rules([GOLDEN_PACK], builtin=False)


def _check(tmp_path: Path, text: str, rules: RuleSet | None = None) -> tuple[Finding, ...]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(textwrap.dedent(text), encoding="utf-8")
    return check_file(spec, rules if rules is not None else index([]), display="spec.yaml").findings


def _rows(findings: tuple[Finding, ...]) -> list[tuple[str, str, str]]:
    """(rule, line:col, message) of each finding, in report order."""
    return [(f.rule, f"{f.line}:{f.column}", f.message) for f in findings]


WRONG = """\
    consider: 1
    product:
      name: Shop
      tier: high
    outputs:
      home-rows:
        mode: online
        depends_on: [model:rankr, dataset:orders]
        request_path:
          - dep: service:profil
            p99: 20 ms
    models:
      ranker:
        retrain: {cadence: 1d}
    datasets:
      orders: {retention: 30d}
    services:
      profile: {availability: "99.95%"}
"""


def test_a_wrong_type_and_a_dangling_reference_are_findings_at_their_places(
    tmp_path: Path,
) -> None:
    findings = _check(tmp_path, WRONG)
    assert _rows(findings) == [
        ("invalid-type", "4:9", "product.tier must be a whole number, not 'high'"),
        (
            "dangling-reference",
            "8:18",
            "outputs.home-rows.depends_on[0] refers to model:rankr, "
            "which is not defined; did you mean model:ranker?",
        ),
        (
            "dangling-reference",
            "10:14",
            "outputs.home-rows.request_path[0].dep refers to "
            "service:profil, which is not defined; did you mean service:profile?",
        ),
        (
            "invalid-value",
            "11:14",
            "outputs.home-rows.request_path[0].p99 is '20 ms', which is "
            "not a duration: write a number and a unit: 250ms, 30s, 15m, 6h, 1d or 2w (no months "
            "or years)",
        ),
    ]
    assert {(f.kind, f.pack, f.severity) for f in findings} == {
        (Kind.SCHEMA, "schema", Severity.ERROR)
    }
    assert [f.pointer for f in findings] == [
        "/product/tier",
        "/outputs/home-rows/depends_on/0",
        "/outputs/home-rows/request_path/0/dep",
        "/outputs/home-rows/request_path/0/p99",
    ]


def test_a_spec_that_is_wrong_exits_1_not_2_and_reports_every_place(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_text(textwrap.dedent(WRONG))
    code, out, err = run_cli("check", "--no-builtin-packs", "--format", "json", "spec.yaml")
    assert (code, err) == (1, "")
    report = json.loads(out)
    assert [(f["rule"], f["line"], f["column"]) for f in report["files"][0]["findings"]] == [
        ("invalid-type", 4, 9),
        ("dangling-reference", 8, 18),
        ("dangling-reference", 10, 14),
        ("invalid-value", 11, 14),
    ]
    assert run_cli("check", "--no-builtin-packs", "--fail-on", "never", "spec.yaml")[0] == 0


def test_a_dangling_reference_lists_what_is_defined_when_nothing_is_close(
    tmp_path: Path,
) -> None:
    findings = _check(
        tmp_path,
        """\
        consider: 1
        product: {name: Shop}
        outputs:
          a: {depends_on: [model:zzz, dataset:x]}
        models:
          ranker: {}
          scorer: {}
    """,
    )
    assert _rows(findings) == [
        (
            "dangling-reference",
            "4:20",
            "outputs.a.depends_on[0] refers to model:zzz, which is "
            "not defined; the models defined are: ranker, scorer",
        ),
        (
            "dangling-reference",
            "4:31",
            "outputs.a.depends_on[1] refers to dataset:x, which is "
            "not defined; the spec defines no datasets",
        ),
    ]


def test_an_unknown_key_names_the_closest_valid_one(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        """\
        consider: 1
        prodcut: {name: Shop}
        outputs:
          home-rows:
            fallbak: {strategy: popular}
            cache: {ttl: 5m, colour: red}
    """,
    )
    assert _rows(findings) == [
        ("missing-required-field", "1:1", "the spec lacks the required field 'product'"),
        ("unknown-key", "2:1", "unknown key 'prodcut' in the top level; did you mean 'product'?"),
        (
            "unknown-key",
            "5:5",
            "unknown key 'fallbak' in outputs.home-rows; did you mean 'fallback'?",
        ),
        (
            "unknown-key",
            "6:22",
            "unknown key 'colour' in outputs.home-rows.cache; keys of your "
            "own must start with 'x-'",
        ),
    ]


def test_x_keys_are_the_users_own_everywhere(tmp_path: Path, golden_rules: RuleSet) -> None:
    findings = _check(
        tmp_path,
        """\
        consider: 1
        x-team: {slack: "#shop"}
        product:
          name: Shop
          owner: shop-team
          x-notes: anything
        outputs:
          home-rows:
            mode: precomputed
            x-mine: [1, {two: 2}]
            cache: {ttl: 5m, x-why: because}
          x-draft:
            not: a real output
    """,
        golden_rules,
    )
    # x-draft is not an output: nothing is asked of it, and nothing is wrong with it.
    assert _rows(findings) == [
        (
            "golden-output-fallback",
            "8:3",
            "What does home-rows serve when a dependency fails or times out?",
        ),
    ]


def test_tbd_acknowledges_a_question_and_raises_no_schema_error(
    tmp_path: Path, golden_rules: RuleSet
) -> None:
    findings = _check(
        tmp_path,
        """\
        consider: 1
        product:
          name: Shop
          owner: TBD
        outputs:
          home-rows:
            mode: tbd
            fallback: tbd
            cache: {ttl: tbd}
        slos:
          rows-fresh:
            applies_to: tbd
            availability: tbd
        models:
          ranker:
            retrain: {cadence: tbd, duration: 1h}
        sources:
          clicks: {delivery: tbd}
    """,
        golden_rules,
    )
    assert [
        (f.rule, f"{f.line}:{f.column}", f.pointer, f.status and f.status.value) for f in findings
    ] == [
        ("golden-product-owner", "4:3", "/product/owner", "acknowledged"),
        ("golden-output-mode", "7:5", "/outputs/home-rows/mode", "acknowledged"),
        ("golden-output-fallback", "8:5", "/outputs/home-rows/fallback", "acknowledged"),
        ("golden-source-delivery", "18:12", "/sources/clicks/delivery", "acknowledged"),
    ]
    # Not one schema finding: tbd is accepted for a required field, a unit, a reference.
    assert all(f.kind is Kind.QUESTION for f in findings)


def test_a_tbd_product_owner_is_acknowledged(tmp_path: Path, golden_rules: RuleSet) -> None:
    findings = _check(
        tmp_path,
        """\
        consider: 1
        product:
          name: Shop
          owner: tbd
    """,
        golden_rules,
    )
    assert [(f.rule, f"{f.line}:{f.column}", f.status and f.status.value) for f in findings] == [
        ("golden-product-owner", "4:3", "acknowledged"),
    ]


def test_a_tbd_required_field_is_not_missing(tmp_path: Path) -> None:
    assert _check(tmp_path, "consider: 1\nproduct: tbd\n") == ()


def test_rules_see_an_invalid_value_as_absent(tmp_path: Path, golden_rules: RuleSet) -> None:
    findings = _check(
        tmp_path,
        """\
        consider: 1
        product: {name: Shop, owner: me}
        outputs:
          home-rows:
            mode: onlin
            fallback: {strategy: popular}
    """,
        golden_rules,
    )
    # The invalid mode is reported once, by the schema: the question about the mode is not
    # asked again, and golden-online-without-fallback does not read the invalid value.
    assert _rows(findings) == [
        (
            "invalid-value",
            "5:11",
            "outputs.home-rows.mode is 'onlin'; use one of: online, "
            "precomputed, hybrid; did you mean 'online'?",
        ),
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "retention",
            "1 month",
            "datasets.d.retention is '1 month', which is not a duration: write a number and a "
            "unit: 250ms, 30s, 15m, 6h, 1d or 2w (no months or years)",
        ),
        (
            "retention",
            "2mo",
            "datasets.d.retention is '2mo', which is not a duration: write a number and a unit: "
            "250ms, 30s, 15m, 6h, 1d or 2w (no months or years)",
        ),
        (
            "retention",
            30,
            "datasets.d.retention is 30, which is not a duration: write a number and a unit: "
            "250ms, 30s, 15m, 6h, 1d or 2w (no months or years)",
        ),
    ],
)
def test_a_unit_field_says_how_to_write_the_unit(
    tmp_path: Path, field: str, value: object, message: str
) -> None:
    findings = _check(
        tmp_path,
        f"""\
        consider: 1
        product: {{name: Shop}}
        datasets:
          d:
            {field}: {json.dumps(value)}
    """,
    )
    assert _rows(findings) == [
        (
            "invalid-value" if isinstance(value, str) else "invalid-type",
            "5:" + str(len(field) + 7),
            message,
        )
    ]


def test_one_finding_per_problem_even_under_a_one_of(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        """\
        consider: 1
        product: {name: Shop}
        slos:
          s:
            applies_to: output:o
            availability: 99.9
        services:
          profile: {capacity: 12 rps}
        outputs:
          o: {}
    """,
    )
    assert _rows(findings) == [
        (
            "invalid-type",
            "6:19",
            "slos.s.availability is 99.9, which is not a percentage: write "
            'a quoted percentage from 0% to 100%, such as "99.9%", "0.5%" or "100%"',
        ),
        (
            "invalid-value",
            "8:23",
            "services.profile.capacity is '12 rps', which is not a rate: "
            'write a rate such as "1200/s" or "5000/h", or {requests: 5000, per: 1h}',
        ),
    ]


def test_a_missing_required_field_points_at_the_entity(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        """\
        consider: 1
        product: {name: Shop}
        slos:
          rows-fast:
            latency: {p99: 150ms}
    """,
    )
    assert _rows(findings) == [
        ("missing-required-field", "4:3", "slos.rows-fast lacks the required field 'applies_to'"),
    ]


def test_the_format_version_must_be_1(tmp_path: Path) -> None:
    findings = _check(tmp_path, "consider: 2\nproduct: {name: Shop}\n")
    assert _rows(findings) == [("invalid-value", "1:11", "consider is 2; it must be 1")]


def test_schema_findings_carry_why_fix_and_a_stable_fingerprint(tmp_path: Path) -> None:
    first = _check(tmp_path, "consider: 1\nproduct: {name: Shop, tier: high}\n")
    moved = _check(
        tmp_path, "# a comment moves every line\n\nconsider: 1\nproduct: {name: Shop, tier: high}\n"
    )
    assert first[0].why == "Rules cannot read a value of the wrong type; it counts as absent."
    assert first[0].fix == "Write the value in the type the field takes (see docs/spec.md)."
    assert (first[0].line, moved[0].line) == (2, 4)
    assert first[0].fingerprint == moved[0].fingerprint
    assert len(first[0].fingerprint) == 16


# -- percentages are shares: 0% to 100% -------------------------------------------------------


@pytest.mark.parametrize("value", ["99.999%", "100%", "100.0%", "0.5%", "0%", "1%"])
def test_a_percentage_from_0_to_100_is_accepted(tmp_path: Path, value: str) -> None:
    text = f'consider: 1\nproduct: {{name: Shop}}\nservices:\n  s: {{availability: "{value}"}}\n'
    assert _check(tmp_path, text) == ()


@pytest.mark.parametrize("value", ["150%", "100.5%", "101%", "1000%"])
def test_a_percentage_over_100_is_an_invalid_value(tmp_path: Path, value: str) -> None:
    text = f'consider: 1\nproduct: {{name: Shop}}\nservices:\n  s: {{availability: "{value}"}}\n'
    assert _rows(_check(tmp_path, text)) == [
        (
            "invalid-value",
            "4:21",
            f"services.s.availability is '{value}', which is not a percentage: write a quoted "
            'percentage from 0% to 100%, such as "99.9%", "0.5%" or "100%"',
        )
    ]


# -- one problem, one finding -----------------------------------------------------------------


def test_a_value_wrong_in_type_and_value_is_one_finding(tmp_path: Path) -> None:
    findings = _check(tmp_path, 'consider: "1"\nproduct: {name: Shop, tier: "1"}\n')
    assert _rows(findings) == [
        ("invalid-type", "1:11", "consider must be a whole number, not '1'"),
        ("invalid-type", "2:29", "product.tier must be a whole number, not '1'"),
    ]


def test_a_value_of_none_of_a_fields_types_names_the_types_it_takes(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        "consider: 1\nproduct: {name: Shop}\nsources:\n  s: {pii: 5}\n"
        "outputs:\n  o: {opt_out: 3}\n",
    )
    assert _rows(findings) == [
        ("invalid-value", "4:12", "sources.s.pii must be true or false or a list, not 5"),
        ("invalid-value", "6:16", "outputs.o.opt_out must be a mapping or text, not 3"),
    ]


def test_an_unknown_key_and_a_missing_field_in_one_mapping_are_two_problems(
    tmp_path: Path,
) -> None:
    findings = _check(tmp_path, "consider: 1\nproduct: {name: Shop}\nslos:\n  s: {colour: red}\n")
    assert [f.rule for f in findings] == ["missing-required-field", "unknown-key"]


# -- references: the kinds a field takes, and the closest one ---------------------------------

_NOT_A_REFERENCE = "which is not a reference this field takes: "


@pytest.mark.parametrize(
    ("field", "value", "column", "message"),
    [
        pytest.param(
            "trained_on",
            "datset:orders",
            20,
            "models.m.trained_on[0] is 'datset:orders', "
            + _NOT_A_REFERENCE
            + "write kind:id with kind source, dataset or feature; did you mean dataset:orders?",
            id="misspelt-kind",
        ),
        pytest.param(
            "trained_on",
            "Datasets:orders",
            20,
            "models.m.trained_on[0] is 'Datasets:orders', "
            + _NOT_A_REFERENCE
            + "write kind:id with kind source, dataset or feature; did you mean dataset:orders?",
            id="plural-capitalised-kind",
        ),
        pytest.param(
            "trained_on",
            "model:ranker",
            20,
            "models.m.trained_on[0] is 'model:ranker', "
            + _NOT_A_REFERENCE
            + "write kind:id with kind source, dataset or feature",
            id="a-kind-this-field-does-not-take",
        ),
        pytest.param(
            "trained_on",
            "dataset:bad id",
            20,
            "models.m.trained_on[0] is 'dataset:bad id', "
            + _NOT_A_REFERENCE
            + "the id after 'dataset:' must start with a letter or digit and use only letters, "
            "digits, '_', '.' and '-'",
            id="bad-id",
        ),
        pytest.param(
            "trained_on",
            "orders",
            20,
            "models.m.trained_on[0] is 'orders', "
            + _NOT_A_REFERENCE
            + "write kind:id with kind source, dataset or feature",
            id="no-kind",
        ),
    ],
)
def test_a_malformed_reference_names_the_kinds_the_field_takes(
    tmp_path: Path, field: str, value: str, column: int, message: str
) -> None:
    text = f'consider: 1\nproduct: {{name: Shop}}\nmodels:\n  m: {{{field}: ["{value}"]}}\n'
    assert _rows(_check(tmp_path, text)) == [("invalid-value", f"4:{column}", message)]


def test_a_reference_of_one_kind_without_its_kind_suggests_it(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        """\
        consider: 1
        product: {name: Shop}
        outputs: {home-rows: {}}
        slos:
          s: {applies_to: home-rows}
    """,
    )
    assert _rows(findings) == [
        (
            "invalid-value",
            "5:19",
            "slos.s.applies_to is 'home-rows', " + _NOT_A_REFERENCE + "write kind:id with kind "
            "output; did you mean output:home-rows?",
        )
    ]


# -- entity ids -------------------------------------------------------------------------------


def test_a_malformed_entity_id_is_named_as_an_id_not_an_unknown_key(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        """\
        consider: 1
        product: {name: Shop, x-bad key: fine}
        outputs:
          "bad id!": {mode: online}
          -dash: {}
          good.id_1-x: {}
          x-mine: anything
    """,
    )
    form = "ids start with a letter or digit and use only letters, digits, '_', '.' and '-'"
    assert _rows(findings) == [
        ("invalid-value", "4:3", f"'bad id!' is not a valid id in outputs: {form}"),
        ("invalid-value", "5:3", f"'-dash' is not a valid id in outputs: {form}"),
    ]
    assert [f.pointer for f in findings] == ["/outputs/bad id!", "/outputs/-dash"]


# -- a whole entity, collection or product that says tbd --------------------------------------


def test_a_tbd_entity_exists_its_questions_are_asked_and_references_to_it_resolve(
    tmp_path: Path, golden_rules: RuleSet
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        textwrap.dedent(
            """\
            consider: 1
            product: {name: Shop, owner: me}
            outputs:
              home-rows: tbd
              other: {mode: precomputed, fallback: {strategy: popular}, depends_on: [model:m]}
            models:
              m: TBD
            slos:
              s: tbd
            """
        ),
        encoding="utf-8",
    )
    document = load(spec, display="spec.yaml")
    validation = validate(document)
    assert validation.is_spec
    assert validation.findings == ()
    assert validation.data["outputs"]["home-rows"] == {}
    assert validation.data["models"] == {"m": {}}
    assert validation.data["slos"] == {"s": {}}  # its required applies_to is not missing
    assert {"/outputs/home-rows", "/models/m", "/slos/s"} <= validation.tbd
    findings = check_file(spec, golden_rules, display="spec.yaml").findings
    # The questions about home-rows are asked, at its key; model:m resolves (no dangling
    # reference), so what is known of it, that it declares no validation, is reported.
    assert [(f.rule, f"{f.line}:{f.column}", f.pointer) for f in findings] == [
        ("golden-output-fallback", "4:3", "/outputs/home-rows"),
        ("golden-output-mode", "4:3", "/outputs/home-rows"),
        ("golden-depends-on-unvalidated-model", "5:61", "/outputs/other/depends_on"),
    ]


def test_a_tbd_collection_or_product_becomes_an_empty_mapping(
    tmp_path: Path, golden_rules: RuleSet
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "consider: 1\nproduct: tbd\nsources: tbd\nstores: Tbd\noutputs: {x-draft: tbd}\n",
        encoding="utf-8",
    )
    validation = validate(load(spec))
    assert validation.findings == ()
    assert validation.data == {
        "consider": 1,
        "product": {},
        "sources": {},
        "stores": {},
        "outputs": {},  # an x- key of the user's own is not an entity
    }
    assert validation.tbd == frozenset({"/product", "/sources", "/stores", "/outputs/x-draft"})
    findings = check_file(spec, golden_rules, display="spec.yaml").findings
    assert [(f.rule, f"{f.line}:{f.column}") for f in findings] == [
        ("golden-product-owner", "2:1"),
    ]


def test_a_spec_is_a_spec(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("consider: 1\nproduct: {name: Shop}\n", encoding="utf-8")
    assert validate(load(spec)).is_spec


# -- the schema editors see: tbd allowed everywhere --------------------------------------------


def test_the_editor_schema_accepts_tbd_for_any_field_and_stays_strict() -> None:
    import jsonschema

    original = schema("spec")
    kept = json.dumps(original, sort_keys=True)
    editor = editor_schema(original)
    assert json.dumps(original, sort_keys=True) == kept  # the input is not changed
    jsonschema.Draft7Validator.check_schema(editor)
    strict = jsonschema.Draft7Validator(original)
    lenient = jsonschema.Draft7Validator(editor)
    assert editor["definitions"]["tbd"] == {
        "const": "tbd",
        "description": "An open question, acknowledged: consider reports the question as open "
        "but raises no schema error.",
    }

    def spec(**parts: object) -> dict[str, object]:
        return {"consider": 1, "product": {"name": "Shop"}, **parts}

    with_tbd = [
        spec(outputs={"home-rows": {"mode": "tbd", "fallback": "tbd"}}),
        spec(product={"name": "Shop", "tier": "tbd"}),
        spec(product="tbd"),
        spec(models={"m": "tbd"}),
        spec(sources="tbd"),
        spec(slos={"s": {"applies_to": "tbd", "availability": "tbd"}}),
        spec(outputs={"o": {"request_path": [{"dep": "service:a", "p99": "tbd"}]}}),
    ]
    for data in with_tbd:
        assert not strict.is_valid(data), data
        assert lenient.is_valid(data), data
    wrong = [
        spec(outputs={"home-rows": {"mode": "onlin"}}),
        spec(outputs={"home-rows": {"fallbak": "tbd"}}),
        spec(prodcut="tbd"),
        spec(outputs={"bad id!": "tbd"}),
        spec(product={"name": "Shop", "tier": "high"}),
        spec(services={"s": {"availability": "150%"}}),
    ]
    for data in wrong:
        assert not lenient.is_valid(data), data
    assert lenient.is_valid(spec(outputs={"home-rows": {"mode": "online"}, "x-draft": "tbd"}))


def test_the_editor_schema_keeps_what_editors_show_at_the_wrapper() -> None:
    original = schema("spec")
    editor = editor_schema(original)
    mode = editor["definitions"]["output"]["properties"]["mode"]
    assert mode == {
        "description": original["definitions"]["output"]["properties"]["mode"]["description"],
        "anyOf": [
            original["definitions"]["output"]["properties"]["mode"],
            {"$ref": "#/definitions/tbd"},
        ],
    }
    entity = editor["properties"]["models"]["anyOf"][0]["patternProperties"]
    ident = next(p for p in entity if p != "^x-")
    assert entity["^x-"] == {}
    # A bare $ref shows what its definition says of itself.
    assert entity[ident]["title"] == original["definitions"]["model"]["title"]
    assert entity[ident]["anyOf"] == [
        {"$ref": "#/definitions/model"},
        {"$ref": "#/definitions/tbd"},
    ]
    # Conditions are left alone: a parallel hop still may not name a dep.
    assert editor["definitions"]["hop"]["then"] == original["definitions"]["hop"]["then"]
