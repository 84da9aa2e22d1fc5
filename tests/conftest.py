"""Shared fixtures and helpers: the built-in rules (loaded once per test session), the real
entry point, and specs and analyses built from YAML text in memory."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from consider import facts
from consider.analysis import Analysis, Tables
from consider.engine import RuleSet, load_rules
from consider.loader import Limits, load, parse
from consider.model import Spec, build
from consider.schema import validate

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Compiled packs are cached in a folder of the test session, never the user's cache."""
    folder = tmp_path_factory.mktemp("consider-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONSIDER_CACHE_DIR", str(folder))
        patch.delenv("CONSIDER_NO_CACHE", raising=False)
        yield folder


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """The real entry point, ``consider.cli.main``: (exit code, stdout, stderr)."""
    from consider.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
        except SystemExit as done:
            code = done.code
        else:  # pragma: no cover - main always exits
            raise AssertionError("consider.cli.main returned instead of exiting")
        out, err = capsys.readouterr()
        return (code if isinstance(code, int) else 0), out, err

    return run


@pytest.fixture(scope="session")
def builtin_rules() -> RuleSet:
    return load_rules()


_FENCED = re.compile(r"^ *```(\w+)(?: ([^\n]+))?\n(.*?)^ *```$", re.MULTILINE | re.DOTALL)


def fenced_blocks(path: Path) -> list[tuple[str, str, str]]:
    """(language, file name or '', text) of every fenced block of a Markdown page: the
    pages' examples say which file they are, as in a block opened by ```yaml .consider.yaml.
    A block indented under a list item is read with its indent removed."""
    blocks = []
    for match in _FENCED.finditer(path.read_text(encoding="utf-8")):
        indent = len(match[0]) - len(match[0].lstrip(" "))
        text = "".join(line[indent:] for line in match[3].splitlines(keepends=True))
        blocks.append((match[1], match[2] or "", text))
    return blocks


def spec_of(text: str) -> Spec:
    """A spec built from YAML text (dedented), schema findings and dangling references kept."""
    document = parse(textwrap.dedent(text), path="spec.yaml")
    return build(document, validate(document))


def calls_made(work: Callable[[], Any]) -> tuple[Any, int]:
    """``work()``'s result and how many Python and built-in function calls it made: a measure
    of work that, unlike a time, does not change with the machine's load (a bound on it is a
    test; a bound on seconds is a benchmark, and lives in bench/)."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    result = profile.runcall(work)
    return result, pstats.Stats(profile).total_calls  # type: ignore[attr-defined]


def valid_spec(text: str) -> Spec:
    """A spec built from YAML text that must be free of schema findings (for fact tests)."""
    document = parse(text, path="spec.yaml")
    validation = validate(document)
    assert [f.message for f in validation.findings] == []
    return build(document, validation)


def valid_analysis(text: str, tables: Tables | None = None) -> Analysis:
    """An analysis of a spec free of schema findings (for fact tests), with the packs'
    tables when given."""
    return Analysis(valid_spec(text), tables)


# -- lineage figures --------------------------------------------------------------------------

MODELS = """
    consider: 1
    product: {name: models}
    outputs:
      ranked: {mode: online, depends_on: [model:ranker]}
    slos:
      data-only: {applies_to: output:ranked, freshness: {max_staleness: 1d}}
      with-model:
        applies_to: output:ranked
        freshness: {max_staleness: 1d, includes: [data, model]}
    models:
      ranker:
        trained_on: [dataset:history]
        features: [feature:recent]
        retrain: {cadence: 1d, duration: 3h}
        deploy: {duration: 1h}
    datasets:
      history: {derived_from: [source:events], refresh: {method: batch, interval: 1d}}
    features:
      recent: {source: source:events, compute: stream, max_lag: 30s}
    sources:
      events: {method: stream, max_lag: 30s}
"""
"""Models fed by stream and batch data, shared by the staleness and impact tests."""

H, M, D, W = 3600.0, 60.0, 86400.0, 604800.0
"""Seconds in an hour, a minute, a day and a week."""
MS = 0.001


def example(name: str) -> Spec:
    """One of examples/, built."""
    document = load(EXAMPLES / name, display=name, limits=Limits())
    return build(document, validate(document))


def fact_of(spec: Spec, kind: str, ident: str, name: str, tables: Tables | None = None) -> Any:
    """One fact of one entity, computed as a rule would read it."""
    computed = facts.compute(Analysis(spec, tables), {kind})
    return computed.get((kind, ident), {}).get(name)


SERVING = """\
consider: 1
product: {name: x}
outputs:
  rows:
    mode: online
    request_path:
      - {dep: service:profile, p99: 20ms}
      - parallel:
          - {dep: store:features}
          - {dep: service:deals, critical: true}
          - {dep: service:spell, critical: false}
          - parallel: [{dep: dataset:batch-table}, {dep: service:geo}]
      - {dep: service:profile}
    fallback:
      covers: [service:geo]
      path: [{dep: store:popular}]
    fanout: {count: 10}
    depends_on: [model:ranker, feature:clicks, feature:on-demand, dataset:orders]
  digest:
    mode: precomputed
    precompute: {schedule: 1d}
    depends_on: [model:ranker, dataset:users]
  weekly:
    mode: hybrid
    precompute: {schedule: {cron: "0 6 * * MON"}}
    depends_on: [feature:clicks, dataset:orders]
  bare: {}
slos:
  rows-serving:
    applies_to: output:rows
    availability: "99.9%"
    latency: {p99: 200ms}
    throughput: {peak: "1000/s", headroom: "50%"}
  rows-fast:
    applies_to: output:rows
    latency: {p99: 150ms}
    freshness: {max_staleness: 2h}
  rows-fresh:
    applies_to: output:rows
    freshness: {max_staleness: 1h, measured_from: event_time}
  digest-fresh:
    applies_to: output:digest
    freshness: {max_staleness: 9d, includes: [data, model]}
  weekly-scoped:
    applies_to: output:weekly
    availability: "99%"
    freshness: {max_staleness: 1d, scope: [dataset:orders]}
models:
  ranker:
    trained_on: [dataset:training]
    features: [feature:affinity]
    uses_entity_id_features: true
    retrain: {cadence: 2w}
datasets:
  orders:
    derived_from: [source:orders-db]
    online_store: store:features
  users:
    derived_from: [source:signups]
    new_entities: "3000/d"
  training:
    derived_from: [source:clicks-log]
    new_entities: true
  batch-table: {new_entities: false}
features:
  clicks:
    source: source:clicks-log
    online_store: store:features
  affinity:
    source: dataset:training
  on-demand:
    compute: on_demand
sources:
  orders-db: {event_time_field: ordered_at}
  signups: {}
  clicks-log: {event_time_field: ts}
services:
  profile: {kind: internal, capacity: "2000/s"}
  deals: {kind: third_party_api, availability: "99.5%", capacity: "1200/s"}
  geo: {kind: third_party_api, capacity: "900/s"}
  idle: {kind: third_party_api, availability: "99%"}
  spell: {kind: internal, capacity: "10/s"}
stores:
  features: {kind: key_value}
  popular: {kind: key_value}
  unused: {kind: warehouse}
"""
"""A spec of outputs, SLOs and their dependencies, shared by the serving and SLO fact tests."""
