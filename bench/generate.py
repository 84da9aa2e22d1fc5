"""Synthetic specs for the scaling benchmark: layered lineage full of diamonds.

Every spec has the same mix of entities (about 5% sources, 55% datasets, 15% features, 5%
models, 10% outputs with one SLO each, and a few services and stores) and differs only in how
the datasets are wired, in layers:

- ``layered``: 10 layers, each dataset derived from two datasets of the layer below, picked
  pseudo-randomly: many overlapping diamonds;
- ``lattice``: 30 layers, dataset ``j`` of a layer derived from datasets ``j`` and ``j+1``
  of the layer below: a diamond lattice whose number of source-to-output paths is about
  2^30 per output, astronomically many to enumerate;
- ``tree``: 30 layers, each dataset derived from exactly one dataset below: one path per
  node, the same number of entities as the lattice.

Every entity carries the fields a strong team would write, so that the whole rule set does
real work on it (a sparse spec would mostly raise questions). Usage::

    python bench/generate.py --shape lattice --entities 100000 --out /tmp/lattice.yaml
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

SHAPES = ("layered", "lattice", "tree")
_SERVICES = 10
_STORES = 2


def _layers(shape: str) -> int:
    return 10 if shape == "layered" else 30


def _counts(entities: int) -> dict[str, int]:
    fixed = _SERVICES + _STORES
    rest = max(entities - fixed, 20)
    counts = {
        "sources": max(rest * 5 // 100, 2),
        "features": max(rest * 15 // 100, 2),
        "models": max(rest * 5 // 100, 1),
        "outputs": max(rest * 10 // 100, 1),
    }
    counts["slos"] = counts["outputs"]
    counts["datasets"] = max(rest - sum(counts.values()), 30)
    return counts


def generate(shape: str, entities: int, seed: int = 7) -> str:
    """A spec of about ``entities`` entities wired as ``shape``, as YAML text."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}")
    rng = random.Random(seed)
    counts = _counts(entities)
    layers = _layers(shape)
    width = max(counts["datasets"] // layers, 1)
    out: list[str] = [
        f"# Synthetic {shape} spec, about {entities} entities (bench/generate.py).",
        "consider: 1",
        "product:",
        f"  name: synthetic {shape}",
        "  owner: bench",
        "  tier: 2",
        "  disallowed_data: [precise location]",
        "  working_backwards:",
        "    headline: Synthetic product for the scaling benchmark",
        "    customer: Nobody; it exists to be checked quickly.",
        "    problem: Checking must stay linear in the size of the spec.",
        "    existing_solutions: [{name: Path enumeration, shortcoming: Exponential on diamonds.}]",
        "    solution: Dynamic programming over a topological order.",
        "    benefits: [Linear time]",
        "    evidence: The benchmark itself.",
        "    customer_quote: It was fast.",
        "    leader_quote: Keep it fast.",
        "    getting_started: Run the benchmark.",
        "    launch_date: '2025-01-01'",
        "    faq:",
        "      internal:",
        "        - {q: How big?, a: Up to 100K entities., category: tam}",
        "        - {q: Cost?, a: None., category: economics}",
        "        - {q: Depends on?, a: Nothing., category: dependencies}",
        "        - {q: Feasible?, a: Yes., category: feasibility}",
    ]

    def dataset_id(layer: int, index: int) -> str:
        return f"ds-{layer:02d}-{index:06d}"

    dataset_ids: list[list[str]] = []
    total = counts["datasets"]
    made = 0
    for layer in range(layers):
        size = width if layer < layers - 1 else max(total - made, 1)
        dataset_ids.append([dataset_id(layer, i) for i in range(size)])
        made += size
    top = dataset_ids[-1]

    out.append("sources:")
    sources = [f"src-{i:06d}" for i in range(counts["sources"])]
    for i, ident in enumerate(sources):
        if i % 2:
            out.append(
                f"  {ident}: {{kind: internal_db, method: batch, direction: pull, interval: 1h, "
                "processing: 5m, delivery: exactly_once, event_time_field: updated_at, "
                "retention: 400d, pii: false, schema: {version: 1, registry: catalog}, "
                "monitors: [volume, freshness], owner: bench, change_rate: hourly, cost: 1, "
                "storage: {kind: warehouse}}"
            )
        else:
            out.append(
                f"  {ident}: {{kind: first_party_events, method: stream, direction: push, "
                "max_lag: 1m, delivery: at_least_once, dedup_key: event_id, "
                "event_time_field: ts, late_data: {allowed_lateness: 5m, policy: side_output}, "
                "volume: {peak: 100/s}, backpressure: buffer, retention: 400d, "
                "replay_window: 400d, pii: false, schema: {version: 1, registry: registry}, "
                "monitors: [volume, freshness], owner: bench, change_rate: continuous, "
                "cost: 1, storage: {kind: log}}"
            )

    out.append("datasets:")
    for layer, ids in enumerate(dataset_ids):
        below = dataset_ids[layer - 1] if layer else None
        for index, ident in enumerate(ids):
            if below is None:
                upstream = [f"source:{sources[index % len(sources)]}"]
            elif shape == "tree":
                upstream = [f"dataset:{below[(index * 7 + layer) % len(below)]}"]
            elif shape == "lattice":
                upstream = [
                    f"dataset:{below[index % len(below)]}",
                    f"dataset:{below[(index + 1) % len(below)]}",
                ]
            else:
                first, second = rng.randrange(len(below)), rng.randrange(len(below))
                if second == first:
                    second = (first + 1) % len(below)
                upstream = [f"dataset:{below[first]}", f"dataset:{below[second]}"]
            out.append(
                f"  {ident}: {{derived_from: [{', '.join(upstream)}], "
                "refresh: {method: batch, interval: 1h, processing: 5m}, "
                "schema: {version: 1, registry: catalog}, point_in_time_correct: true, "
                "mutable: false, retention: 400d, versioned: true, checks: [rows > 0], "
                "logged_from_outputs: [], on_change: {rerun: []}, storage: {kind: warehouse}}"
            )

    out.append("features:")
    features = [f"feat-{i:06d}" for i in range(counts["features"])]
    for i, ident in enumerate(features):
        source = f"dataset:{top[i % len(top)]}"
        out.append(
            f"  {ident}: {{source: {source}, compute: batch, "
            "materialize: {interval: 1h, runtime: 5m}, online_store: store:online, ttl: 3h, "
            "same_code_offline_online: true, logged_at_serving: true, checks: [value >= 0], "
            "cost: 1, approved: true}"
        )

    out.append("models:")
    models = [f"model-{i:06d}" for i in range(counts["models"])]
    for i, ident in enumerate(models):
        trained = [f"dataset:{top[(i * 3 + k) % len(top)]}" for k in range(2)]
        used = [f"feature:{features[(i * 3 + k) % len(features)]}" for k in range(3)]
        out.append(
            f"  {ident}: {{trained_on: [{', '.join(trained)}], features: [{', '.join(used)}], "
            "retrain: {cadence: 1d, triggers: [schedule, new_data, drift], duration: 1h}, "
            "inputs_from: [], deploy: {duration: 30m}, max_age: 3d, staleness_impact: small, "
            "label_delay: 1h, uses_entity_id_features: false, "
            "validation: {gates: [auc >= previous], canary: true, shadow: true, "
            "integration_test: true}, "
            "rollback: {strategy: registry pin, keep_versions: 3}, "
            "metrics: {online: ctr, offline: auc}, baseline: popularity, slices: [all], "
            "fairness: checked, reproducible: true, "
            "monitoring: {metric: ctr, alert: ctr drop, owner: bench}, "
            "schema: {version: 1, registry: models}}"
        )

    out.append("outputs:")
    outputs = [f"out-{i:06d}" for i in range(counts["outputs"])]
    for i, ident in enumerate(outputs):
        model = f"model:{models[i % len(models)]}"
        feature = f"feature:{features[i % len(features)]}"
        service = f"service:svc-{i % _SERVICES:02d}"
        out.append(
            f"  {ident}: {{mode: online, decision: rank, input_space: unbounded, "
            f"reacts_to: [view], depends_on: [{model}, {feature}], "
            f"request_path: [{{dep: {service}, p99: 20ms}}, "
            "{parallel: [{dep: store:online, p99: 10ms}, {dep: service:svc-09, p99: 15ms}]}], "
            "fallback: {strategy: popular, source: store:popular, covers: [" + service + "], "
            "path: [{dep: store:popular, p99: 5ms}], timeout: 50ms}, "
            "fanout: {count: 4, hedging: true, per_call_deadline: 30ms}, "
            "cold_start: popular items, consumers: [web], serving: {cost_per_1k: 0.01}, "
            "holdout: 1%, exploration: {strategy: epsilon, share: 1%}, "
            "propensity_logging: true}"
        )

    out.append("slos:")
    for i, ident in enumerate(outputs):
        out.append(
            f"  slo-{i:06d}: {{applies_to: output:{ident}, window: 30d, availability: 99.9%, "
            "latency: {p50: 20ms, p99: 100ms}, "
            "freshness: {max_staleness: 4d, measured_from: event_time}, "
            "throughput: {peak: 100/s, headroom: 50%}, "
            "external_sla: {availability: 99.5%, latency_p99: 300ms}, "
            "error_budget_policy: freeze launches, "
            "alerting: {burn_rate: true, page: bench-oncall}}"
        )

    out.append("services:")
    for i in range(_SERVICES):
        out.append(
            f"  svc-{i:02d}: {{kind: internal, availability: 99.995%, p99: 15ms, "
            "critical: true, capacity: 10K/s}"
        )
    out.append("stores:")
    out.append(
        "  online: {kind: key_value, availability: 99.995%, p99: 5ms, critical: true, "
        "capacity: 10TB, online: true}"
    )
    out.append(
        "  popular: {kind: key_value, availability: 99.995%, p99: 5ms, critical: true, "
        "capacity: 1TB, online: true}"
    )
    return "\n".join(out) + "\n"


def entity_count(text: str) -> int:
    """How many entities a generated spec holds (one per two-space-indented id line)."""
    return sum(
        1
        for line in text.splitlines()
        if line.startswith("  ") and not line.startswith("   ") and ": {" in line
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=SHAPES, default="layered")
    parser.add_argument("--entities", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    text = generate(args.shape, args.entities, args.seed)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(
            f"{args.out}: {entity_count(text)} entities, {len(text) / 1e6:.1f} MB", file=sys.stderr
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
