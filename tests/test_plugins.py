"""Packs and facts of installed packages: the example pack (examples/packs/privacy-and-cost)
offered in process, through a stand-in for the entry-point lookup, and once for real, pip
installed into a fresh environment beside consider."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import ROOT

from consider import facts, pack_names, plugins
from consider.versions import release, satisfies

EXAMPLE = ROOT / "examples" / "packs" / "privacy-and-cost"
SOURCE = "plugin privacy-and-cost (consider-privacy-and-cost 0.1.0)"
Run = Callable[..., tuple[int, str, str]]
PIP = (sys.executable, "-m", "pip")
PIP_WHEEL = (*PIP, "wheel", "--no-deps", "--no-build-isolation", "-q")


def _offer(monkeypatch: pytest.MonkeyPatch, *offered: plugins.Plugin) -> None:
    monkeypatch.setattr(plugins, "discover", lambda: tuple(offered))
    _forget()


def _forget() -> None:
    """Drop what a process keeps of the facts (a real process finds its plugins once)."""
    facts.registry.cache_clear()
    facts.plugin_registry.cache_clear()
    pack_names._facts_by_kind.cache_clear()


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The example pack and its facts, as if pip had installed the package."""
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    dist = "consider-privacy-and-cost 0.1.0"
    _offer(
        monkeypatch,
        plugins.Plugin(plugins.PACKS_GROUP, "privacy-and-cost", "privacy_and_cost", dist),
        plugins.Plugin(plugins.FACTS_GROUP, "privacy-and-cost", "privacy_and_cost.facts", dist),
    )
    yield
    _forget()


def _spec(tmp_path: Path) -> Path:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "consider: 1\nproduct: {name: x}\nsources:\n"
        "  prices: {kind: third_party_api, direction: pull, interval: 15m}\n",
        encoding="utf-8",
    )
    return spec


def test_an_installed_pack_is_listed_with_its_source(installed: None, run_cli: Run) -> None:
    code, out, _ = run_cli("rules", "list")
    assert code == 0
    assert f"privacy-and-cost   {SOURCE}" in out
    assert "paid-api-pulled-too-often" in out
    code, out, _ = run_cli("rules", "list", "--no-plugin-packs")
    assert "privacy-and-cost" not in out


def test_an_installed_pack_fires_without_a_flag(
    installed: None, run_cli: Run, tmp_path: Path
) -> None:
    spec = _spec(tmp_path)
    concise = ("check", "--no-config", "--format", "concise")
    _, out, _ = run_cli(*concise, spec)
    assert "paid-api-pulled-too-often" in out
    # --no-builtin-packs leaves the installed packs on; --no-plugin-packs turns them off.
    _, out, _ = run_cli("check", "--no-config", "--no-builtin-packs", "--format", "concise", spec)
    assert out.splitlines()[0].endswith(
        "warning paid-api-pulled-too-often prices is pulled about 2880 times a month "
        "(every 15m), over a budget of 1000 calls"
    )
    _, out, _ = run_cli(*concise, "--no-plugin-packs", spec)
    assert "paid-api-pulled-too-often" not in out


def test_the_config_turns_an_installed_pack_off(
    installed: None, run_cli: Run, tmp_path: Path
) -> None:
    spec = _spec(tmp_path)
    config = tmp_path / ".consider.yaml"
    config.write_text("disable_packs: [privacy-and-cost]\n", encoding="utf-8")
    code, out, err = run_cli("check", "--config", config, "--format", "concise", spec)
    assert "paid-api-pulled-too-often" not in out, err
    config.write_text("disable_packs: [privacy-and-cots]\n", encoding="utf-8")
    code, _, err = run_cli("check", "--config", config, spec)
    assert code == 2
    assert "names no built-in or installed pack 'privacy-and-cots'" in err
    assert "did you mean 'privacy-and-cost'?" in err


def test_the_example_packs_own_tests_pass(installed: None, run_cli: Run) -> None:
    code, out, _ = run_cli("rules", "test", EXAMPLE / "tests")
    assert (code, out) == (0, "2 file(s), 9 expectation(s): all met\n")


