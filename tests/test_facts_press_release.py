"""The facts of consider/facts/press_release.py: the PR/FAQ as written (the timing promises
are tested with the lineage facts)."""

from __future__ import annotations

from conftest import valid_analysis

from consider.facts import press_release as facts

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
