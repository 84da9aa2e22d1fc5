"""``consider check --explain RULE[@REF]``: each part of a rule's condition with its value,
asserted for a plain comparison of fields, a fact with its unit, a question, and a rule that
stayed quiet; in the text report and in the JSON one."""

from __future__ import annotations

import json
from collections.abc import Callable

from conftest import ROOT

SPEC = ROOT / "tests" / "specs" / "explain.yaml"
Run = Callable[..., tuple[int, str, str]]


def _explained(run_cli: Run, *targets: str) -> str:
    args = [a for t in targets for a in ("--explain", t)]
    code, out, err = run_cli("check", "--no-config", "--format", "concise", *args, SPEC)
    assert (code, err) == (1, "")
    return "explain " + out.split("\n\nexplain ", 1)[1]


def test_a_plain_comparison_of_fields_with_their_units(run_cli: Run) -> None:
    assert _explained(run_cli, "label-delay-exceeds-retrain-cadence") == (
        f"explain label-delay-exceeds-retrain-cadence (risk) on model:ranker at {SPEC}:17:3: "
        "fired, warning\n"
        "  when: label_delay > retrain.cadence && !(label_cutoff >= label_delay)  → true\n"
        "    label_delay > retrain.cadence  → true: 3628800 (42d) > 604800 (7d) holds\n"
        "      label_delay = 3628800 (42d)\n"
        "      retrain.cadence = 604800 (7d)\n"
        "    !(label_cutoff >= label_delay)  → true\n"
        "      label_cutoff >= label_delay  → null: label_cutoff is not a number, so it "
        "cannot hold\n"
        "        label_cutoff = null (not in the spec)\n"
        "        label_delay = 3628800 (42d)\n"
        "  message: ranker is retrained every 7d, but its labels take up to 42d to arrive, and "
        "no label_cutoff keeps unlabelled examples out: at each retrain, every example of the "
        "last 42d (not only those since the previous retrain) may still lack its label and is "
        "learned as a negative\n"
    )


def test_a_fact_with_its_unit(run_cli: Run) -> None:
    assert _explained(run_cli, "batch-interval-exceeds-freshness") == (
        f"explain batch-interval-exceeds-freshness (risk) on slo:fresh at {SPEC}:13:3: "
        "fired, error\n"
        "  when: (_refs.applies_to.mode == 'online' || _refs.applies_to.mode == 'hybrid') && "
        "_facts.staleness.batch_interval > freshness.max_staleness  → true\n"
        "    _refs.applies_to.mode == 'online' || _refs.applies_to.mode == 'hybrid'  → true\n"
        '      _refs.applies_to.mode == \'online\'  → true: "online" == "online" holds\n'
        '        _refs.applies_to.mode = "online"\n'
        '      _refs.applies_to.mode == \'hybrid\'  → false: "online" == "hybrid" does not hold\n'
        '        _refs.applies_to.mode = "online"\n'
        "    _facts.staleness.batch_interval > freshness.max_staleness  → true: "
        "86400 (1d) > 3600 (1h) holds\n"
        "      _facts.staleness.batch_interval = 86400 (1d)\n"
        "      freshness.max_staleness = 3600 (1h)\n"
        "  message: slo fresh promises home data at most 1h old, but dataset:orders upstream "
        "runs in batches only every 24h: one batch interval alone is longer than the promise\n"
    )


def test_a_question_names_the_paths_that_answer_it(run_cli: Run) -> None:
    assert _explained(run_cli, "fanout") == (
        f"explain fanout (question) on output:home at {SPEC}:4:3: asked (open)\n"
        "  asked when: (mode == 'online' || mode == 'hybrid') && !request_path  → true\n"
        "    mode == 'online' || mode == 'hybrid'  → true\n"
        '      mode == \'online\'  → true: "online" == "online" holds\n'
        '        mode = "online"\n'
        '      mode == \'hybrid\'  → false: "online" == "hybrid" does not hold\n'
        '        mode = "online"\n'
        "    !request_path  → true\n"
        "      request_path = null (not in the spec)\n"
        "  answered by any of: fanout.count\n"
        "    fanout.count = null (not in the spec)\n"
        "  to answer it, write fanout.count\n"
    )


def test_a_rule_that_stayed_quiet_on_a_named_entity(run_cli: Run) -> None:
    explained = _explained(run_cli, "realtime-without-fallback@output:home")
    assert explained.startswith(
        f"explain realtime-without-fallback (risk) on output:home at {SPEC}:4:3: quiet\n"
        "  when: (mode == 'online' || mode == 'hybrid') && !fallback  → false\n"
    )
    assert explained.endswith(
        '    !fallback  → false\n      fallback = {"source": "store:popular", "timeout": 0.05}\n'
    )


def test_explain_in_the_json_report(run_cli: Run) -> None:
    code, out, _ = run_cli(
        "check", "--no-config", "--format", "json", "--explain", "fanout@output:home", SPEC
    )
    report = json.loads(out)
    assert code == 1
    assert report["explain"] == [
        {
            "rule": "fanout",
            "kind": "question",
            "entity": "output:home",
            "file": str(SPEC),
            "line": 4,
            "column": 3,
            "outcome": "asked (open)",
            "lines": [
                "asked when: (mode == 'online' || mode == 'hybrid') && !request_path  → true",
                "  mode == 'online' || mode == 'hybrid'  → true",
                '    mode == \'online\'  → true: "online" == "online" holds',
                '      mode = "online"',
                '    mode == \'hybrid\'  → false: "online" == "hybrid" does not hold',
                '      mode = "online"',
                "  !request_path  → true",
                "    request_path = null (not in the spec)",
                "answered by any of: fanout.count",
                "  fanout.count = null (not in the spec)",
                "to answer it, write fanout.count",
            ],
        }
    ]
    import jsonschema

    from consider.resources import schema

    jsonschema.validate(report, schema("report"))


def test_explain_asks_for_a_rule_and_an_entity_that_exist(run_cli: Run) -> None:
    for target, says in [
        ("fanot", "consider: --explain names no rule 'fanot'; did you mean 'fanout'?\n"),
        (
            "fanout@model:ranker",
            "consider: --explain fanout@model:ranker: the rule is for outputs, not models\n",
        ),
        (
            "fanout@home",
            "consider: --explain fanout@home: write the entity as a typed "
            "reference, such as output:home-rows, or 'product'\n",
        ),
    ]:
        assert run_cli("check", "--no-config", "--explain", target, SPEC) == (2, "", says)
    code, _, err = run_cli("check", "--no-config", "--explain", "fanout@output:hom", SPEC)
    assert code == 2
    assert err == (
        f"consider: --explain fanout@output:hom: {SPEC} has no output:hom; "
        "did you mean 'output:home'?\n"
    )
    code, _, err = run_cli("check", "--no-config", "--format", "sarif", "--explain", "fanout", SPEC)
    assert (code, err) == (2, "consider: --explain works with --format text, concise or json\n")