def test_a_pack_id_clash_names_both_sources(installed: None, run_cli: Run, tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("pack: privacy-and-cost\ntitle: mine\n", encoding="utf-8")
    code, out, err = run_cli("rules", "list", "--pack", mine)
    assert (code, out) == (2, "")
    assert f"pack id 'privacy-and-cost' is also used by {EXAMPLE}" in err
    assert f"({SOURCE}), beside this one (file {mine})" in err


def test_a_pack_for_another_consider_is_refused(run_cli: Run, tmp_path: Path) -> None:
    pack = tmp_path / "future.yaml"
    pack.write_text('pack: future\ntitle: t\nrequires: ">=99.0"\n', encoding="utf-8")
    code, _, err = run_cli("rules", "validate", pack)
    assert code == 2
    assert err == (
        f"consider: {pack}:3:11: the pack needs consider >=99.0; this is consider 0.1.0: "
        "install a consider that matches, or a version of the pack made for this one\n"
    )


def test_versions_compare_by_release() -> None:
    assert release("1.2.0") == (1, 2) and release("0.10") == (0, 10)
    assert satisfies("0.10.1", ">=0.3, <1")
    assert not satisfies("0.1.0", ">=0.3")
    assert satisfies("1.0", "==1.0.0") and not satisfies("1.0", "!=1")


def test_a_failing_plugin_fact_is_a_pack_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, run_cli: Run, tmp_path: Path
) -> None:
    (tmp_path / "broken_facts.py").write_text(
        "from consider.facts import fact\n"
        "@fact('doomed', kind='sources', doc='Always fails.')\n"
        "def doomed(analysis):\n"
        "    raise ZeroDivisionError('division by zero')\n",
        encoding="utf-8",
    )
    pack = tmp_path / "uses.yaml"
    pack.write_text(
        "pack: uses\ntitle: t\nrisks:\n  - id: r\n    title: t\n    for: sources\n"
        "    when: _facts.doomed\n    severity: info\n    message: m\n    why: w\n    fix: f\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    _offer(monkeypatch, plugins.Plugin(plugins.FACTS_GROUP, "broken", "broken_facts", "broken 1"))
    try:
        code, _, err = run_cli("check", "--no-config", "--pack", pack, _spec(tmp_path))
    finally:
        _forget()
    assert code == 2
    assert (
        "the fact sources._facts.doomed of the plugin broken (broken 1) failed: "
        "ZeroDivisionError('division by zero'); fix or uninstall the package"
    ) in err


def test_a_plugin_fact_module_that_does_not_import_is_a_pack_error(
    monkeypatch: pytest.MonkeyPatch, run_cli: Run, tmp_path: Path
) -> None:
    _offer(monkeypatch, plugins.Plugin(plugins.FACTS_GROUP, "gone", "no_such_module", "gone 2"))
    try:
        code, _, err = run_cli("check", "--no-config", _spec(tmp_path))
    finally:
        _forget()
    assert code == 2
    assert err.startswith(
        "consider: the fact plugin gone (gone 2) cannot be loaded: importing 'no_such_module' "
        "raised ModuleNotFoundError"
    )


def test_the_entry_point_lookup_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def look_up() -> tuple[plugins.Plugin, ...]:
        calls.append(1)
        return ()

    monkeypatch.setattr(plugins, "_look_up", look_up)
    monkeypatch.syspath_prepend(str(ROOT / "tests"))  # a new sys.path: a fresh key
    assert plugins.discover() == plugins.discover() == ()
    assert calls == [1]


def test_the_example_pack_installs_with_pip_beside_consider(tmp_path: Path) -> None:
    """The real thing: both wheels pip installed into a fresh environment."""
    pytest.importorskip("hatchling")
    wheels = tmp_path / "wheels"
    for project in (ROOT, EXAMPLE):
        subprocess.run(
            [*PIP_WHEEL, "-w", str(wheels), str(project)],
            check=True,
            capture_output=True,
        )
    built = sorted(wheels.glob("*.whl"))
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)  # this pip installs into it: no ensurepip to wait for
    python = str(env_dir / "bin" / "python")
    subprocess.run(
        [*PIP, "--python", python, "install", "-q", "--no-index", "--no-deps", *map(str, built)],
        check=True,
        capture_output=True,
    )
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # consider's own dependencies (offline) from the running environment's folder
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["CONSIDER_CACHE_DIR"] = str(tmp_path / "cache")
    consider = str(env_dir / "bin" / "consider")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [consider, *args], cwd=tmp_path, env=env, capture_output=True, text=True
        )

    listed = run("rules", "list")
    assert listed.returncode == 0, listed.stderr
    assert f"privacy-and-cost   {SOURCE}" in listed.stdout
    checked = run("check", "--format", "concise", str(_spec(tmp_path)))
    assert "paid-api-pulled-too-often" in checked.stdout, checked.stderr
    tested = run("rules", "test", str(EXAMPLE / "tests"))
    assert (tested.returncode, tested.stdout) == (0, "2 file(s), 9 expectation(s): all met\n")


def test_every_example_spec_ships_and_the_example_pack_does_not() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    specs = {f"examples/{p.name}" for p in (ROOT / "examples").glob("*.yaml")}
    assert specs <= set(shipped)
    assert not any(key.startswith("examples/packs") for key in shipped)


def test_validate_checks_ids_against_installed_packs_too(
    installed: None, run_cli: Run, tmp_path: Path
) -> None:
    own = EXAMPLE / "src" / "privacy_and_cost" / "privacy-and-cost.yaml"
    assert run_cli("rules", "validate", own) == (0, "1 pack(s), 3 rules: valid\n", "")
    mine = tmp_path / "mine.yaml"
    mine.write_text("pack: privacy-and-cost\ntitle: mine\n", encoding="utf-8")
    code, _, err = run_cli("rules", "validate", mine)
    assert code == 2
    assert f"({SOURCE}), beside this one (file {mine})" in err
    assert run_cli("rules", "validate", "--no-plugin-packs", mine)[0] == 0


def test_a_plugin_fact_named_as_one_of_considers_is_a_pack_error_at_check(
    monkeypatch: pytest.MonkeyPatch, run_cli: Run, tmp_path: Path
) -> None:
    """A check finds consider's own facts through the index, without importing them all; a
    plugin's fact that takes one of their names is still refused, naming both."""
    (tmp_path / "clash_facts.py").write_text(
        "from consider.facts import fact\n"
        "@fact('slos', kind='outputs', doc='Takes a name consider uses.')\n"
        "def slos(analysis):\n"
        "    return {}\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    _offer(monkeypatch, plugins.Plugin(plugins.FACTS_GROUP, "clash", "clash_facts", "clash 1"))
    try:
        code, _, err = run_cli("check", "--no-config", _spec(tmp_path))
    finally:
        _forget()
    assert code == 2
    assert (
        "fact outputs._facts.slos is defined by consider and the plugin clash (clash 1); "
        "rename the plugin's fact"
    ) in err
