"""The project config: ``.consider.yaml`` or ``[tool.consider]`` in ``pyproject.toml``.

Found by walking up from the working directory (the nearer file wins; in one folder,
``.consider.yaml`` wins over ``pyproject.toml``). Validated against
``schemas/config.schema.json``; anything wrong is a :class:`ConfigError` naming the file, the
line and the closest valid name. Flags override the keys they mirror: ``settle`` merges
them, as ``consider.commands.check`` hands them over; this module reads no flag itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from consider.errors import ConsiderError
from consider.policy import Policy
from consider.records import Record

if TYPE_CHECKING:
    from consider.check import Target
    from consider.engine import RuleSet

YAML_NAME = ".consider.yaml"
TOML_NAME = "pyproject.toml"
CONFIG_SIZE_LIMIT = 1_000_000
QUESTION_POLICIES = ("never", "any", "tier-1")


class ConfigError(ConsiderError):
    """A config file that cannot be read or does not validate (exit 2)."""


class Config(Record):
    """The settings of one config file; the defaults when there is none.

    A NamedTuple, as immutable as a frozen dataclass, without importing ``dataclasses`` on
    every start (the mappings below are never changed once made, so sharing the defaults'
    empty ones is safe).
    """

    path: str = ""
    """The config file as shown in messages; empty when no config is used."""
    root: Path = Path(".")
    """The folder that relative paths in the config start from."""
    packs: tuple[Path, ...] = ()
    disable_packs: tuple[str, ...] = ()
    rules: dict[str, str] = {}  # noqa: RUF012 - never changed once made
    """Rule id → ``error``, ``warning``, ``info`` or ``off``."""
    fail_on: str | None = None
    fail_on_questions: str | int = "never"
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_file_size: int | None = None
    waivers: Path | None = None
    baseline: Path | None = None
    positions: dict[str, tuple[int, int]] = {}  # noqa: RUF012 - never changed once made
    """Where each key and value was written (JSON pointer → line, column), for later errors."""

    def position(self, pointer: str) -> tuple[int, int]:
        """Where ``pointer`` (or its nearest written parent) is in the config file."""
        current = pointer
        while current not in self.positions and current:
            current = current.rsplit("/", 1)[0]
        return self.positions.get(current, (1, 1))

    def error(self, message: str, pointer: str) -> ConfigError:
        """A ConfigError at the place ``pointer`` was written."""
        line, column = self.position(pointer)
        return ConfigError(message, path=self.path, line=line, column=column)


NO_CONFIG = Config()


# -- finding ----------------------------------------------------------------------------------


def find(start: Path) -> Path | None:
    """The nearest config file at or above ``start``: ``.consider.yaml``, or a
    ``pyproject.toml`` with a ``[tool.consider]`` table."""
    folder = start.resolve()
    for here in (folder, *folder.parents):
        candidate = here / YAML_NAME
        if candidate.is_file():
            return candidate
        candidate = here / TOML_NAME
        if candidate.is_file() and _has_consider_table(candidate):
            return candidate
    return None


def _has_consider_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*consider\s*[\].]", text, re.MULTILINE) is not None


def resolve(option: Path | None, *, no_config: bool, start: Path) -> Config:
    """The config a run uses: ``--config FILE``, else the nearest one, else none."""
    if no_config:
        return NO_CONFIG
    path = option if option is not None else find(start)
    if path is None:
        return NO_CONFIG
    return read(path, display=str(option) if option is not None else _shown(path, start))


def _shown(path: Path, start: Path) -> str:
    try:
        return str(path.relative_to(start.resolve()))
    except ValueError:
        return str(path)


# -- reading ----------------------------------------------------------------------------------


def read(path: Path, *, display: str | None = None) -> Config:
    """One config file, validated; a ``.toml`` file is read from its ``[tool.consider]``."""
    shown = display or str(path)
    if not path.is_file():
        raise ConfigError("config file not found; check the path", path=shown)
    if path.suffix == ".toml":
        data, positions = _read_toml(path, shown)
    else:
        data, positions = _read_yaml(path, shown)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            "the config is not a mapping of keys; see docs/config.md", path=shown, line=1, column=1
        )
    _validate(data, shown, positions)
    return _config(data, shown, path.resolve().parent, positions)


def _read_yaml(path: Path, shown: str) -> tuple[Any, dict[str, tuple[int, int]]]:
    from consider.errors import InputError
    from consider.loader import Limits, load

    try:
        document = load(path, display=shown, limits=Limits(max_bytes=CONFIG_SIZE_LIMIT))
    except InputError as error:
        raise ConfigError(
            f"config: {error.message}", path=error.path, line=error.line, column=error.column
        ) from None
    if document.duplicates:
        dup = document.duplicates[0]
        key = dup.pointer.rsplit("/", 1)[-1]
        raise ConfigError(
            f"'{key}' is written twice (first at line {dup.first_line}); keep one",
            path=shown,
            line=dup.line,
            column=dup.column,
        )
    positions = dict(document.values)
    positions.update(document.keys)  # an error about a key belongs at the key
    values = {f"{pointer}#value": where for pointer, where in document.values.items()}
    positions.update(values)
    return document.data, positions


def _read_toml(path: Path, shown: str) -> tuple[Any, dict[str, tuple[int, int]]]:
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError("the config is not UTF-8 text", path=shown) from None
    except OSError as error:
        raise ConfigError(f"cannot read the config: {error.strerror}", path=shown) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"not valid TOML: {error}", path=shown) from None
    tool = data.get("tool", {})
    section = tool.get("consider", {}) if isinstance(tool, dict) else {}
    return section, _toml_positions(text, section)


def _toml_positions(text: str, section: Any) -> dict[str, tuple[int, int]]:
    """Best-effort lines for the keys of ``[tool.consider]``: tomllib keeps no positions, so
    each key is looked for as ``key =`` after the table's header (or in its sub-table)."""
    lines = text.splitlines()
    header = re.compile(r"^\s*\[\s*tool\s*\.\s*consider\s*([\].])")
    start = next((i for i, line in enumerate(lines) if header.match(line)), 0)
    positions: dict[str, tuple[int, int]] = {"": (start + 1, 1)}

    def visit(value: Any, pointer: str, key: str, after: int) -> None:
        found = after
        if key:
            pattern = re.compile(rf'(^|[\s{{,.\[])("{re.escape(key)}"|{re.escape(key)})\s*[=\]]')
            for i in range(after, len(lines)):
                match = pattern.search(lines[i])
                if match:
                    found = i
                    positions[pointer] = (i + 1, match.start(2) + 1)
                    break
            else:
                positions[pointer] = (after + 1, 1)
        if isinstance(value, dict):
            for sub, item in value.items():
                visit(item, f"{pointer}/{_escape(str(sub))}", str(sub), found)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                positions[f"{pointer}/{index}"] = positions.get(pointer, (found + 1, 1))
                visit(item, f"{pointer}/{index}", "", found)

    visit(section, "", "", start)
    return positions


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _validate(data: dict[str, Any], shown: str, positions: dict[str, tuple[int, int]]) -> None:
    try:  # the generated validator is fast to import; jsonschema explains a failure
        from consider._validators import config as generated

        generated.validate(data)  # type: ignore[no-untyped-call]
        return
    except ImportError:
        pass
    except generated.JsonSchemaValueException:
        pass
    import jsonschema
    from jsonschema.exceptions import best_match

    from consider.resources import schema

    config_schema = schema("config")
    error = best_match(jsonschema.Draft7Validator(config_schema).iter_errors(data))
    if error is None:
        return
    path = [str(p) for p in error.absolute_path]
    pointer = "".join(f"/{_escape(p)}" for p in path)
    where = ".".join(path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = sorted(error.schema.get("properties", {}))
        unknown = next(
            str(k) for k in error.instance if k not in known and not str(k).startswith("x-")
        )
        inside = f" in '{where}'" if where else ""
        message = f"unknown key '{unknown}'{inside}{did_you_mean(unknown, known)}"
        pointer = f"{pointer}/{_escape(unknown)}"
    else:
        message = f"'{where}': {_bad_value(error, path)}"
        pointer = f"{pointer}#value" if f"{pointer}#value" in positions else pointer
    line, column = positions.get(pointer) or _nearest(positions, pointer)
    raise ConfigError(f"{message}; see docs/config.md", path=shown, line=line, column=column)


def _nearest(positions: dict[str, tuple[int, int]], pointer: str) -> tuple[int, int]:
    current = pointer.split("#", 1)[0]
    while current not in positions and current:
        current = current.rsplit("/", 1)[0]
    return positions.get(current, (1, 1))


_EXPECTED = {
    "packs": "a list of pack file paths",
    "disable_packs": "a list of built-in pack ids",
    "rules": "a mapping of rule id to error, warning, info or off",
    "fail_on": "error, warning, info or never",
    "fail_on_questions": "never, any, tier-1 or a number of open questions",
    "include": "a list of glob patterns",
    "exclude": "a list of glob patterns",
    "max_file_size": "a size such as 1MB or 512KiB, or a number of bytes",
    "waivers": "the path of a waivers file",
    "baseline": "the path of a baseline file",
}


def _bad_value(error: Any, path: list[str]) -> str:
    shown = _show(error.instance)
    top = path[0] if path else ""
    if top == "rules" and len(path) >= 2:
        options = ["error", "warning", "info", "off"]
        value = error.instance
        if isinstance(value, dict):
            value = value.get("severity", value)
        hint = did_you_mean(str(value), options, list_known=False) if isinstance(value, str) else ""
        return f"{_show(value)} is not a rule setting; write error, warning, info or off{hint}"
    options = {
        "fail_on": ["error", "warning", "info", "never"],
        "fail_on_questions": list(QUESTION_POLICIES),
    }.get(top, [])
    hint = (
        did_you_mean(error.instance, options, list_known=False)
        if isinstance(error.instance, str)
        else ""
    )
    return f"{shown} is not {_EXPECTED.get(top, 'valid here')}{hint}"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int | float) else type(value).__name__


