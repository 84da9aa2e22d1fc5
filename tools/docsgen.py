"""The spec format reference, generated from the spec schema.

``spec_reference`` renders ``docs/spec.md`` from ``schemas/spec.schema.json``: an example spec,
one section per top-level key with a table of every field (dotted paths for nested fields),
the shared shapes, the units and the reference syntax. The schema is the single source of
truth, so the reference cannot drift from what ``consider check`` accepts; a test checks that
the committed ``docs/spec.md`` is up to date. Regenerate it with ``python -m tools.regen``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from consider.text import markdown_cell as _cell
from consider.text import or_list as _or
from consider.vocabulary import UNIT_NAMES

"""The unit definitions; the model stage normalises values by these names."""

EXAMPLE_SPEC = """\
consider: 1
product:
  name: Home rows
  owner: team-discovery
  tier: 1
  working_backwards:
    headline: Shop launches home rows picked for you
    customer: Signed-in shoppers who open the home page at least weekly.
    problem: Shoppers scroll past 40 generic items before finding one they want.
    existing_solutions:
      - name: Best-seller list
        shortcoming: The same for everyone, so mostly irrelevant.
    solution: The home page shows rows chosen from what I browsed and bought.
    benefits: [Find something worth buying in seconds]
    evidence: A 2% uplift in a 4-week test on 5% of traffic.
    launch_date: "2025-03-01"
    faq:
      internal:
        - q: How many customers does this reach?
          a: About 11M monthly active customers see the home page.
          category: tam

outputs:
  home-rows:
    description: Rows of products shown on the home page.
    mode: hybrid
    decision: rank
    input_space: finite
    cardinality: {entities: 11M, items_per_entity: 200, bytes_per_item: 64B}
    depends_on: [model:ranker, feature:user-7d-affinity]
    request_path:
      - {dep: store:feature-online, p99: 10ms}
      - {dep: service:ranker-api, p99: 60ms}
    fallback:
      strategy: popular items for the user's country
      source: store:rows-kv
      covers: [service:ranker-api]
      timeout: 80ms
    precompute: {schedule: 6h, runtime: 45m, store: store:rows-kv}
    cache: {ttl: 5m, stale_if_error: 1h}
    consumers: [web-home, ios-app]

slos:
  home-rows-main:
    applies_to: output:home-rows
    window: 30d
    availability: "99.9%"
    latency: {p50: 40ms, p99: 150ms}
    freshness: {max_staleness: 1h, measured_from: event_time}
    throughput: {peak: 1200/s, headroom: "50%"}
    error_budget_policy: Freeze feature launches until the budget recovers.
    alerting: {burn_rate: true, page: discovery-oncall}

models:
  ranker:
    trained_on: [dataset:orders-daily]
    features: [feature:user-7d-affinity]
    retrain: {cadence: 1d, triggers: [schedule, drift], duration: 3h}
    deploy: {duration: 1h}
    max_age: 7d
    validation: {gates: ["NDCG@10 >= previous"], canary: true}
    rollback: {strategy: pin the previous version, keep_versions: 3}
    on_retrain: {rerun: [output:home-rows]}

datasets:
  orders-daily:
    derived_from: [source:orders-db]
    refresh: {method: batch, interval: 1d, processing: 2h}
    schema: {version: 4, registry: warehouse-catalog}
    point_in_time_correct: true
    on_change: {retrain: [model:ranker]}

features:
  user-7d-affinity:
    source: source:clickstream
    compute: stream
    max_lag: 1m
    window: {kind: event_time, size: 7d}
    online_store: store:feature-online
    same_code_offline_online: true

sources:
  clickstream:
    kind: first_party_events
    method: stream
    direction: push
    max_lag: 30s
    delivery: at_least_once
    dedup_key: event_id
    event_time_field: ts
    late_data: {allowed_lateness: 10m, policy: side_output}
    volume: {peak: 5K/s}
    backpressure: buffer
    retention: 7d
    pii: [ip]
    erasure: Deleted by user id within 30 days.
    monitors: [volume, freshness]
    owner: team-tracking
    storage: {kind: log}
  orders-db:
    kind: internal_db
    method: batch
    direction: pull
    interval: 1d
    processing: 30m

services:
  ranker-api: {kind: internal, availability: "99.95%", p99: 50ms}

