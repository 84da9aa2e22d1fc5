"""Regenerate every generated file: the fast validators, the facts index, the docs and the
README's picture.

    python -m tools.regen

Run after editing a schema (schemas/), a rule pack (rules/), a fact's doc, or anything the
README's example output shows. The tests fail while any of these is out of date.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generated_docs(root: Path = ROOT) -> dict[Path, str]:
    """Every generated document (not the validators), by path: what it should contain."""
    from consider.engine import load_rules
    from tools.docsgen import spec_reference
    from tools.readme import readme_output, with_output
    from tools.rule_examples import collect
    from tools.ruledocs import facts_reference, rules_pages

    spec_schema = json.loads((root / "schemas" / "spec.schema.json").read_text(encoding="utf-8"))
    readme = root / "README.md"
    rules = load_rules(plugins=False)  # the built-in packs alone, whatever is installed
    examples = collect([root / "tests" / "cases"], rules, root)
    pages = {
        root / "docs" / "rules" / name: text for name, text in rules_pages(rules, examples).items()
    }
    return {
        root / "docs" / "spec.md": spec_reference(spec_schema),
        **pages,
        root / "docs" / "facts.md": facts_reference(),
        readme: with_output(readme.read_text(encoding="utf-8"), readme_output(root)),
    }


def main() -> None:
    """Write the validators and the facts index first (the docs are made by code that uses
    them), then the docs."""
    from tools import codegen, factindex

    for path in [*codegen.write(ROOT), factindex.write(ROOT)]:
        print(f"wrote {path.relative_to(ROOT)}")
    for path, text in generated_docs().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
