"""``consider init``: a new spec from the template, or from one of the bundled examples."""

from __future__ import annotations

import re
from pathlib import Path

from consider.errors import UsageError
from consider.resources import examples_dir, template_path

DEFAULT_PATH = Path("spec.yaml")


def example_names() -> list[str]:
    """The bundled examples, by name (the file name without ``.yaml``)."""
    return sorted(path.stem for path in examples_dir().glob("*.yaml"))


def new_spec(path: Path, *, example: str | None = None) -> str:
    """The text of a new spec for ``path``: the template, or the bundled example named."""
    if example is not None:
        names = example_names()
        if example.removesuffix(".yaml") not in names:
            raise UsageError(
                f"there is no example named '{example}'; the examples are: {', '.join(names)}"
            )
        return (examples_dir() / f"{example.removesuffix('.yaml')}.yaml").read_text("utf-8")
    text = template_path().read_text(encoding="utf-8")
    return text.replace("{name}", _product_name(path)).replace("{file}", _shell_word(path))


def write_new(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` to ``path``; an existing file is replaced only with ``force``."""
    if path.is_dir():
        raise UsageError(
            f"{path} is a folder; name the spec file to create, such as {path}/spec.yaml"
        )
    if path.exists() and not force:
        raise UsageError(
            f"{path} already exists and was left as it is; choose another path, "
            "or pass --force to replace it"
        )
    if not path.parent.is_dir():
        raise UsageError(f"the folder {path.parent} does not exist; create it first")
    from consider.atomic import replace_file

    try:
        replace_file(path, text, newline="\n")
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None


def _product_name(path: Path) -> str:
    # "home-rows.yaml" → "Home rows"; "spec.yaml" says nothing about the product.
    # Only letters, digits and spaces are kept, so the name never needs YAML quoting.
    stem = re.sub(r"\s+", " ", re.sub(r"[^A-Za-z0-9]+", " ", path.stem)).strip()
    if not stem or stem.lower() in {"spec", "product", "consider"}:
        return "New product"
    return stem[0].upper() + stem[1:]


def _shell_word(path: Path) -> str:
    text = str(path)
    return text if re.fullmatch(r"[A-Za-z0-9_./-]+", text) else f"'{text}'"
