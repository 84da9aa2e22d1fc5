"""What a clean ``consider check`` imports, with a warm pack cache: none of the heavy or
only-when-wrong modules. A pre-commit hook starts a new process on every commit, so each
import is paid every time (bench/startup.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

NOT_ON_A_CLEAN_SPEC = (
    "jsonschema",
    "difflib",
    "tabulate",
    "fastjsonschema",
    "tools",
    "multiprocessing",
    "concurrent",
    "signal",
    "pickle",
    "dataclasses",
)
"""jsonschema explains a failing spec, difflib finds 'did you mean', tabulate draws tables
of findings, fastjsonschema and tools/ only generate code, multiprocessing and concurrent
run a pool only when several files are checked, and so does signal (a worker ignores
Ctrl-C); the cache reads with the C unpickler alone (the pickle module is a millisecond to
import), and the config is a NamedTuple, not a dataclass."""

_PROGRAM = """
import json, sys
from consider.cli import main
try:
    main(["check", sys.argv[1]])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules(spec: Path, cache: Path, *, whole: bool = False) -> set[str]:
    env = {**os.environ, "CONSIDER_CACHE_DIR": str(cache)}
    env.pop("CONSIDER_NO_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM, str(spec)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return set(loaded) if whole else {name.split(".")[0] for name in loaded}


def test_a_clean_check_with_a_warm_cache_imports_nothing_heavy(tmp_path: Path) -> None:
    spec = EXAMPLES / "sound-search-ranking.yaml"
    _modules(spec, tmp_path)  # warms the pack cache, as the first commit does
    loaded = _modules(spec, tmp_path)
    assert "consider" in loaded
    assert sorted(set(NOT_ON_A_CLEAN_SPEC) & loaded) == []


def test_the_generated_validator_compiles_no_pattern_at_import() -> None:
    """The schema's patterns are compiled on first use, not when the validator is imported."""
    program = (
        "import re; compiled = []; original = re.compile\n"
        "re.compile = lambda *a, **k: compiled.append(a) or original(*a, **k)\n"
        "from consider._validators import config, rulepack, spec\n"
        "print(len(compiled))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "0"


def test_pyyaml_and_click_are_imported_without_compiling_their_patterns() -> None:
    """PyYAML compiles its patterns at import (its pure-Python reader's class of printable
    characters alone is 4 ms), click through platform, gettext and tokenize; consider imports
    them so that each compiles on first use."""
    program = (
        "import consider.cli, platform, gettext, tokenize\n"
        "from consider import loader\n"
        "yaml = loader.yaml\n"
        "patterns = [yaml.reader.Reader.NON_PRINTABLE, yaml.constructor.SafeConstructor"
        ".timestamp_regexp] + [p for found in yaml.resolver.Resolver.yaml_implicit_resolvers"
        ".values() for _, p in found] + [platform._sys_version_parser, "
        "gettext._token_pattern, tokenize.cookie_re]\n"
        "print(len(patterns), sum(type(p).__name__ == 'Pattern' for p in patterns))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    found, compiled = map(int, done.stdout.split())
    assert found > 10
    assert compiled == 0


def test_pyyaml_patterns_still_work_once_used() -> None:
    """The pure-Python reader (used where libyaml is not built) still refuses a control
    character; the resolver still reads numbers and booleans; click still strips ANSI
    sequences and gettext still parses a plural form."""
    from consider import loader

    yaml = loader.yaml
    with pytest.raises(yaml.reader.ReaderError):
        yaml.load("a: \x07\n", Loader=yaml.SafeLoader)
    assert yaml.load("a: [1, 2.5, true, null, 2024-01-02]", Loader=yaml.SafeLoader) == {
        "a": [1, 2.5, True, None, __import__("datetime").date(2024, 1, 2)]
    }
    import gettext

    import click

    assert click.unstyle("\x1b[31mred\x1b[0m") == "red"
    assert gettext.c2py("n != 1")(2) == 1


def test_a_check_imports_only_the_facts_modules_its_conditions_read(tmp_path: Path) -> None:
    """Facts modules are found by the generated index (consider/facts/_index.py) and imported
    when a condition first reads one of their facts: a spec of a product alone reads only
    press-release facts and the product's feature discipline (which features are its own
    code), so no other facts module nor the lineage analyses they use is loaded."""
    spec = tmp_path / "spec.yaml"
    spec.write_text("consider: 1\nproduct: {name: P}\n", encoding="utf-8")
    _modules(spec, tmp_path / "cache")
    loaded = _modules(spec, tmp_path / "cache", whole=True)
    assert "consider.facts._index" in loaded
    facts_modules = {name for name in loaded if name.startswith("consider.facts.")}
    assert facts_modules == {
        "consider.facts._index",
        "consider.facts.discipline",
        "consider.facts.press_release",
    }
    assert sorted(n for n in loaded if n.startswith("consider.lineage.")) == [
        "consider.lineage.delays"  # press_release's precompute gaps
    ]


def test_the_console_script_quiets_the_collector_before_importing_click() -> None:
    """The entry point imports nothing heavy itself: the collector is set before click and
    PyYAML make their objects (a full collection walks them all and frees nothing)."""
    import tomllib

    from conftest import ROOT

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert scripts["consider"] == "consider.script:main"
    program = (
        "import gc, sys\n"
        "import consider.script\n"
        "print(sorted(m for m in ('click', 'yaml', 'consider.cli') if m in sys.modules))\n"
        "collections = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'stop' and collections.append(1))\n"
        "sys.argv = ['consider', '--version']\n"
        "try:\n"
        "    consider.script.main()\n"
        "except SystemExit:\n"
        "    print(len(collections), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=False
    )
    assert done.stdout.splitlines()[0] == "[]"
    assert int(done.stderr.strip().splitlines()[-1]) <= 1
