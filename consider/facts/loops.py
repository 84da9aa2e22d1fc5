"""Feedback-loop facts: the loop through an entity, set once at its first entity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact_per_kind
from consider.lineage.loops import loops_by_ref

if TYPE_CHECKING:
    from consider.analysis import Analysis


def _loop_fact(spec: Analysis, kind: str, name: str) -> dict[str, Any]:
    loops = loops_by_ref(spec)
    return {
        entity.id: loops[entity.ref][name]
        for entity in spec.entities(kind)
        if name in loops.get(entity.ref, {})
    }


_LOOP_DOC = (
    "A loop through this {what} over lineage and feedback edges (a model whose outputs are "
    "logged into, or shape, data it or a model it feeds trains on: a dataset or a source "
    "with `logged_from_outputs`), set only on the loop's first "
    "entity in id order so a loop is reported once: `entities` (every ref on it, that first "
    "one first), `size`, `cycle` (refs of one cycle through it, first ref repeated at the "
    "end) and `route` (the cycle joined with arrows), `models` (refs), `hidden` (true when "
    "it spans two or more models), `mitigated` and `mitigations` (holdout, exploration or "
    "propensity logging on an output of the loop, exploration or a position feature on a "
    "model of it), `filters_without_holdout` (outputs of the loop that filter or approve, "
    "so that what they turn away is never observed, with no holdout), and "
    "`filters_unobserved` (those of them with no exploration either)."
)
_IN_LOOP_DOC = "The ref of the first entity (in id order) of the loop this {what} is on."


_LOOP_KINDS = ("datasets", "features", "models", "outputs", "sources")


@fact_per_kind("feedback_loop", kinds=_LOOP_KINDS, doc=_LOOP_DOC)
def feedback_loop(spec: Analysis, kind: str) -> Mapping[str, Any]:
    return _loop_fact(spec, kind, "feedback_loop")


@fact_per_kind("in_loop", kinds=_LOOP_KINDS, doc=_IN_LOOP_DOC)
def in_loop(spec: Analysis, kind: str) -> Mapping[str, Any]:
    return _loop_fact(spec, kind, "in_loop")
