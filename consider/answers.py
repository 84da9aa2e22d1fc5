"""Answers to questions: checked against the field's schema as typed, then written back into
the spec keeping everything else as the user wrote it (comments, key order, quoting,
indentation), and logged in the spec's dated ``clarifications`` section.

ruamel.yaml does the round trip; the file is replaced atomically, and only with text that
consider still reads as a spec.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consider.errors import ConsiderError, InputError, UsageError
from consider.loader import parse
from consider.resources import schema
from consider.schema import validate
from consider.text import escape_pointer_token
from consider.units import PARSERS
from consider.vocabulary import PRODUCT, REF_PREFIX

TBD = "tbd"
CLARIFICATIONS = "clarifications"

_UNIT_FORMS = {
    "duration": "a duration such as 250ms, 30s, 15m, 6h, 1d or 2w",
    "percentage": "a percentage such as 99.9%",
    "ratio": "a share such as 0.5 or 50%",
    "rate": "a rate such as 1200/s or 5000/h",
    "size": "a size such as 50MB, 2TB or 512KiB",
    "count": "a count such as 1200, 12K or 11M",
    "schedule": "a duration such as 6h (every six hours)",
}


@dataclass(frozen=True, slots=True)
class Field:
    """What a field accepts, read from the spec schema: the expected form, and a parser."""

    form: str
    """The expected form, shown with the question: ``a duration such as ...``."""
    parse: Callable[[str], Any] | None
    """Typed text → the value to write; raises ValueError with the reason. None: the field
    is a block that cannot be typed on one line (only ``tbd`` or ``skip``)."""
    choices: tuple[Any, ...] = ()


def field(kind: str, path: str, resolve: Callable[[str], bool]) -> Field:
    """How to ask for the field ``path`` of an entity of ``kind``; ``resolve`` says whether a
    typed reference names an entity of the spec."""
    node = _field_node(kind, path)
    return _shape(node, resolve) if node is not None else Field("text", _text)


# -- the schema of a field --------------------------------------------------------------------


def _definitions() -> dict[str, Any]:
    found: dict[str, Any] = schema("spec").get("definitions", {})
    return found


def _deref(node: Any) -> Any:
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        node = _definitions().get(str(node["$ref"]).rsplit("/", 1)[-1], {})
        seen += 1
    return node


def _field_node(kind: str, path: str) -> Any:
    root = schema("spec")["properties"]
    if kind == PRODUCT:
        node = _deref(root[PRODUCT])
    else:
        collection: dict[str, Any] = root.get(kind) or {}
        entity = next(
            (v for p, v in collection.get("patternProperties", {}).items() if "x-" not in p[:4]),
            None,
        )
        node = _deref(entity)
    for name in re.sub(r"\[\d+\]", "", path).split("."):
        if node is None:
            return None
        node = _property(node, name)
        if node is None:
            return None
    return node


def _property(node: Any, name: str) -> Any:
    node = _deref(node)
    if not isinstance(node, dict):
        return None
    if name in node.get("properties", {}):
        return node["properties"][name]
    alternatives: list[Any] = node.get("oneOf") or node.get("anyOf") or []
    for option in alternatives:
        found = _property(option, name)
        if found is not None:
            return found
    return None


def _unit_name(node: Any) -> str | None:
    ref = node.get("$ref") if isinstance(node, dict) else None
    name = str(ref).rsplit("/", 1)[-1] if ref else None
    return name if name in PARSERS else None


def _ref_kinds(node: Any) -> tuple[str, ...] | None:
    ref = node.get("$ref") if isinstance(node, dict) else None
    name = str(ref).rsplit("/", 1)[-1] if ref else ""
    if name == "ref":
        return tuple(REF_PREFIX)
    if name.startswith("ref_"):
        pattern = str(_definitions().get(name, {}).get("pattern", ""))
        prefixes = tuple(p for p in REF_PREFIX if f"{p}:" in pattern or f"|{p}" in pattern)
        return prefixes or tuple(REF_PREFIX)
    return None


def _shape(node: Any, resolve: Callable[[str], bool]) -> Field:
    unit = _unit_name(node)
    if unit is not None:
        return Field(_UNIT_FORMS.get(unit, unit), _unit_parser(unit))
    prefixes = _ref_kinds(node)
    if prefixes is not None:
        example = f"{prefixes[0]}:ID"
        return Field(f"a reference such as {example}", _ref_parser(prefixes, resolve))
    node = _deref(node)
    if not isinstance(node, dict):
        return Field("text", _text)
    if "enum" in node:
        options = tuple(node["enum"])
        form = f"one of {', '.join(_shown(o) for o in options)}"
        return Field(form, _choice_parser(options), options)
    alternatives: list[Any] = node.get("oneOf") or node.get("anyOf") or []
    if alternatives:
        shapes = [_shape(option, resolve) for option in alternatives]
        typed = [s for s in shapes if s.parse is not None]
        if not typed:
            return Field("a block", None)
        return Field(" or ".join(s.form for s in typed), _first_of([s.parse for s in typed]))
    kind = node.get("type")
    if kind == "boolean":
        return Field("yes or no", _boolean, (True, False))
    if kind == "integer":
        return Field("a whole number", _integer)
    if kind == "number":
        return Field("a number", _number)
    if kind == "array":
        item = _shape(node.get("items", {}), resolve)
        if item.parse is None:
            return Field("a list of blocks", None)
        return Field(
            f"a list of {_plural(item.form)}, separated by commas ([] for none)",
            _list(item.parse),
        )
    if kind == "object" or "properties" in node:
        return Field("a block", None)
    return Field("text", _text)


def _plural(form: str) -> str:
    return "items" if form == "text" else f"items, each {form}"


# -- parsers: typed text → value, or ValueError with the reason -------------------------------


def _text(typed: str) -> str:
    if not typed.strip():
        raise ValueError("the answer is empty")
    return typed.strip()


def _unit_parser(unit: str) -> Callable[[str], Any]:
    def parse_unit(typed: str) -> Any:
        text = typed.strip()
        if unit == "schedule":
            PARSERS["duration"](text)
        else:
            PARSERS[unit](text)
        if re.fullmatch(r"[0-9]+", text):
            return int(text)
        return text

    def checked(typed: str) -> Any:
        try:
            return parse_unit(typed)
        except ValueError:
            what = "a duration" if unit == "schedule" else f"a {unit}"
            raise ValueError(f"'{typed.strip()}' is not {what}") from None

    return checked


def _ref_parser(prefixes: tuple[str, ...], resolve: Callable[[str], bool]) -> Callable[[str], str]:
    def parse_ref(typed: str) -> str:
        text = typed.strip()
        prefix, colon, ident = text.partition(":")
        if not colon or prefix not in prefixes or not ident:
            kinds = ", ".join(f"{p}:ID" for p in prefixes)
            raise ValueError(f"'{text}' is not a reference; write {kinds}")
        if not resolve(text):
            raise ValueError(f"{text} names no entity of this spec")
        return text

    return parse_ref


def _choice_parser(options: tuple[Any, ...]) -> Callable[[str], Any]:
    def parse_choice(typed: str) -> Any:
        text = typed.strip()
        for option in options:
            if text.lower() == _shown(option).lower():
                return option
        raise ValueError(f"'{text}' is not one of: {', '.join(_shown(o) for o in options)}")

    return parse_choice


def _boolean(typed: str) -> bool:
    text = typed.strip().lower()
    if text in ("y", "yes", "true"):
        return True
    if text in ("n", "no", "false"):
        return False
    raise ValueError(f"'{typed.strip()}' is not yes or no")


def _integer(typed: str) -> int:
    try:
        return int(typed.strip())
    except ValueError:
        raise ValueError(f"'{typed.strip()}' is not a whole number") from None


def _number(typed: str) -> float | int:
    try:
        return _integer(typed)
    except ValueError:
        pass
    try:
        return float(typed.strip())
    except ValueError:
        raise ValueError(f"'{typed.strip()}' is not a number") from None


def _list(item: Callable[[str], Any]) -> Callable[[str], list[Any]]:
    def parse_list(typed: str) -> list[Any]:
        if typed.strip() in ("[]", "none"):
            return []  # "none" is an answer too: `inputs_from: []` says there are none
        separator = ";" if ";" in typed else ","
        parts = [part for part in typed.split(separator) if part.strip()]
        if not parts:
            raise ValueError("the list is empty")
        return [item(part) for part in parts]

    return parse_list


def _first_of(parsers: list[Callable[[str], Any] | None]) -> Callable[[str], Any]:
    def parse_any(typed: str) -> Any:
        reasons = []
        for parser in parsers:
            assert parser is not None
            try:
                return parser(typed)
            except ValueError as error:
                reasons.append(str(error))
        raise ValueError(reasons[0])

    return parse_any


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- writing back -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer to write: where, what, and the log entry it makes."""

    kind: str
    entity: str
    field: str
    value: Any
    question: str
    target: str
    date: str


