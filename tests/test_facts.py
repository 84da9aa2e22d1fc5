"""The facts mechanism: registration, and facts computed only when a condition reads them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    original = facts._builtin("outputs", "slos")
    assert original is not None
    counted = original._replace(compute=lambda s: calls.append("slos") or original.compute(s))
    monkeypatch.setitem(facts._BUILTIN, ("outputs", "slos"), counted)
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


def test_reading_a_fact_imports_only_the_module_that_registers_it() -> None:
    """The facts index names each fact's module; the registry (pack names, docs) imports all."""
    program = (
        "import sys\n"
        "from consider import facts\n"
        "from conftest import valid_analysis\n"
        "store = facts.FactStore(valid_analysis('consider: 1\\nproduct: {name: P}\\n'))\n"
        "store.value('datasets', 'impact', 'x')\n"
        "print(sorted(m for m in sys.modules if m.startswith('consider.facts.')))\n"
        "facts.registry()\n"
        "print(len([m for m in sys.modules if m.startswith('consider.facts.')]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent,
    )
    first, every = done.stdout.splitlines()
    assert first == "['consider.facts._index', 'consider.facts.impact']"
    assert int(every) > 5
