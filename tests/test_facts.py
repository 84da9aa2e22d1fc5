"""The facts mechanism: registration, and facts computed only when a condition reads them."""

from __future__ import annotations

import jmespath
import pytest
from conftest import valid_analysis

from consider import facts
from consider.analysis import Analysis

SPEC = """\
consider: 1
product: {name: P}
outputs:
  home: {mode: online}
  away: {mode: precomputed}
slos:
  home-fast: {applies_to: "output:home", availability: "99.9%"}
"""


@pytest.fixture
def spec() -> Analysis:
    return valid_analysis(SPEC)


def test_every_fact_is_registered_once_with_a_doc() -> None:
    seen = set()
    for definition in facts.registry():
        assert definition.doc.strip(), definition.name
        assert (definition.kind, definition.name) not in seen
        seen.add((definition.kind, definition.name))


def test_a_fact_is_computed_on_first_read_only(spec, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    real = facts.FactStore(spec)
    original = real._by_name[("outputs", "slos")]
    counted = original._replace(compute=lambda s: calls.append("slos") or original.compute(s))
    real._by_name[("outputs", "slos")] = counted
    home, away = real.view("outputs", "home"), real.view("outputs", "away")
    assert calls == []
    assert jmespath.search("_facts.slos", {"_facts": home}) == ["home-fast"]
    assert jmespath.search("_facts.slos", {"_facts": away}) == []
    assert calls == ["slos"]  # once for the whole kind, then kept
    assert home.get("no-such-fact") is None


def test_reading_the_whole_mapping_computes_every_fact_of_the_kind(spec) -> None:  # type: ignore[no-untyped-def]
    view = facts.FactStore(spec).view("outputs", "home")
    names = {d.name for d in facts.registry() if d.kind == "outputs"}
    assert set(jmespath.search("keys(_facts)", {"_facts": view})) <= names
    assert "slos" in view
    assert view["slos"] == ["home-fast"]
    with pytest.raises(KeyError):
        view["no-such-fact"]