stores:
  feature-online: {kind: key_value, online: true, availability: "99.99%", p99: 5ms}
  rows-kv: {kind: key_value, online: true, capacity: 500GB}
"""
"""A short, complete spec shown at the top of the reference; a test checks it validates."""

_REF_KINDS = re.compile(r"^\^\(?([a-z|]+)\)?:")


class _Row(NamedTuple):
    """One field of a table: its dotted path, its type and its description."""

    path: str
    type: str
    description: str
    required: bool


def _ref_name(node: Mapping[str, Any]) -> str | None:
    """The definition name a ``$ref`` points to, or None."""
    target = node.get("$ref")
    if isinstance(target, str) and target.startswith("#/definitions/"):
        return target.removeprefix("#/definitions/")
    return None


def _is_ref_definition(name: str) -> bool:
    return name == "ref" or name.startswith("ref_")


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


_FLOW_UNSAFE = re.compile(r"[\s,\[\]{}#:]|^[*&!|>'\"%@`]")


def _yaml(value: Any, nested: bool = False) -> str:
    """A value in YAML flow style, as a spec author would write it."""
    if isinstance(value, Mapping):
        items = (f"{key}: {_yaml(item, True)}" for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(item, True) for item in value) + "]"
    if isinstance(value, str):
        return json.dumps(value) if nested and _FLOW_UNSAFE.search(value) else value
    return json.dumps(value)


def _code(value: Any) -> str:
    return f"`{_yaml(value)}`"


class _Reference:
    """Renders one schema; holds the definitions and the entity sections they map to."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self.definitions: Mapping[str, Any] = schema.get("definitions", {})
        # entity definition name → its top-level key, which is also its section's anchor
        self.entities: dict[str, str] = {}
        for key, prop in schema.get("properties", {}).items():
            name = _ref_name(prop) or self._collection_kind(prop)
            if name is not None:
                self.entities[name] = key

    # ------------------------------------------------------------ classification

    def _collection_kind(self, prop: Mapping[str, Any]) -> str | None:
        """The entity kind a collection (a mapping keyed by id) holds, or None."""
        for pattern, value in prop.get("patternProperties", {}).items():
            if pattern != "^x-":
                name = _ref_name(value)
                if name is not None:
                    return name
        return None

    def _is_shape(self, name: str) -> bool:
        """Whether a definition gets its own section: a union, or a shape that nests itself."""
        definition = self.definitions[name]
        if name in UNIT_NAMES or _is_ref_definition(name) or name in self.entities:
            return False
        recursive = f'"#/definitions/{name}"' in json.dumps(definition)
        return recursive or "oneOf" in definition or "anyOf" in definition

    def shapes(self) -> list[str]:
        """Definitions documented in their own section, in schema order."""
        return [name for name in self.definitions if self._is_shape(name)]

    # ------------------------------------------------------------ types

    def _ref_kinds(self, name: str) -> list[str]:
        match = _REF_KINDS.match(self.definitions[name].get("pattern", ""))
        return match[1].split("|") if match else []

    def type_of(self, node: Mapping[str, Any]) -> str:
        """A short, readable type for one schema node, with links to units and shapes."""
        name = _ref_name(node)
        if name is not None:
            examples = node.get("examples") or self.definitions[name].get("examples")
            return self._type_of_definition(name, examples[0] if examples else None)
        if "const" in node:
            return _code(node["const"])
        if "enum" in node:
            return "one of " + ", ".join(_code(value) for value in node["enum"])
        for key in ("oneOf", "anyOf"):
            if key in node:
                return _or([self._branch_type(branch) for branch in node[key]])
        kind = node.get("type")
        if isinstance(kind, list):
            return _or([self.type_of({"type": one}) for one in kind])
        if kind == "array":
            items = node.get("items", {})
            if "enum" in items:
                return "list of values from " + ", ".join(_code(value) for value in items["enum"])
            return "list of " + self.type_of(items)
        if kind in ("integer", "number"):
            word = "whole number" if kind == "integer" else "number"
            low, high = node.get("minimum"), node.get("maximum")
            if low is not None and high is not None:
                return f"{word} {low} to {high}"
            if low is not None:
                return f"{word} ≥ {low}"
            return word
        return {"string": "text", "boolean": "`true`/`false`", "object": "object"}.get(
            str(kind), "any value"
        )

    def _type_of_definition(self, name: str, example: Any) -> str:
        definition = self.definitions[name]
        if name in UNIT_NAMES:
            shown = f"[{name}](#{name})"
            return f"{shown}, e.g. {_code(example)}" if example is not None else shown
        if _is_ref_definition(name):
            return f"[reference](#references) to {_or(self._ref_kinds(name))}"
        if name in self.entities:
            return f"[{name}](#{self.entities[name]})"
        if self._is_shape(name):
            return f"[{name}](#{name})"
        if "properties" in definition:
            return "object"
        return self.type_of(definition)

    def _branch_type(self, node: Mapping[str, Any]) -> str:
        """The type of one branch of a union: a unit shows no example there."""
        name = _ref_name(node)
        if name is not None and name in UNIT_NAMES:
            return f"[{name}](#{name})"
        return self.type_of(node)

    # ------------------------------------------------------------ rows

    def rows(self, node: Mapping[str, Any], prefix: str, stack: tuple[str, ...]) -> Iterator[_Row]:
        """Every field under ``node``, depth first, in schema order."""
        name = _ref_name(node)
        if name is not None:
            definition = self.definitions[name]
            if (
                name in UNIT_NAMES
                or _is_ref_definition(name)
                or name in self.entities
                or name in stack
                or self._is_shape(name)
            ):
                return
            yield from self.rows(definition, prefix, (*stack, name))
            return
        required = set(node.get("required", []))
        for field, prop in node.get("properties", {}).items():
            path = _join(prefix, field)
            yield _Row(path, self.type_of(prop), prop.get("description", ""), field in required)
            yield from self.rows(prop, path, stack)
        if node.get("type") == "array" and "items" in node:
            yield from self.rows(node["items"], prefix + "[]", stack)
        for key in ("oneOf", "anyOf"):
            for branch in node.get(key, []):
                yield from self.rows(branch, prefix, stack)

    def table(self, node: Mapping[str, Any], prefix: str = "") -> list[str]:
        """A Markdown table of every field under ``node``."""
        lines = ["| Field | Type | Description |", "| --- | --- | --- |"]
        seen: set[str] = set()
        for row in self.rows(node, prefix, ()):
            if row.path in seen:
                continue
            seen.add(row.path)
            description = ("**Required.** " if row.required else "") + row.description
            lines.append(f"| `{row.path}` | {_cell(row.type)} | {_cell(description)} |")
        return lines

    # ------------------------------------------------------------ sections

    def top_level(self) -> list[str]:
        lines = ["## Top-level keys", ""]
        lines += ["| Key | Type | Description |", "| --- | --- | --- |"]
        required = set(self.schema.get("required", []))
        for key, prop in self.schema.get("properties", {}).items():
            kind = self._collection_kind(prop)
            shown = self.type_of(prop) if kind is None else f"mapping of id to [{kind}](#{key})"
            description = ("**Required.** " if key in required else "") + prop["description"]
            lines.append(f"| `{key}` | {_cell(shown)} | {_cell(description)} |")
        return [*lines, ""]

    def entity_sections(self) -> list[str]:
        lines: list[str] = []
        for key, prop in self.schema.get("properties", {}).items():
            kind = self._collection_kind(prop)
            item = _ref_name(prop.get("items", {})) if prop.get("type") == "array" else None
            name = kind or _ref_name(prop) or item
            if name is None:
                continue
            definition = self.definitions[name]
            lines += [f"## {key}", ""]
            if item is not None:  # a list of records, such as waivers
                lines += [
                    prop.get("description", ""),
                    "",
                    "Each item: " + definition.get("description", ""),
                    "",
                ]
            elif kind is not None:
                lines += [
                    f"`{key}` maps each id to one {definition.get('title', name).lower()}. "
                    + definition.get("description", ""),
                    "",
                ]
            else:
                lines += [definition.get("description", ""), ""]
            lines += [*self.table(definition), ""]
        return lines

    def shape_sections(self) -> list[str]:
        lines = ["## Shared shapes", ""]
        lines += ["Shapes used by several fields above.", ""]
        for name in self.shapes():
            definition = self.definitions[name]
            lines += [f"### {name}", "", definition.get("description", ""), ""]
            lines += [f"Type: {self._shape_type(definition)}.", ""]
            table = self.table(definition)
            if len(table) > 2:
                lines += [*table, ""]
        return lines

    def _shape_type(self, definition: Mapping[str, Any]) -> str:
        """A shape's type with the fields of its objects, such as ``{strategy, share}``."""
        parts = []
        for branch in definition.get("oneOf") or definition.get("anyOf") or [definition]:
            if "properties" in branch:
                parts.append("an object `{" + ", ".join(branch["properties"]) + "}`")
            else:
                parts.append(self.type_of(branch))
        return _or(parts)

    def _unit_forms(self, node: Mapping[str, Any]) -> list[str]:
        branches = node.get("oneOf") or node.get("anyOf") or [node]
        forms: list[str] = []
        for branch in branches:
            name = _ref_name(branch)
            if name is not None:
                forms.append(f"a [{name}](#{name})")
            elif "pattern" in branch:
                forms.append(f"text matching {_code(branch['pattern'])}")
            elif "properties" in branch:
                fields = []
                for field, prop in branch["properties"].items():
                    required = " (required)" if field in branch.get("required", []) else ""
                    description = prop.get("description", "").rstrip(".")
                    fields.append(f"`{field}`{required}: {description}")
                forms.append("an object with " + "; ".join(fields) + ".")
            else:
                forms.append(self.type_of(branch))
        return forms

    def unit_sections(self) -> list[str]:
        lines = [
            "## Units",
            "",
            "Every quantity has one syntax, so nothing is ambiguous. `consider` converts them "
            "before checking: durations to seconds, percentages to fractions, rates to events "
            "per second, sizes to bytes and counts to whole numbers.",
            "",
        ]
        for name in UNIT_NAMES:
            if name not in self.definitions:
                continue
            definition = self.definitions[name]
            lines += [f"### {name}", "", definition.get("description", ""), "", "Written as:", ""]
            lines += [f"- {form}" for form in self._unit_forms(definition)]
            examples = definition.get("examples", [])
            if examples:
                lines += ["", "Examples: " + ", ".join(_code(e) for e in examples) + "."]
            lines.append("")
        return lines

    def reference_section(self) -> list[str]:
        lines = [
            "## References",
            "",
            "A reference names another entity of the spec as `kind:id`, such as "
            "`source:clickstream`. The id is the entity's key in its collection: it starts "
            "with a letter or a digit, then letters, digits, `_`, `.` or `-`. A reference "
            "that names no entity is reported as `dangling-reference`.",
            "",
            "| Reference | Accepts | Example |",
            "| --- | --- | --- |",
        ]
        for name, definition in self.definitions.items():
            if not _is_ref_definition(name):
                continue
            kinds = ", ".join(f"`{kind}:`" for kind in self._ref_kinds(name))
            examples = definition.get("examples", [])
            example = _code(examples[0]) if examples else ""
            lines.append(f"| {definition.get('title', name)} | {kinds} | {example} |")
        return [*lines, ""]

    def render(self) -> str:
        lines = [
            "<!-- Generated by `python -m tools.regen` from schemas/spec.schema.json. "
            "Do not edit by hand. -->",
            "",
            f"# {self.schema.get('title', 'Spec reference')}",
            "",
            self.schema.get("description", ""),
            "",
            "A spec is one YAML file. Every collection (`outputs`, `slos`, `models`, ...) maps "
            "an entity's id to its fields. No field inside an entity is required by the "
            "schema: a field that is missing is an open question, which `consider check` "
            "reports. Any field may say `tbd`: the question stays open and is shown as "
            "acknowledged. Unknown keys are reported, so typos are caught.",
            "",
            "Editors that use the YAML language server complete and check a spec as it is "
            "typed: write the editor's schema, which also accepts `tbd` everywhere, with "
            "`consider schema spec > spec.schema.json`, and make the spec's first line "
            "`# yaml-language-server: $schema=spec.schema.json`.",
            "",
            "## Example",
            "",
            "```yaml",
            *EXAMPLE_SPEC.rstrip("\n").split("\n"),
            "```",
            "",
        ]
        lines += self.top_level()
        lines += self.entity_sections()
        lines += self.shape_sections()
        lines += self.unit_sections()
        lines += self.reference_section()
        while lines and lines[-1] == "":
            lines.pop()
        return "\n".join(lines) + "\n"


def spec_reference(schema: Mapping[str, Any]) -> str:
    """Render the Markdown reference of the spec format from the spec schema."""
    return _Reference(schema).render()
