"""Facts about how a new model's results reach people: an output that replaces everyone's
result in one run (a weekly email, a nightly batch of limits) reaches them all at once, so a
bad model version is only caught before the run if the release is staged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from consider.facts import fact
from consider.facts.slos import slo_deadline
from consider.fields import at, number
from consider.units import format_clock, format_count, format_duration

if TYPE_CHECKING:
    from consider.analysis import Analysis
    from consider.model import Entity

MANY = 10_000.0
"""From this many people or entities replaced in one run, a bad result is a mass incident:
too many to correct one by one, and more than support can answer."""

_STAGED = frozenset({"canary", "shadow", "staged"})

_SEND_WORDS = ("email", "e-mail", "newsletter", "push", "notification", "sms", "text message")
"""Words in an output's consumers or description that say its results are sent to people,
not fetched by them: what is sent cannot be recalled."""


def _present(value: Any) -> bool:
    return value is not None and value is not False and value != ""


def _precomputed(output: Entity) -> bool:
    mode = output.fields.get("mode")
    return mode == "precomputed" or (
        mode != "online" and _present(at(output.fields, "precompute", "schedule"))
    )


def _sent(output: Entity) -> bool:
    if isinstance(output.fields.get("delivery"), Mapping):
        return True
    consumers = output.fields.get("consumers")
    words = [str(c) for c in consumers] if isinstance(consumers, list) else []
    description = output.fields.get("description")
    if isinstance(description, str):
        words.append(description)
    text = " ".join(words).lower()
    return any(word in text for word in _SEND_WORDS)


def _guarded(model: Entity, sent: bool) -> bool:
    """Whether a new version of the model is tried on live data before it reaches everyone:
    a shadow run, or a canary on a share of requests, which a send never makes (it goes to
    everyone in one run; its own staging is the output's rollout)."""
    validation = model.fields.get("validation")
    if not isinstance(validation, Mapping):
        return False
    return _present(validation.get("shadow")) or (not sent and _present(validation.get("canary")))


@fact(
    "reach",
    kind="outputs",
    doc="For a precomputed output fed by models that replaces the results of at least "
    "10,000 entities in one run: `entities`, `sent` (true when the results are sent to "
    "people, by `delivery` or an email, push or notification consumer, and cannot be "
    "recalled), `rollout` (the output's, or none), `models` (refs of its models), "
    "`unstaged` (refs of those models whose new versions reach every entity in one run: "
    "the output's `rollout` is not canary, shadow or staged, and the model declares no "
    "`validation.shadow`, nor, unless the results are sent, `validation.canary` (a send "
    "goes to everyone in one run); offline gates do not count), `gated` (refs "
    "of those with offline gates) and `summary` (in words). Absent for other outputs.",
)
def output_reach(spec: Analysis) -> Mapping[str, Any]:
    result: dict[str, Any] = {}
    for output in spec.entities("outputs"):
        entities = number(at(output.fields, "cardinality", "entities"))
        if entities is None or entities < MANY or not _precomputed(output):
            continue
        depends = output.fields.get("depends_on")
        models = (
            [
                m
                for m in (spec.resolve(r) for r in depends if isinstance(r, str))
                if m is not None and m.kind == "models"
            ]
            if isinstance(depends, list)
            else []
        )
        if not models:
            continue
        rollout = output.fields.get("rollout")
        staged = rollout in _STAGED
        sent = _sent(output)
        unstaged = [] if staged else [m.ref for m in models if not _guarded(m, sent)]
        gated = [m.ref for m in models if _present(at(m.fields, "validation", "gates"))]
        count = format_count(entities)
        result[output.id] = {
            "entities": entities,
            "sent": sent,
            "rollout": rollout if isinstance(rollout, str) else None,
            "models": [m.ref for m in models],
            "unstaged": unstaged,
            "gated": [g for g in gated if g in unstaged],
            "summary": (
                f"sends the results of {', '.join(unstaged)} to {count} people in one run, "
                "and a sent message cannot be recalled"
                if sent
                else f"replaces the results of {', '.join(unstaged)} for {count} entities in "
                "one run, and undoing it takes another run"
            ),
        }
    return result


@fact(
    "recovery",
    kind="outputs",
    doc="For a precomputed output that retries a failed run (`precompute.on_failure: "
    "retry`) and states its `runtime`: `late` (how long after it is due a retry started "
    "as soon as the failure is known ends; 0 or less when it is in time) and `summary` (the "
    "sum in words). With a `deadline` on one of its SLOs, the failure is known at the latest "
    "start + start skew + `max_duration` (else `runtime`) and the retry then runs `runtime` "
    "and the delivery; else the retry has `retry_window`. Absent when neither can be told.",
)
def output_recovery(spec: Analysis) -> Mapping[str, Any]:
    deadlines: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for slo_id, found in slo_deadline(spec).items():
        slo = next((s for s in spec.entities("slos") if s.id == slo_id), None)
        target = slo.fields.get("applies_to") if slo is not None else None
        if isinstance(target, str):
            deadlines.setdefault(target, (slo_id, found))
    result: dict[str, Any] = {}
    for output in spec.entities("outputs"):
        if at(output.fields, "precompute", "on_failure") != "retry":
            continue
        runtime = number(at(output.fields, "precompute", "runtime"))
        if runtime is None:
            continue
        due = deadlines.get(output.ref)
        window = number(at(output.fields, "precompute", "retry_window"))
        if due is not None:
            slo_id, found = due
            known = found["start"] + found["skew"] + found["run"]
            finish = known + runtime + found["delivery"]
            late = finish - found["deadline"]
            summary = (
                f"a failed run is known at {format_clock(known)} (the latest start, "
                f"{format_duration(found['skew'])} late, plus {format_duration(found['run'])}), "
                f"and a retry of {format_duration(runtime)}"
                + (
                    f" with the {format_duration(found['delivery'])} send"
                    if found["delivery"]
                    else ""
                )
                + f" ends at {format_clock(finish)}, against the "
                f"{found['deadline_clock']} deadline of slo {slo_id}"
            )
        elif window is not None:
            late = runtime - window
            summary = (
                f"one run takes {format_duration(runtime)} and its retry_window is "
                f"{format_duration(window)}"
            )
        else:
            continue
        result[output.id] = {"late": late, "summary": summary}
    return result
