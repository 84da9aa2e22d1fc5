"""Each entity's own delay: what a source, dataset, feature, model or output adds to the
data passing through it, by the rules of DOMAIN.md's staleness check; and a short label of
how an entity is collected or refreshed, for pictures."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from consider.cron import cron_gaps, latest_start
from consider.fields import ROUND, at, field_seconds, number
from consider.records import Record
from consider.units import format_count, format_duration, format_hours, format_size

if TYPE_CHECKING:
    from consider.model import Entity

DATA, MODEL = "data", "model"
"""Walk modes: data only (the default ``includes``), or data and model retraining."""


_CADENCE_WORDS = {60.0: "minutely", 3600.0: "hourly", 86400.0: "daily", 604800.0: "weekly"}


def _every(what: str, ref: str, seconds: float, detail: str) -> str:
    word = _CADENCE_WORDS.get(seconds)
    head = (
        f"the {word} {what} of {ref}"
        if word
        else f"the {what} of {ref} every {format_duration(seconds)}"
    )
    return f"{head} ({detail})" if detail else head


def _plus(first: float, second: float | None, name: str) -> str:
    if not second:
        return format_duration(first)
    # One unit for both parts ("24h + 2h processing", never "1d + 2h"): they are added.
    return f"{format_hours(first)} + {format_hours(second)} {name}"


class Term(Record):
    """One delay an entity adds to the data passing through it."""

    seconds: float
    describe: Callable[[], str]
    """Makes the term's label: only a path's largest term is ever shown, so the text of the
    others (two for each entity of a large spec) is never built."""

    @property
    def label(self) -> str:
        """What the delay is, in words: ``the hourly precompute of output:x (1h + 5m runtime)``."""
        return self.describe()


class Own(Record):
    """What an entity adds in one walk mode: the sum of its terms, its largest term, whether
    a delay it should state is missing, and its batch interval (for the quick check)."""

    total: float
    best: Term | None
    unknown: bool
    interval: float


_NOTHING = Own(0.0, None, False, 0.0)


def _batch(
    ref: str,
    what: str,
    interval: float | None,
    extra: float | None,
    extra_name: str,
    triggered: bool = False,
) -> Own:
    if triggered:  # started at once: only the work itself, no wait for the next run
        if not extra:
            return _NOTHING
        return Own(
            extra,
            Term(
                extra,
                lambda: f"the {extra_name} of {ref} ({format_duration(extra)}, started at once)",
            ),
            False,
            0.0,
        )
    if interval is None:
        return Own(extra or 0.0, None, True, 0.0)
    total = interval + (extra or 0.0)
    return Own(
        total,
        Term(
            total,
            lambda: _every(
                what, ref, interval, _plus(interval, extra, extra_name) if extra else ""
            ),
        ),
        False,
        interval,
    )


def _stream(ref: str, lag: float | None) -> Own:
    if not lag or lag <= 0:
        return _NOTHING
    return Own(
        lag, Term(lag, lambda: f"the stream lag of {ref} ({format_duration(lag)})"), False, 0.0
    )


def event_window(feature: Entity, upstream: Entity | None) -> float | None:
    """How long, in seconds, the feature's window makes a result wait when it follows event
    time (`window.kind: event_time`, or a window with no `kind` over data, ``upstream``, the
    feature's `source`, that declares an `event_time_field`): a sliding window emits every
    `window.slide`, any other window when it closes, after its whole `size` (0 if unsized).
    None for other features."""
    window = feature.fields.get("window")
    if not isinstance(window, Mapping):
        return None
    kind = window.get("kind")
    if kind is None:
        stamp = upstream.fields.get("event_time_field") if upstream is not None else None
        if not isinstance(stamp, str) or not stamp.strip():
            return None
    elif kind != "event_time":
        return None
    return number(window.get("slide")) or number(window.get("size")) or 0.0


def closes_windows(feature: Entity) -> bool:
    """Whether the feature emits a window's result when the window closes: computed on a
    stream, or with no `compute` and no `materialize` stated. A batch or on-demand feature
    computes its window as of each run or request instead."""
    compute = feature.fields.get("compute")
    return compute == "stream" or (compute is None and "materialize" not in feature.fields)


def allowed_lateness(entity: Entity) -> float:
    """The `late_data.allowed_lateness` of a source, in seconds (0 when unset)."""
    if entity.kind != "sources":
        return 0.0
    return field_seconds(entity.fields, "late_data", "allowed_lateness") or 0.0


class Read(Record):
    """What a feature reads: the data its `source` names (whether its window follows event
    time depends on it), and how long a window over it waits for late events."""

    data: Entity
    lateness: float


def _window(
    ref: str, lag: float | None, window: float, lateness: float, sliding: bool = False
) -> Own:
    total = (lag or 0.0) + window + lateness
    if total <= 0:
        return _NOTHING

    def describe() -> str:
        parts = [f"{format_duration(window)} {'slide' if sliding else 'window'}"]
        if lateness:
            parts.append(f"{format_duration(lateness)} allowed lateness")
        if lag:
            parts.append(f"{format_duration(lag)} lag")
        return f"the event-time window of {ref} ({' + '.join(parts)})"

    return Own(total, Term(total, describe), False, 0.0)


def _precompute(ref: str, longest: float, runtime: float, written: str) -> Callable[[], str]:
    """The label of a precompute's term: its longest gap between runs, plus its runtime."""

    def describe() -> str:
        detail = _plus(longest, runtime, "runtime")
        if written.startswith("cron"):
            return f"the precompute of {ref} on {written} (longest gap {detail})"
        return _every("precompute", ref, longest, detail if runtime else "")

    return describe


def precompute_gaps(output: Mapping[str, Any]) -> tuple[float, float, str] | None:
    """(shortest gap, longest gap, how the schedule is written) of an output's precompute
    (its fields, normalised); None without a usable schedule."""
    schedule = at(output, "precompute", "schedule")
    if isinstance(schedule, Mapping):
        cron = schedule.get("cron")
        gaps = cron_gaps(cron) if isinstance(cron, str) else None
        if gaps is None:
            return None
        return gaps.shortest, gaps.longest, f"cron '{cron}'"
    seconds = number(schedule)
    if seconds is None or seconds <= 0:
        return None
    return seconds, seconds, format_duration(seconds)


def holds_precomputed(entity: Entity) -> bool:
    """Whether an output serves results computed ahead of time (precomputed or hybrid, or
    with a precompute), which a change upstream outdates until they are recomputed."""
    return entity.fields.get("mode") in ("precomputed", "hybrid") or isinstance(
        entity.fields.get("precompute"), Mapping
    )


def own_delay(
    entity: Entity, mode: str, *, triggered: bool = False, read: Read | None = None
) -> Own:
    """The worst-case delay one entity adds, by the rules of DOMAIN.md's staleness check.

    ``triggered``: a declared trigger starts the entity's run as soon as its input changes
    (``consider impact``), so it adds only its processing, runtime, or retrain and deploy
    time, never the wait for its next scheduled run. ``read``: for a feature, what it reads,
    which decides whether its window follows event time and how long the window waits for
    late events."""
    fields, ref, kind = entity.fields, entity.ref, entity.kind
    if kind == "sources":
        method = fields.get("method")
        if method == "stream" or (
            method is None and "max_lag" in fields and "interval" not in fields
        ):
            # Allowed lateness delays only a window's result: it is counted there.
            return _stream(ref, field_seconds(fields, "max_lag"))
        what = {"pull": "pull", "push": "delivery"}.get(str(fields.get("direction")), "batch load")
        interval, processing = (
            field_seconds(fields, "interval"),
            field_seconds(fields, "processing"),
        )
        return _batch(ref, what, interval, processing, "processing", triggered)
    if kind == "datasets":
        refresh = fields.get("refresh")
        if not isinstance(refresh, Mapping):
            return _NOTHING if triggered else Own(0.0, None, True, 0.0)
        if refresh.get("method") == "stream" or (
            refresh.get("method") is None and "interval" not in refresh
        ):
            return _stream(ref, field_seconds(refresh, "max_lag"))
        interval, processing = (
            field_seconds(refresh, "interval"),
            field_seconds(refresh, "processing"),
        )
        return _batch(ref, "refresh", interval, processing, "processing", triggered)
    if kind == "features":
        compute = fields.get("compute")
        data = read.data if read is not None else None
        window = event_window(entity, data) if closes_windows(entity) else None
        if window is not None:
            lateness = read.lateness if read is not None else 0.0
            sliding = bool(field_seconds(fields, "window", "slide"))
            return _window(ref, field_seconds(fields, "max_lag"), window, lateness, sliding)
        if compute == "stream":
            return _stream(ref, field_seconds(fields, "max_lag"))
        if compute == "batch" or (compute is None and "materialize" in fields):
            interval = field_seconds(fields, "materialize", "interval")
            runtime = field_seconds(fields, "materialize", "runtime")
            return _batch(ref, "materialisation", interval, runtime, "runtime", triggered)
        return _NOTHING
    if kind == "models":
        if mode != MODEL:
            return _NOTHING
        cadence = field_seconds(fields, "retrain", "cadence")
        training = field_seconds(fields, "retrain", "duration") or 0.0
        deploy = field_seconds(fields, "deploy", "duration") or 0.0

        def parts() -> list[str]:
            written = []
            if training:
                written.append(f"{format_duration(training)} training")
            if deploy:
                written.append(f"{format_duration(deploy)} deploy")
            return written

        if triggered:
            work = training + deploy
            if not work:
                return _NOTHING
            return Own(
                work,
                Term(
                    work, lambda: f"the retrain of {ref} ({' + '.join(parts())}, started at once)"
                ),
                False,
                0.0,
            )
        if cadence is None:
            return Own(training + deploy, None, True, 0.0)
        total = cadence + training + deploy
        every = cadence
        return Own(
            total,
            Term(
                total,
                lambda: _every(
                    "retrain", ref, every, " + ".join([format_duration(every), *parts()])
                ),
            ),
            False,
            0.0,
        )
    if kind == "outputs":
        terms: list[Term] = []
        unknown = False
        if isinstance(fields.get("precompute"), Mapping) or fields.get("mode") == "precomputed":
            runtime = field_seconds(fields, "precompute", "runtime") or 0.0
            gaps = precompute_gaps(fields)
            if triggered:
                if runtime:
                    terms.append(
                        Term(
                            runtime,
                            lambda: f"the precompute of {ref} ({format_duration(runtime)} runtime)",
                        )
                    )
            elif gaps is None:
                unknown = True
            else:
                _, longest, written = gaps
                terms.append(Term(longest + runtime, _precompute(ref, longest, runtime, written)))
        ttl = field_seconds(fields, "cache", "ttl")
        if ttl:
            cached = ttl
            terms.append(Term(ttl, lambda: f"the cache of {ref} (ttl {format_duration(cached)})"))
        best = max(terms, key=lambda t: t.seconds, default=None)
        return Own(sum(t.seconds for t in terms), best, unknown, 0.0)
    return _NOTHING


def describe_collection(entity: Entity) -> str:
    """A short label of how an entity is collected, refreshed or served, for pictures."""
    fields = entity.fields
    kind = entity.kind
    if kind == "sources":
        method = fields.get("method") or "?"
        direction = fields.get("direction")
        head = f"{method} {direction}" if direction else str(method)
        if method == "stream":
            lag = field_seconds(fields, "max_lag")
            return f"{head}, lag {format_duration(lag)}" if lag else head
        interval = field_seconds(fields, "interval")
        if interval:
            processing = field_seconds(fields, "processing")
            tail = f" (+{format_duration(processing)})" if processing else ""
            return f"{head} every {format_duration(interval)}{tail}"
        return head
    if kind == "datasets":
        written = fields.get("refresh")
        refresh: Mapping[str, Any] = written if isinstance(written, Mapping) else {}
        method = refresh.get("method") or ("batch" if "interval" in refresh else "?")
        if method == "stream":
            lag = field_seconds(refresh, "max_lag")
            return f"stream, lag {format_duration(lag)}" if lag else "stream"
        interval = field_seconds(refresh, "interval")
        if interval:
            processing = field_seconds(refresh, "processing")
            tail = f" (+{format_duration(processing)})" if processing else ""
            return f"{method} every {format_duration(interval)}{tail}"
        return str(method)
    if kind == "features":
        compute = fields.get("compute") or "?"
        interval = field_seconds(fields, "materialize", "interval")
        if compute == "batch" and interval:
            runtime = field_seconds(fields, "materialize", "runtime")
            tail = f" (+{format_duration(runtime)})" if runtime else ""
            return f"batch, materialised every {format_duration(interval)}{tail}"
        lag = field_seconds(fields, "max_lag")
        return f"{compute}, lag {format_duration(lag)}" if lag else str(compute).replace("_", " ")
    if kind == "models":
        cadence = field_seconds(fields, "retrain", "cadence")
        if cadence is None:
            return "no retrain cadence"
        parts = [f"retrain every {format_duration(cadence)}"]
        training = field_seconds(fields, "retrain", "duration")
        deploy = field_seconds(fields, "deploy", "duration")
        if training:
            parts.append(f"+{format_duration(training)}")
        if deploy:
            parts.append(f"deploy {format_duration(deploy)}")
        return ", ".join(parts)
    if kind == "outputs":
        mode = str(fields.get("mode") or "mode?")
        gaps = precompute_gaps(fields)
        if gaps is not None:
            return f"{mode}, precompute every {format_duration(gaps[1])}"
        return mode
    parts = []
    availability = number(fields.get("availability"))
    if availability is not None:
        parts.append(f"{round(availability * 100, 4):g}%")
    p99 = field_seconds(fields, "p99")
    if p99 is not None:
        parts.append(f"p99 {format_duration(p99)}")
    capacity = number(fields.get("capacity"))
    if capacity is not None and kind == "stores":
        parts.append(format_size(capacity))
    elif capacity is not None:
        parts.append(f"{format_count(capacity)}/s")
    return ", ".join(parts) or str(fields.get("kind") or kind[:-1])


class Finish(Record):
    """When a scheduled output's results reach people, by its cron schedule at the latest."""

    start: float
    skew: float
    run: float
    run_from: str
    send: float
    entities: float | None
    rate: float | None

    @property
    def finish(self) -> float:
        return self.start + self.skew + self.run + self.send


def scheduled_finish(fields: Mapping[str, Any]) -> Finish | None:
    """The latest time of day an output's cron precompute starts, how late it may start,
    how long it may run (``max_duration``, else ``runtime``) and how long its delivery takes
    (``cardinality.entities / delivery.rate``); None without a cron schedule."""
    precompute = fields.get("precompute")
    precompute = precompute if isinstance(precompute, Mapping) else {}
    schedule = precompute.get("schedule")
    cron = schedule.get("cron") if isinstance(schedule, Mapping) else None
    start = latest_start(cron) if isinstance(cron, str) else None
    if start is None:
        return None
    skew = number(precompute.get("max_start_skew")) or 0.0
    run_from = "max_duration" if number(precompute.get("max_duration")) else "runtime"
    run = number(precompute.get(run_from)) or 0.0
    delivery = fields.get("delivery")
    rate = number(delivery.get("rate")) if isinstance(delivery, Mapping) else None
    cardinality = fields.get("cardinality")
    entities = number(cardinality.get("entities")) if isinstance(cardinality, Mapping) else None
    send = round(entities / rate, ROUND) if rate and entities else 0.0
    return Finish(start, skew, run, run_from, send, entities, rate)