class Editor:
    """A spec file open for answers: each answer is written through at once."""

    def __init__(self, path: Path, text: str) -> None:
        from ruamel.yaml import YAML
        from ruamel.yaml.util import load_yaml_guess_indent

        self.path = path
        self.text = text
        from ruamel.yaml.error import YAMLError, YAMLFutureWarning

        try:
            _, sequence, offset = load_yaml_guess_indent(text)
        except (YAMLError, YAMLFutureWarning) as error:
            raise self._unsafe(error) from None
        self._yaml = YAML(typ="rt")
        self._yaml.preserve_quotes = True
        self._yaml.width = 1 << 16  # never re-wrap the user's long lines
        mapping = _mapping_indent(text)
        if offset is None:  # no block sequence yet: new ones as in the examples, "  - item"
            sequence, offset = mapping + 2, 2
        self._yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        if self._dump(self._load(text)) != text:
            raise UsageError(
                f"{path} is written in a layout that cannot be kept exactly when answers are "
                "written into it; answer in the file instead, guided by "
                f"`consider questions {path}`"
            )

    def _load(self, text: str) -> Any:
        from ruamel.yaml.error import YAMLError, YAMLFutureWarning

        try:
            return self._yaml.load(text)
        except (YAMLError, YAMLFutureWarning) as error:
            raise self._unsafe(error) from None

    def _unsafe(self, error: Exception) -> UsageError:
        # consider's own loader read the file, so this is what the round-trip parser is
        # stricter about, duplicate keys above all: nothing is written.
        lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
        problem = next((line for line in lines if line.startswith("found")), lines[0])
        return UsageError(
            f"{self.path} cannot be edited safely ({problem}); fix what "
            f"`consider check {self.path}` reports (duplicate keys, say), then ask again"
        )

    def _dump(self, data: Any) -> str:
        out = io.StringIO()
        self._yaml.dump(data, out)
        return out.getvalue()

    def preview(self, answer: Answer) -> str:
        """The spec text with ``answer`` written in and logged; raises ValueError with the
        reason when the answer would make the spec invalid at that field."""
        data = self._load(self.text)
        entity = data[PRODUCT] if answer.kind == PRODUCT else data[answer.kind][answer.entity]
        _set(entity, answer.field.split("."), _plain(answer.value))
        log = data.get(CLARIFICATIONS)
        entry = _mapping(
            {
                "question": answer.question,
                "target": answer.target,
                "answer": _plain(answer.value),
                "date": answer.date,
            }
        )
        if isinstance(log, list):
            log.append(entry)
        else:
            data[CLARIFICATIONS] = [entry]
        text = self._dump(data)
        self._check(text, answer)
        return text

    def _check(self, text: str, answer: Answer) -> None:
        try:
            document = parse(text, path=str(self.path))
        except ConsiderError as error:
            raise ValueError(f"the spec would no longer load: {error}") from None
        checked = validate(document)
        if not checked.is_spec:
            raise ValueError("the spec would no longer be a spec")
        base = (
            "/product"
            if answer.kind == PRODUCT
            else f"/{answer.kind}/{escape_pointer_token(answer.entity)}"
        )
        where = base + "".join(f"/{escape_pointer_token(p)}" for p in answer.field.split("."))
        for finding in checked.findings:
            if finding.pointer == where or finding.pointer.startswith(where + "/"):
                raise ValueError(finding.message)

    def write(self, answer: Answer) -> None:
        """Write ``answer`` into the file (atomically), unless the file changed meanwhile."""
        text = self.preview(answer)
        try:
            on_disk = self.path.read_text(encoding="utf-8")
        except OSError as error:
            raise InputError(f"cannot read {self.path}: {error.strerror}") from None
        if on_disk != self.text:
            raise UsageError(
                f"{self.path} was changed by something else while answering; your earlier "
                f"answers are in it, this one was not written: run `consider ask {self.path}` again"
            )
        _replace(self.path, text)
        self.text = text


