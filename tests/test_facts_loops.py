"""The feedback-loop facts of consider/facts/loops.py (consider/lineage/loops.py)."""

from __future__ import annotations

from conftest import fact_of, spec_of


def test_a_hidden_loop_through_two_models_and_its_mitigations() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: hidden}
        outputs:
          feed: {decision: filter, depends_on: [model:scorer], exploration: true}
          ads: {depends_on: [model:bidder]}
        models:
          scorer: {trained_on: [dataset:ad-log]}
          bidder: {trained_on: [dataset:feed-log], position_feature: true}
        datasets:
          feed-log: {logged_from_outputs: [output:feed]}
          ad-log: {logged_from_outputs: [output:ads]}
    """)
    loop = fact_of(spec, "datasets", "ad-log", "feedback_loop")
    assert loop["size"] == 6 and loop["hidden"] is True
    assert loop["models"] == ["model:bidder", "model:scorer"]
    assert loop["entities"][0] == "dataset:ad-log"
    assert loop["mitigations"] == ["output:feed exploration", "model:bidder position feature"]
    assert loop["filters_without_holdout"] == ["output:feed"]
