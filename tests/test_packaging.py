"""Packaging: what a team checks before adopting the tool (licence, Python versions, links),
read from the installed distribution's metadata, as pip and package indexes see it."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_licence_file_matches_the_declared_licence() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text


def test_the_installed_metadata_is_valid_for_its_licence_expression() -> None:
    # License-Expression exists from Metadata-Version 2.4 on; an older build backend writes it
    # under 2.1, which twine and package indexes reject.
    metadata = importlib.metadata.metadata("consider-lint")
    major, minor = (int(part) for part in metadata["Metadata-Version"].split("."))
    assert (major, minor) >= (2, 4)
    assert metadata["License-Expression"] == "MIT"
    assert "LICENSE" in (metadata.get_all("License-File") or [])
    assert any(url.startswith("Issues, https://") for url in metadata.get_all("Project-URL") or [])


def test_the_build_backend_floor_writes_metadata_2_4() -> None:
    assert PYPROJECT["build-system"]["requires"] == ["hatchling>=1.27"]


def test_python_classifiers_follow_requires_python() -> None:
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"
    versions = [
        c.rsplit(" :: ", 1)[1]
        for c in PYPROJECT["project"]["classifiers"]
        if c.startswith("Programming Language :: Python :: 3.")
    ]
    assert versions == ["3.11", "3.12", "3.13"]