def _mapping_indent(text: str) -> int:
    for line in text.splitlines():
        found = re.match(r"^( +)[^ #-]", line)
        if found:
            return len(found[1])
    return 2


def _plain(value: Any) -> Any:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, list):
        from ruamel.yaml.comments import CommentedSeq

        seq = CommentedSeq([_plain(v) for v in value])
        seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and (value.endswith("%") or _needs_quotes(value)):
        return DoubleQuotedScalarString(value)
    return value


def _needs_quotes(value: str) -> bool:
    # Text that YAML would read as something else (a number, a boolean, null, a date) or
    # that starts with an indicator is quoted, so it reads back as the text typed.
    if value.lower() in ("yes", "no", "true", "false", "on", "off", "null", "~", ""):
        return True
    return (
        bool(re.match(r"^[-+]?[0-9.]", value) and re.fullmatch(r"[-+0-9.eE:_]+", value))
        or bool(re.match(r"^[\[\]{}#&*!|>'\"%@`,?:-]", value))
        or ": " in value
        or " #" in value
    )


def _mapping(values: dict[str, Any]) -> Any:
    from ruamel.yaml.comments import CommentedMap

    return CommentedMap(values)


def _set(node: Any, path: list[str], value: Any) -> None:
    from ruamel.yaml.comments import CommentedMap

    for depth, name in enumerate(path[:-1]):
        child = node.get(name)
        if not isinstance(child, dict):
            # Build what is missing whole, then put it in once: its comments land right.
            for inner in reversed(path[depth + 1 :]):
                value = CommentedMap({inner: value})
            _put(node, name, value)
            return
        node = child
    _put(node, path[-1], value)