def did_you_mean(word: str, options: Iterable[str], *, list_known: bool = True) -> str:
    """`` (did you mean 'x'?)`` for the closest option, or the options when none is close."""
    from consider.text import closest

    listed = sorted(set(options))
    close = closest(word, listed)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (known: {', '.join(listed)})" if list_known and 0 < len(listed) <= 12 else ""


def _config(
    data: dict[str, Any], shown: str, root: Path, positions: dict[str, tuple[int, int]]
) -> Config:
    from consider.units import parse_size

    rules: dict[str, str] = {}
    for rule, setting in data.get("rules", {}).items():
        value = setting.get("severity") if isinstance(setting, dict) else setting
        rules[str(rule)] = "off" if value is False else str(value)
    size = data.get("max_file_size")
    return Config(
        path=shown,
        root=root,
        packs=tuple(root / p for p in data.get("packs", ())),
        disable_packs=tuple(data.get("disable_packs", ())),
        rules=rules,
        fail_on=data.get("fail_on"),
        fail_on_questions=data.get("fail_on_questions", "never"),
        include=tuple(data.get("include", ())),
        exclude=tuple(data.get("exclude", ())),
        max_file_size=int(parse_size(size)) if isinstance(size, str) else size,
        waivers=root / data["waivers"] if "waivers" in data else None,
        baseline=root / data["baseline"] if "baseline" in data else None,
        positions=positions,
    )


