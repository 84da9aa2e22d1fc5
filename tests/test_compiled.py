"""Compiled conditions (consider/compiled.py) give what jmespath's interpreter gives, within
the same work bound, for every expression of the built-in packs on every example spec."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jmespath
import pytest
from conftest import EXAMPLES, example

from consider import bounds, compiled
from consider.engine import KINDS, contexts
from consider.rules import Expression, RuleSet


def _expressions(rules: RuleSet) -> Iterator[Expression]:
    for pack in rules.packs:
        for rule in (*pack.questions, *pack.risks):
            if rule.when is not None:
                yield rule.when
            yield from getattr(rule, "answer_paths", ())
            for step in getattr(rule, "escalate", ()):
                yield step.when
            for template in (getattr(rule, "ask", None), getattr(rule, "message", None)):
                if template is not None:
                    yield from (expression for _, expression, _ in template.parts)


def _same(expression: Any, data: Any) -> None:
    interpreter = bounds.BoundedInterpreter()
    try:
        expected: Any = interpreter.search(expression, data)
    except jmespath.exceptions.JMESPathError as error:
        expected = type(error)
    work = interpreter.work
    function = compiled.compile_expression(expression, interpreter)
    interpreter.work = 0
    try:
        found: Any = function(data)
    except jmespath.exceptions.JMESPathError as error:
        found = type(error)
    assert found == expected
    assert interpreter.work == work  # the same work charged, so the same bound


@pytest.mark.parametrize("name", sorted(path.name for path in EXAMPLES.glob("*.yaml")))
def test_every_builtin_expression_agrees_with_the_interpreter(
    name: str, builtin_rules: RuleSet
) -> None:
    spec = example(name)
    expressions = list(_expressions(builtin_rules))
    assert len(expressions) > 100
    for _, _, _, _, data in contexts(spec, builtin_rules, KINDS):
        for expression in expressions:
            _same(expression.parsed, data)


@pytest.mark.parametrize(
    "text",
    [
        "a == `1`",
        "a == `true`",
        "b != `0`",
        "a < `2` && b >= `0`",
        "!c || a > 'x'",
        "!`0`",
        "items[*].a | sum(@)",
        "items[?a > `2`].a",
        "m.*.a",
        "nested[]",
        "[a, b]",
        "{x: a, y: b}",
        "items[1].a",
        "items[-1:]",
        "sort_by(items, &a)[0].a",
        "length(missing)",
        "@.a",
        "m.p",
        "a.x",
        "`0` && c",
        "c || `[]` || `{}` || a",
        "b || `0.0`",
    ],
)
def test_each_node_type_agrees_with_the_interpreter(text: str) -> None:
    data = {
        "a": 1,
        "b": False,
        "c": "",
        "m": {"p": {"a": 1}, "q": {"a": 2}},
        "items": [{"a": i} for i in range(5)],
        "nested": [[1, 2], 3, [4]],
    }
    _same(jmespath.compile(text).parsed, data)


def test_a_compiled_evaluation_stops_past_its_work() -> None:
    many = "[" + ",".join(["@"] * 200) + "]"
    expression = jmespath.compile(f"{many}[].{many}[].{many}[]").parsed
    interpreter = bounds.BoundedInterpreter()
    with pytest.raises(bounds.WorkExceeded, match="more than 250,000 steps"):
        compiled.compile_expression(expression, interpreter)({})


def test_an_expression_is_compiled_only_after_some_searches() -> None:
    searcher = compiled.Searcher()
    expression = jmespath.compile("a").parsed
    for _ in range(compiled.COMPILE_AFTER - 1):
        assert searcher.search("a", expression, {"a": 1}) == 1
    assert "a" not in searcher._compiled
    assert searcher.search("a", expression, {"a": 2}) == 2
    assert "a" in searcher._compiled
