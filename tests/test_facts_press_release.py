"""The facts of consider/facts/press_release.py: the PR/FAQ as written (the timing promises
are tested with the lineage facts)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import H, fact_of, spec_of, valid_analysis

from consider.engine import load_rules
from consider.errors import PackError
from consider.facts import press_release as facts
from consider.phrases import compile_phrases

PRODUCT = """\
consider: 1
product:
  name: x
  working_backwards:
    headline: "Three word headline"
    customer: "  "
    problem: "Two words"
    existing_solutions:
      - {name: "Best sellers", shortcoming: "Same for all"}
    benefits: []
    launch_date: "2025-01-01"
    faq:
      external:
        - {q: "Why?", a: "Because."}
        - {q: "When?"}
      internal:
        - {q: "Market?", a: "Big", category: tam}
        - {q: "Cost?", a: "  ", category: economics}
        - {q: "Other?", category: other}
"""


def test_press_release_facts() -> None:
    spec = valid_analysis(PRODUCT)
    assert dict(facts.product_prfaq_missing_core(spec)) == {
        "product": ["customer", "solution", "benefits"],
    }
    assert dict(facts.product_faq_missing_categories(spec)) == {
        "product": ["dependencies", "feasibility"],
    }
    assert dict(facts.product_faq_unanswered(spec)) == {"product": ["When?", "Cost?", "Other?"]}
    # 3 + 2 + (2 + 3): headline, problem, the alternative's name and shortcoming; not the FAQ
    # nor the launch date
    assert dict(facts.product_press_release_words(spec)) == {"product": 10}


def test_press_release_facts_without_a_press_release() -> None:
    spec = valid_analysis("consider: 1\nproduct: {name: x}\n")
    assert dict(facts.product_prfaq_missing_core(spec)) == {
        "product": ["customer", "problem", "solution", "benefits"],
    }
    assert dict(facts.product_faq_missing_categories(spec)) == {
        "product": ["tam", "economics", "dependencies", "feasibility"],
    }
    assert dict(facts.product_faq_unanswered(spec)) == {"product": []}
    assert dict(facts.product_press_release_words(spec)) == {"product": 0}


def test_press_release_promises_are_matched_from_the_packs_phrase_tables() -> None:
    spec = spec_of("""
        consider: 1
        product:
          name: promises
          working_backwards:
            headline: "Prices update INSTANTLY"
            subheading: "Search in under 150 milliseconds, new items within two hours."
            benefits: ["A digest every Monday", "A digest every Monday"]
        outputs:
          prices: {mode: online}
        slos:
          p: {applies_to: output:prices, freshness: {max_staleness: 1h}, latency: {p99: 150ms}}
    """)
    found = fact_of(spec, "product", "product", "pr_promises", load_rules().tables())
    summary = [(p["phrase"], p["field"], p["status"]) for p in found["found"]]
    assert summary == [
        # "update" makes it a freshness promise: the 150ms p99 does not keep it, the 1h does not
        ("INSTANTLY", "working_backwards.headline", "looser"),
        ("in under 150 milliseconds", "working_backwards.subheading", "backed"),
        ("within two hours", "working_backwards.subheading", "backed"),
        ("every Monday", "working_backwards.benefits[0]", "backed"),  # freshness 1h <= 1w
    ]
    assert [(p["phrase"], p["figures"], p["output"]) for p in found["unbacked"]] == [
        ("INSTANTLY", {"freshness": 10.0}, "output:prices")
    ]


def test_a_looser_slo_does_not_back_a_promise() -> None:
    spec = spec_of("""
        consider: 1
        product:
          name: promises
          working_backwards: {headline: "Fresh within the hour"}
        outputs: {o: {}}
        slos:
          s: {applies_to: output:o, freshness: {max_staleness: 2h}}
    """)
    unbacked = fact_of(spec, "product", "product", "pr_promises", load_rules().tables())["unbacked"]
    assert [(p["status"], p["figures"], p["backing"], p["backed_by"]) for p in unbacked] == [
        ("looser", {"freshness": H}, 2 * H, "slo s")
    ]


def test_without_a_phrase_table_nothing_is_found() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: none, working_backwards: {headline: "Instantly"}}
    """)
    assert fact_of(spec, "product", "product", "pr_promises") == {"found": [], "unbacked": []}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"phrase": "x"}, "must be a list"),
        ([{"phrase": "x"}], "names no figure"),
        ([{"phrase": "x", "freshness": "soon"}], "must be a duration"),
        ([{"phrase": "x", "latncy": "1s"}], "unknown keys"),
        ([{"freshness": "1s"}], "needs a 'phrase'"),
        ([{"phrase": "x", "deadline": "noon"}], 'deadline must be a time of day written "HH:MM"'),
        ([{"phrase": "x", "deadline": "25:00"}], "deadline must be a time of day"),
    ],
)
def test_a_malformed_phrase_table_is_a_pack_error(table: Any, message: str) -> None:
    with pytest.raises(PackError, match=message):
        compile_phrases(table, where="pack.yaml")


def test_phrases_cannot_inject_regular_expressions() -> None:
    (phrase,) = compile_phrases([{"phrase": "a.* {n} (b)", "latency": "1s"}])
    # Patterns match lower-cased text (the fact lower-cases the press release first).
    assert phrase.pattern.search("A.* 3 (B)".lower()) is not None
    assert phrase.pattern.search("aXX 3 (b)") is None
