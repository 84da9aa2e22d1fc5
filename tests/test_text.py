"""The text helpers: did-you-mean (as difflib finds it, but bounded), word lists, pointers."""

from __future__ import annotations

import difflib

from conftest import calls_made

from consider.text import (
    closest,
    did_you_mean,
    markdown_cell,
    or_list,
    pointer_tokens,
    unescape_pointer_token,
)


def test_closest_finds_what_difflib_finds() -> None:
    options = ["severity", "message", "escalate", "references", "when", "why", "fix"]
    for word in ("sevrity", "mesage", "whyy", "fixx", "nothing-like-it", "", "x"):
        assert closest(word, options) == difflib.get_close_matches(word, options, n=1)
    assert closest("home-rws", ["home-rows", "away"], n=3, cutoff=0.5) == ["home-rows"]


def test_closest_finds_a_typo_among_many_options() -> None:
    options = [f"{head}-{tail}" for head in ("realtime", "retrain", "slo") for tail in range(60)]
    options += ["realtime-without-fallback", "retrain-without-trigger"]
    assert closest("realtime-without-fallbak", options) == ["realtime-without-fallback"]
    assert closest("retrian-without-trigger", options) == ["retrain-without-trigger"]


def test_did_you_mean_says_it_or_nothing() -> None:
    assert did_you_mean("sevrity", ["severity"]) == "; did you mean 'severity'?"
    assert did_you_mean("zzz", ["severity"]) == ""


def test_closest_is_bounded_for_many_misspellings_against_many_ids() -> None:
    ids = [f"dataset-{i:05d}-orders" for i in range(2000)]

    def misspell() -> None:
        for i in range(3500):
            closest(f"datset-{i:05d}-ordrs", ids)

    _, calls = calls_made(misspell)
    # about 1,900 calls a misspelling; difflib over every id is 7 million ratio computations,
    # each of dozens of calls (47 s)
    assert calls < 20_000_000


def test_lists_pointers_and_cells() -> None:
    assert or_list(["a"]) == "a"
    assert or_list(["a", "b", "c"]) == "a, b or c"
    assert or_list([]) == ""
    assert unescape_pointer_token("a~1b~0c") == "a/b~c"
    assert pointer_tokens("/outputs/a~1b") == ["outputs", "a/b"]
    assert markdown_cell("a |\n b") == "a \\| b"
