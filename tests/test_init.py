"""``consider init``: a new spec from the template or a bundled example, never over a file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from consider.check import check_file
from consider.engine import RuleSet
from consider.findings import Kind
from consider.template import example_names

ROOT = Path(__file__).resolve().parent.parent
Run = Callable[..., tuple[int, str, str]]


def test_init_writes_the_template(tmp_path: Path, run_cli: Run, builtin_rules: RuleSet) -> None:
    target = tmp_path / "home-rows.yaml"
    code, out, err = run_cli("init", target)
    assert (code, err) == (0, "")
    assert out == f"wrote {target}; next: consider questions {target}, or consider ask {target}\n"
    text = target.read_text()
    assert "  name: Home rows\n" in text
    assert text.index("working_backwards:") < text.index("outputs:")
    findings = check_file(target, builtin_rules).findings
    assert [f for f in findings if f.kind is Kind.SCHEMA] == []
    # An empty press release must raise its core risk, and nothing else may fire.
    assert {f.rule for f in findings if f.kind is Kind.RISK} == {"prfaq-core-missing"}


def test_init_defaults_to_spec_yaml(
    tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli("init")[0] == 0
    assert "  name: New product\n" in (tmp_path / "spec.yaml").read_text()


def test_init_never_overwrites_without_force(tmp_path: Path, run_cli: Run) -> None:
    target = tmp_path / "spec.yaml"
    target.write_text("mine\n")
    code, out, err = run_cli("init", target)
    assert (code, out) == (2, "")
    assert err == (
        f"consider: {target} already exists and was left as it is; choose another path, "
        "or pass --force to replace it\n"
    )
    assert target.read_text() == "mine\n"
    assert run_cli("init", target, "--force")[0] == 0
    assert target.read_text().startswith("# A product spec")


def test_init_refuses_a_folder_and_a_missing_folder(tmp_path: Path, run_cli: Run) -> None:
    code, _, err = run_cli("init", tmp_path)
    assert code == 2
    assert err.startswith(f"consider: {tmp_path} is a folder;")
    code, _, err = run_cli("init", tmp_path / "no" / "spec.yaml")
    assert (code, err) == (
        2,
        f"consider: the folder {tmp_path / 'no'} does not exist; create it first\n",
    )


def test_init_example(tmp_path: Path, run_cli: Run) -> None:
    assert example_names() == sorted(p.stem for p in (ROOT / "examples").glob("*.yaml"))
    target = tmp_path / "digest.yaml"
    assert run_cli("init", target, "--example", "weekly-digest")[0] == 0
    assert target.read_text() == (ROOT / "examples" / "weekly-digest.yaml").read_text()


def test_init_unknown_example(tmp_path: Path, run_cli: Run) -> None:
    code, out, err = run_cli("init", tmp_path / "x.yaml", "--example", "nope")
    assert (code, out) == (2, "")
    assert err == (
        "consider: there is no example named 'nope'; the examples are: "
        f"{', '.join(example_names())}\n"
    )
    assert not (tmp_path / "x.yaml").exists()


def test_the_commented_entities_are_a_valid_spec(tmp_path: Path, builtin_rules: RuleSet) -> None:
    """Uncommenting the template's examples gives a spec with no schema finding."""
    template = (ROOT / "consider" / "templates" / "new-spec.yaml").read_text()
    head, _, entities = template.partition("# Then one entity of each kind")
    entity_line = re.compile(r"^# ( *[a-z][a-z0-9_-]*:(?: .*)?)$")
    lines = head.splitlines() + [
        m[1] for m in map(entity_line.match, entities.splitlines()) if m is not None
    ]
    text = "\n".join(lines).replace("{name}", "X").replace("{file}", "x")
    target = tmp_path / "full.yaml"
    target.write_text(text)
    findings = check_file(target, builtin_rules).findings
    assert [f.message for f in findings if f.kind is Kind.SCHEMA] == []


def test_init_example_from_an_installed_wheel(tmp_path: Path) -> None:
    """The examples ship in the wheel: init --example works outside the repository."""
    pytest.importorskip("hatchling")
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("*.whl")
    # A fresh environment without the checkout: the wheel unpacked into its site-packages,
    # and the running environment's folder added for the dependencies alone (a path in a
    # .pth file; that folder's own .pth files, the editable install among them, are not read).
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(python), "-m", "consider", "init", "s.yaml", "--example", "weekly-digest"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert (outside / "s.yaml").read_text() == (
        ROOT / "examples" / "weekly-digest.yaml"
    ).read_text()
    where = subprocess.run(
        [str(python), "-c", "import consider; print(consider.__file__)"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(site)
