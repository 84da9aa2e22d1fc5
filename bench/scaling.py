"""Scaling benchmark: is checking a spec linear in its size, diamonds or not?

Two comparisons, each through the real pipeline (``consider.check.check_file``: load,
validate, model, facts, rules), with the file-size limit raised the way a user raises it
(``--max-file-size``, parsed by the same parser), both measured in the same run:

1. time per entity of a layered spec full of diamonds at 1,000, 10,000 and 100,000 entities
   (target: the largest within 2x of the smallest);
2. time per entity of a 30-layer diamond lattice (about 2^30 paths per output) against a
   tree-shaped spec of the same size (target: within 2x).

``--rules`` chooses what is checked: ``all`` (the default: every built-in pack and every
fact, what a user runs) or ``lineage`` (the 15 lineage risks of the built-in packs, the 3
questions they fold, and only the lineage facts (consider/lineage/ analyses) and links.py, so the
figure is the lineage analysis's own). Each size is timed ``--repeat`` times (the best is
kept; at most twice above 20,000 entities); the stages of the largest run, and its slowest
facts, are broken down at the end. Usage::

    python bench/scaling.py                       # all packs, 1K/10K/100K, lattice vs tree
    python bench/scaling.py --rules lineage --sizes 1000,10000 --shape-size 10000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # bench/ is not a package

from consider import facts as facts_registry
from consider.analysis import Analysis
from consider.check import check_file
from consider.engine import RuleSet, index, load_rules
from consider.loader import Limits, load
from consider.model import build
from consider.schema import validate
from consider.units import parse_size

LINEAGE_RISKS = frozenset(
    {
        "freshness-chain-exceeds-slo",
        "composite-availability-below-slo",
        "dependency-missing-extra-nine",
        "latency-budget-exceeded",
        "fallback-exceeds-deadline",
        "model-age-exceeds-tolerance",
        "missing-retrain-trigger",
        "stale-downstream-inference",
        "feedback-loop-unmitigated",
        "rate-limit-insufficient",
        "batch-interval-exceeds-freshness",
        "precompute-overruns-schedule",
        "precompute-store-capacity",
        "planned-downtime-exceeds-budget",
        "pr-promise-without-slo",
    }
)
LINEAGE_FACT_MODULES = (
    "consider.facts.staleness",
    "consider.facts.slos",
    "consider.facts.impact",
    "consider.facts.loops",
    "consider.facts.links",
)
LINEAGE_FACTS = frozenset(
    {
        ("outputs", "availability"),
        ("outputs", "latency"),
        ("outputs", "precompute"),
        ("services", "extra_nine"),
        ("stores", "extra_nine"),
        ("models", "model_age"),
        ("models", "missing_retrain_triggers"),
        ("models", "rerun_after_retrain"),
        ("sources", "pull_capacity"),
        ("product", "pr_promises"),
    }
)
"""The lineage facts that sit in modules shared with local facts."""
MAX_FILE_SIZE = "200MB"
"""What the benchmark passes as ``--max-file-size`` (100,000 entities are about 38MB)."""


def lineage_rules() -> RuleSet:
    """The lineage risks of the built-in packs, and the questions they fold."""
    builtin = load_rules()
    folded = {
        q for pack in builtin.packs for r in pack.risks if r.id in LINEAGE_RISKS for q in r.folds
    }
    packs = [
        pack._replace(
            questions=tuple(q for q in pack.questions if q.id in folded),
            risks=tuple(r for r in pack.risks if r.id in LINEAGE_RISKS),
        )
        for pack in builtin.packs
    ]
    return index(packs)


def restrict_facts() -> None:
    """Compute only the lineage facts (and the reverse links they sit beside)."""
    everything = facts_registry.registry()
    kept = tuple(
        d
        for d in everything
        if d.module in LINEAGE_FACT_MODULES or (d.kind, d.name) in LINEAGE_FACTS
    )
    facts_registry.registry = lambda: kept  # type: ignore[assignment]


def time_check(path: Path, rules: RuleSet, limits: Limits, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        check_file(path, rules, display=path.name, limits=limits)
        best = min(best, time.perf_counter() - started)
    return best


def stages(path: Path, rules: RuleSet, limits: Limits) -> dict[str, float]:
    """Seconds per stage of one run, the collector paused as check_file pauses it.

    ``engine.evaluate`` computes facts lazily, through a ``facts.FactStore``, the first time
    a condition reads one. To time facts and rules apart, the facts stage fills a store with
    every fact of the kinds the rules are asked of (each computed once, for every entity of
    its kind: at least what the rules read, so an upper bound of what a check computes), and
    the rules stage runs ``evaluate`` over that store, so it pays for conditions only."""
    import gc

    from consider.engine import KINDS, evaluate
    from consider.lineage.graph import lineage_graph

    marks: dict[str, float] = {}
    gc.disable()
    try:
        started = time.perf_counter()
        document = load(path, display=path.name, limits=limits)
        marks["load"] = time.perf_counter() - started
        started = time.perf_counter()
        validation = validate(document)
        marks["validate"] = time.perf_counter() - started
        started = time.perf_counter()
        spec = build(document, validation)
        marks["model"] = time.perf_counter() - started
        analysis = Analysis(spec, rules.tables())  # as evaluate makes it
        started = time.perf_counter()
        lineage_graph(analysis)
        marks["lineage graph"] = time.perf_counter() - started
        wanted = {k for k in KINDS if rules.questions.get(k) or rules.risks.get(k)}
        started = time.perf_counter()
        store = facts_registry.FactStore(analysis)
        for kind in sorted(wanted):
            for name in store.names(kind):
                store.value(kind, name, "")  # computes the fact for every entity of the kind
        marks["facts (all of the kinds ruled)"] = time.perf_counter() - started
        make_store = facts_registry.FactStore
        facts_registry.FactStore = lambda _analysis: store  # type: ignore[assignment,misc]
        try:
            started = time.perf_counter()
            evaluate(spec, rules)
            marks["rules"] = time.perf_counter() - started
        finally:
            facts_registry.FactStore = make_store  # type: ignore[misc]
    finally:
        gc.enable()
    return marks


def per_entity(measured: tuple[int, float, Path]) -> float:
    """Seconds per entity of one measured spec (entities, seconds, path)."""
    return measured[1] / measured[0]


def slowest_facts(path: Path, limits: Limits, top: int = 6) -> list[tuple[str, float]]:
    """The facts that take longest on one spec, each computed once, slowest first (the
    lineage graph is built before the clock starts, as every fact shares it; the collector
    paused as check_file pauses it)."""
    import gc

    from consider.lineage.graph import lineage_graph

    timings = []
    gc.disable()
    try:
        analysis = Analysis(build(*_validated(path, limits)), load_rules().tables())
        lineage_graph(analysis)
        for definition in facts_registry.registry():
            started = time.perf_counter()
            definition.compute(analysis)
            timings.append((f"{definition.kind}.{definition.name}", time.perf_counter() - started))
    finally:
        gc.enable()
    return sorted(timings, key=lambda item: -item[1])[:top]


def _validated(path: Path, limits: Limits) -> tuple[Any, Any]:
    document = load(path, display=path.name, limits=limits)
    return document, validate(document)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", choices=("all", "lineage"), default="all")
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="entity counts of the layered spec, comma-separated; the first and last are compared",
    )
    parser.add_argument(
        "--shape-size",
        type=int,
        default=100000,
        help="entities of the lattice and the tree (0: skip)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per spec; the best counts")
    parser.add_argument("--keep", type=Path, help="write the generated specs here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    limits = Limits(max_bytes=int(parse_size(MAX_FILE_SIZE)))
    if args.rules == "lineage":
        rules = lineage_rules()
        restrict_facts()
    else:
        rules = load_rules()
    count = sum(len(p.questions) + len(p.risks) for p in rules.packs)
    print(
        f"pipeline: check_file (load, validate, model, facts, rules); --max-file-size "
        f"{MAX_FILE_SIZE}; rules: {args.rules} ({count}); best of {args.repeat}"
    )
    scratch = None if args.keep else tempfile.TemporaryDirectory(prefix="consider-bench-")
    folder = args.keep or Path(scratch.name)  # type: ignore[union-attr]
    folder.mkdir(parents=True, exist_ok=True)

    def run(shape: str, entities: int) -> tuple[int, float, Path]:
        path = folder / f"{shape}-{entities}.yaml"
        text = generate.generate(shape, entities)
        path.write_text(text, encoding="utf-8")
        real = generate.entity_count(text)
        repeat = args.repeat if entities <= 20000 else max(1, min(args.repeat, 2))
        seconds = time_check(path, rules, limits, repeat)
        print(
            f"  {shape:<8} {real:>8,} entities  {len(text) / 1e6:6.1f} MB  {seconds:8.2f} s  "
            f"{seconds / real * 1e6:8.1f} µs/entity",
            flush=True,
        )
        return real, seconds, path

    results: dict[str, float] = {}
    print("1. layered lineage, many diamonds:")
    measured = [run("layered", n) for n in sizes]
    if len(measured) >= 2:
        small, large = measured[0], measured[-1]
        name = f"per-entity time at {large[0]:,} / at {small[0]:,}"
        results[name] = per_entity(large) / per_entity(small)
    if args.shape_size:
        print("2. 30-layer diamond lattice against a tree of the same size:")
        lattice = run("lattice", args.shape_size)
        tree = run("tree", args.shape_size)
        results["per-entity time, lattice / tree"] = per_entity(lattice) / per_entity(tree)
    print(f"targets (rules: {args.rules}):")
    for name, ratio in results.items():
        print(f"  {name}: {ratio:.2f} (target <= 2): {'met' if ratio <= 2 else 'missed'}")
    biggest = measured[-1][2] if measured else None
    if biggest is not None:
        print(f"stages of {biggest.name} (one run):")
        for name, seconds in stages(biggest, rules, limits).items():
            print(f"  {name:<32} {seconds:8.2f} s")
        print(f"slowest facts of {biggest.name} (one run each):")
        for name, seconds in slowest_facts(biggest, limits):
            print(f"  {name:<40} {seconds:8.2f} s")
    if scratch is not None:
        scratch.cleanup()
    return 0 if all(r <= 2 for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
