"""The staleness facts (consider/facts/staleness.py) over the walk of
consider/lineage/staleness.py: diamonds, scopes, modes, elided paths, linear time."""

from __future__ import annotations

from conftest import MODELS, D, H, M, W, calls_made, fact_of, spec_of

from consider.lineage.staleness import PATH_LIMIT

DIAMOND = """
    consider: 1
    product: {name: diamond}
    outputs:
      top:
        mode: online
        depends_on: [dataset:left, dataset:right]
        cache: {ttl: 1m}
    slos:
      all: {applies_to: output:top, freshness: {max_staleness: 10h}}
      fast-only: {applies_to: output:top, freshness: {max_staleness: 10h, scope: [source:fast]}}
      nowhere: {applies_to: output:top, freshness: {max_staleness: 1h, scope: [source:lonely]}}
    datasets:
      left: {derived_from: [source:slow, source:fast], refresh: {method: batch, interval: 1h}}
      right: {derived_from: [source:fast], refresh: {method: stream, max_lag: 5m}}
      logged: {derived_from: [output:top], refresh: {method: batch, interval: 1w}}
    sources:
      slow: {method: batch, interval: 6h, processing: 1h}
      fast: {method: stream, max_lag: 1m}
      lonely: {method: batch, interval: 1d}
"""


def test_a_diamond_takes_the_worst_branch_not_a_sum_of_paths() -> None:
    spec = spec_of(DIAMOND)
    found = fact_of(spec, "slos", "all", "staleness")
    assert found["worst"] == (6 * H + 1 * H) + 1 * H + 1 * M
    assert found["route"] == "source:slow → dataset:left → output:top"
    scoped = fact_of(spec, "slos", "fast-only", "staleness")
    assert scoped["worst"] == 1 * M + 1 * H + 1 * M  # fast → left (batch 1h) → top
    assert scoped["path"] == ["source:fast", "dataset:left", "output:top"]
    assert scoped["batch_source"] == "dataset:left"


def test_a_scope_that_reaches_nothing_gives_no_figure() -> None:
    found = fact_of(spec_of(DIAMOND), "slos", "nowhere", "staleness")
    assert found["worst"] is None and found["ratio"] is None
    assert found["unreached"] == ["source:lonely"]


def test_intermediate_entities_carry_their_own_staleness() -> None:
    spec = spec_of(DIAMOND)
    left = fact_of(spec, "datasets", "left", "staleness")
    assert left["worst"] == 8 * H and left["via"] == "source:slow"
    assert left["origin"] == "source:slow" and left["hops"] == 1
    assert "path" not in left


def test_retraining_counts_only_when_the_slo_includes_the_model() -> None:
    spec = spec_of(MODELS)
    data = fact_of(spec, "slos", "data-only", "staleness")
    assert data["worst"] == 30 + 30  # events lag + feature lag; training data not counted
    model = fact_of(spec, "slos", "with-model", "staleness")
    assert model["worst"] == 30 + 1 * D + (1 * D + 3 * H + 1 * H)
    assert model["dominant"] == "model:ranker"
    assert model["includes"] == ["data", "model"]


def test_feedback_edges_are_left_out_of_the_walk() -> None:
    spec = spec_of(DIAMOND)
    # dataset:logged is derived from the output; nothing flows back into the output from it
    assert fact_of(spec, "slos", "all", "staleness")["worst"] == 8 * H + 1 * M
    logged = fact_of(spec, "datasets", "logged", "staleness")
    assert logged["worst"] == 8 * H + 1 * M + 1 * W


def test_a_batch_step_without_an_interval_marks_the_figure_incomplete() -> None:
    spec = spec_of("""
        consider: 1
        product: {name: unknown}
        outputs:
          out: {depends_on: [dataset:mystery]}
        datasets:
          mystery: {derived_from: [source:s], refresh: {method: batch}}
        sources:
          s: {method: stream, max_lag: 1m}
    """)
    found = fact_of(spec, "outputs", "out", "staleness")
    assert found["worst"] == 1 * M and found["complete"] is False
    assert found["unknown"] == ["dataset:mystery"]


def test_deep_chains_and_long_paths_are_elided_not_recursed() -> None:
    depth = 3000
    lines = [
        "consider: 1",
        "product: {name: deep}",
        "outputs:",
        f"  out: {{depends_on: [dataset:d{depth - 1}]}}",
        "datasets:",
        "  d0: {derived_from: [source:s], refresh: {method: batch, interval: 1m}}",
    ]
    lines += [
        f"  d{i}: {{derived_from: [dataset:d{i - 1}], refresh: {{method: batch, interval: 1m}}}}"
        for i in range(1, depth)
    ]
    lines += ["sources:", "  s: {method: stream, max_lag: 1s}"]
    found = fact_of(spec_of("\n".join(lines)), "outputs", "out", "staleness")
    assert found["worst"] == 1 + depth * M
    assert len(found["path"]) == PATH_LIMIT
    assert found["path"][0] == "source:s" and found["path"][-1] == "output:out"
    assert found["path"][PATH_LIMIT // 2].startswith("... ")


def test_a_30_layer_lattice_is_walked_in_linear_time() -> None:
    width, layers = 40, 30  # about 2^30 paths from the bottom layer to the output
    lines = [
        "consider: 1",
        "product: {name: lattice}",
        "outputs:",
        "  out: {depends_on: ["
        + ", ".join(f"dataset:l{layers - 1}-{j}" for j in range(width))
        + "]}",
        "slos:",
        "  fresh: {applies_to: output:out, freshness: {max_staleness: 1d}}",
        "datasets:",
    ]
    for layer in range(layers):
        for j in range(width):
            if layer == 0:
                upstream = "source:s"
            else:
                upstream = f"dataset:l{layer - 1}-{j}, dataset:l{layer - 1}-{(j + 1) % width}"
            lines.append(
                f"  l{layer}-{j}: {{derived_from: [{upstream}], "
                "refresh: {method: batch, interval: 1m}}"
            )
    lines += ["sources:", "  s: {method: batch, interval: 1h}"]
    spec = spec_of("\n".join(lines))
    found, calls = calls_made(lambda: fact_of(spec, "slos", "fresh", "staleness"))
    assert calls < 2000 * layers * width  # linear: enumerating paths would be 2^layers
    assert found["worst"] == 1 * H + layers * M
    assert len(found["path"]) == layers + 2