# -- using it ---------------------------------------------------------------------------------


def pack_paths(config: Config, packs: Sequence[Path], *, no_builtin: bool) -> list[Path]:
    """The pack files a run loads: the built-in ones not turned off, then ``--pack`` files
    (or, without the flag, the config's ``packs``)."""
    from consider.resources import builtin_pack_paths

    builtin = {path.stem: path for path in builtin_pack_paths()}
    installed = [] if not config.disable_packs else _installed_pack_ids()
    for index, pack in enumerate(config.disable_packs):
        if pack not in builtin and pack not in installed:
            known = [*builtin, *installed]
            raise config.error(
                f"'disable_packs' names no built-in or installed pack '{pack}'"
                f"{did_you_mean(pack, known)}",
                f"/disable_packs/{index}",
            )
    if not packs:
        for index, pack_file in enumerate(config.packs):
            if not pack_file.is_file():
                raise config.error(
                    f"the pack file {_display(pack_file)} is not found; paths in the config are "
                    "relative to the config file",
                    f"/packs/{index}",
                )
    kept = [] if no_builtin else [p for i, p in builtin.items() if i not in config.disable_packs]
    return [*kept, *(packs or config.packs)]


def _installed_pack_ids() -> list[str]:
    from consider.plugins import pack_plugins

    return [plugin.name for plugin in pack_plugins()]


def check_rule_ids(config: Config, known: Iterable[str], questions: Iterable[str]) -> None:
    """Every rule the config sets must exist; a question can only be turned off."""
    known_ids = set(known)
    question_ids = set(questions)
    for rule, setting in config.rules.items():
        pointer = f"/rules/{_escape(rule)}"
        if rule not in known_ids:
            raise config.error(
                f"'rules' names no rule '{rule}'{did_you_mean(rule, known_ids)}", pointer
            )
        if rule in question_ids and setting != "off":
            raise config.error(
                f"'{rule}' is a question, which has no severity; it can only be turned off",
                pointer,
            )


