"""Facts about automated decisions: the outputs that set a price or an amount, or approve
and decline, and the bounds (`guardrails`) that hold them outside the model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact
from consider.fields import calls

if TYPE_CHECKING:
    from consider.analysis import Analysis

_NEEDED: dict[str, tuple[tuple[str, ...], ...]] = {
    # A price or amount needs a floor, a cap, a largest step and a way to switch it off.
    "price": (("min",), ("max",), ("max_step",), ("kill_switch",)),
    # An approval needs a bound on what it turns away (a share of declines, either end) and
    # a way to switch it off; a largest step has no meaning for a yes or no.
    "approve": (("min", "max"), ("kill_switch",)),
}


def _model_driven(fields: Mapping[str, Any]) -> bool:
    """Whether a model takes the decision: one is named in `depends_on` or called on the
    `request_path`. A fixed rule or a person deciding is bounded by its own text."""
    refs = [r for r in fields.get("depends_on") or () if isinstance(r, str)]
    refs += [hop["dep"] for hop in calls(fields.get("request_path"))]
    return any(ref.startswith("model:") for ref in refs)


def _present(guardrails: Mapping[str, Any], name: str) -> bool:
    value = guardrails.get(name)
    return value is not None and value is not False and value != ""


@fact(
    "guardrails",
    kind="outputs",
    doc="For an output that takes an automated decision that moves money (`decision: price` "
    "or `approve`) by a model (named in `depends_on` or called on its `request_path`): "
    "`decision`, `declared` (whether `guardrails` is written at all) and "
    "`missing` (the bounds it lacks, in words: `min`, `max`, `max_step`, `kill_switch`; for "
    "`approve`, `min or max` stands for a bound on what it turns away, and `max_step` is "
    "not asked). Absent for other outputs.",
)
def output_guardrails(spec: Analysis) -> Mapping[str, Any]:
    result: dict[str, Any] = {}
    for output in spec.entities("outputs"):
        decision = output.fields.get("decision")
        needed = _NEEDED.get(decision) if isinstance(decision, str) else None
        if needed is None or not _model_driven(output.fields):
            continue
        written = output.fields.get("guardrails")
        guardrails: Mapping[str, Any] = written if isinstance(written, Mapping) else {}
        missing = [
            " or ".join(names)
            for names in needed
            if not any(_present(guardrails, name) for name in names)
        ]
        result[output.id] = {
            "decision": decision,
            "declared": isinstance(written, Mapping),
            "missing": missing,
        }
    return result