def _put(node: Any, key: str, value: Any) -> None:
    """Set ``key``; a new key goes last, after the last key's own line but before the
    comment lines and blank lines that follow it (they belong to what comes next)."""
    if key in node or not node:
        node[key] = value
        return
    holder, slot = _last_item(node)
    node[key] = value
    if holder is None:
        return
    tokens = holder.ca.items.get(slot)
    if not tokens or len(tokens) < 3 or tokens[2] is None:
        return
    comment = tokens[2]
    text = str(comment.value)
    head, newline, rest = text.partition("\n")
    if not rest:
        return
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    comment.value = head + newline
    tail = CommentToken(newline + rest, CommentMark(0), None)
    if isinstance(value, dict) and value:
        inner, inner_slot = _last_item(value)
        if inner is not None:
            inner.ca.items.setdefault(inner_slot, [None, None, None, None])[2] = tail
        return
    node.ca.items.setdefault(key, [None, None, None, None])[2] = tail


def _last_item(node: Any) -> tuple[Any, Any]:
    """The mapping or sequence that holds the last line of ``node``, and the key or index
    of that line there (comments after it are kept on that item)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    holder: Any = None
    slot: Any = None
    while isinstance(node, CommentedMap | CommentedSeq) and len(node):
        flow = node.fa.flow_style()
        if flow and holder is not None:
            break
        holder = node
        slot = list(node.keys())[-1] if isinstance(node, CommentedMap) else len(node) - 1
        node = node[slot]
    return holder, slot


def _replace(path: Path, text: str) -> None:
    from consider.atomic import replace_file

    try:
        replace_file(path, text, newline="")
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror}") from None