def select(targets: Sequence[Target], arguments: Sequence[str], config: Config) -> list[Target]:
    """The targets ``consider.check.expand`` found, less those that ``include`` and
    ``exclude`` leave out; a file named on the command line is always kept."""
    if not config.include and not config.exclude:
        return list(targets)
    named = {str(Path(a)) for a in arguments}
    include = [_glob_pattern(p) for p in config.include]
    exclude = [_glob_pattern(p) for p in config.exclude]
    kept = []
    for target in targets:
        path = target.path
        if target.data is not None or str(path) in named:
            kept.append(target)
            continue
        relative = _relative(path, config.root)
        if include and not any(p.fullmatch(relative) for p in include):
            continue
        if any(p.fullmatch(relative) for p in exclude):
            continue
        kept.append(target)
    return kept


def _relative(path: Path, root: Path) -> str:
    absolute = path.resolve()
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def _glob_pattern(pattern: str) -> re.Pattern[str]:
    """A glob as a regular expression over a posix path: ``**`` any folders, ``*`` and ``?``
    within one name, ``[...]`` a set."""
    out = []
    i = 0
    text = pattern.strip("/") if not pattern.startswith("/") else pattern[1:]
    while i < len(text):
        if text.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif text.startswith("**", i):
            out.append(".*")
            i += 2
        elif text[i] == "*":
            out.append("[^/]*")
            i += 1
        elif text[i] == "?":
            out.append("[^/]")
            i += 1
        elif text[i] == "[" and "]" in text[i + 1 :]:
            end = text.index("]", i + 1)
            body = text[i + 1 : end].replace("\\", "\\\\")
            out.append(f"[{'^' + body[1:] if body.startswith('!') else body}]")
            i = end + 1
        else:
            out.append(re.escape(text[i]))
            i += 1
    # a pattern naming a folder covers what is inside it
    return re.compile("".join(out) + "(?:/.*)?")


class Settings(Record):
    """What a ``consider check`` run uses, once the config and the flags are merged."""

    config: Config
    pack_files: tuple[Path, ...]
    fail_on: str
    max_file_size: int | None
    policy: Policy


def settle(
    config: Config,
    *,
    packs: Sequence[Path],
    no_builtin_packs: bool,
    fail_on: str | None,
    max_file_size: int | None,
) -> Settings:
    """Merge the flags over the config: a flag that is given wins over the key it mirrors."""
    return Settings(
        config=config,
        pack_files=tuple(pack_paths(config, packs, no_builtin=no_builtin_packs)),
        fail_on=fail_on or config.fail_on or "error",
        max_file_size=max_file_size or config.max_file_size,
        policy=Policy(
            rules=tuple(sorted(config.rules.items())),
            questions=config.fail_on_questions,
            source=config.path,
        ),
    )


def policy_for(
    settings: Settings,
    rules: RuleSet,
    *,
    today: str = "",
    baseline: Path | None = None,
    writing_baseline: bool = False,
) -> Policy:
    """The policy of a run, once the rules are loaded: the rule ids the config names must
    exist among them or consider's own, and waivers may name any of those."""
    from consider import waivers
    from consider.baseline import read as read_baseline
    from consider.engine import Question
    from consider.policy import POLICY_RULES
    from consider.schema import engine_rule_docs

    config = settings.config
    questions = {q.id for q in rules.rules() if isinstance(q, Question)}
    known = {rule.id for rule in rules.rules()} | set(engine_rule_docs()) | set(POLICY_RULES)
    check_rule_ids(config, known, questions)
    found: tuple[tuple[str, waivers.Waiver], ...] = ()
    if config.waivers is not None:
        if not config.waivers.is_file():
            raise config.error(
                f"the waivers file {_display(config.waivers)} is not found; check the path",
                "/waivers#value",
            )
        found = waivers.read_file(config.waivers, _display(config.waivers))
    recorded = None
    if writing_baseline:
        pass  # every finding is recorded anew: no baseline applies
    elif baseline is not None:  # --baseline wins over the config's
        recorded = read_baseline(baseline, str(baseline))
    elif config.baseline is not None:
        if not config.baseline.exists():
            raise config.error(
                f"the baseline file {_display(config.baseline)} is not found; write it with "
                "`consider check --write-baseline FILE`",
                "/baseline#value",
            )
        recorded = read_baseline(config.baseline, _display(config.baseline))
    return settings.policy._replace(
        waivers=found,
        today=today,
        known_rules=tuple(sorted(known | set(waivers.RULES))),
        baseline=recorded,
    )


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


KEYS = (
    "packs",
    "disable_packs",
    "rules",
    "fail_on",
    "fail_on_questions",
    "include",
    "exclude",
    "max_file_size",
    "waivers",
    "baseline",
)
"""Every key of the config, in the order docs/config.md describes them."""
