"""Options from configuration files, read the same way by flake8 and the command.

flake8 reads ``[flake8]`` from the first of ``setup.cfg``, ``tox.ini`` or ``.flake8``
that has one, walking up from the current folder; the command finds that same file
(so a project configures both tools once) and also reads
``[tool.flake8-bn-update-ops]`` from the nearest ``pyproject.toml`` that has it.
Bad values are a ``ConfigError`` whose message names the file and the key.
"""
from __future__ import annotations

import configparser
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Union

from .settings import Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

PYPROJECT_TABLE = "flake8-bn-update-ops"
BN_KEYS = ("bn-training-names", "bn-wrappers", "bn-train-op-helpers", "bn-cross-module")
LIST_KEYS = ("select", "ignore", "extend-select", "extend-ignore", "exclude", "extend-exclude")
# flake8's own key that fixes respect: the lines they write stay within it.
LENGTH_KEYS = ("max-line-length",)
KNOWN_KEYS = BN_KEYS + LIST_KEYS + LENGTH_KEYS
FLAKE8_FILES = ("setup.cfg", "tox.ini", ".flake8")

# flake8's own rule for codes given to select/ignore (flake8.defaults.VALID_CODE_PREFIX).
_CODE_PREFIX = re.compile(r"^[A-Z]{1,3}[0-9]{0,3}$", re.ASCII)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$", re.ASCII)
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$", re.ASCII)
_LIST_SEPARATOR = re.compile(r"[,\s]")
_TRUE = frozenset({"yes", "true", "on", "1"})
_FALSE = frozenset({"no", "false", "off", "0"})

Value = Union[str, bool, int, List[str]]


class ConfigError(Exception):
    """A configuration value is wrong; ``str()`` is one line naming where and what."""


@dataclass
class FileConfig:
    """What the configuration files say, before the command line overrides it."""

    values: Dict[str, Value] = field(default_factory=dict)
    origins: Dict[str, str] = field(default_factory=dict)   # key -> file it came from
    base_dirs: Dict[str, str] = field(default_factory=dict)  # key -> that file's folder

    def merge(self, values: Mapping[str, Value], origin: str) -> None:
        for key, value in values.items():
            self.values[key] = value
            self.origins[key] = origin
            self.base_dirs[key] = os.path.dirname(os.path.abspath(origin))


def split_list(value: Value) -> List[str]:
    """A comma/whitespace separated string (flake8's format) or a TOML list."""
    if isinstance(value, (list, tuple)):
        items: List[str] = []
        for item in value:
            items.extend(split_list(item))
        return items
    return [item for item in _LIST_SEPARATOR.split(str(value)) if item]


def parse_bool(value: Value, origin: str, key: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"{origin}: {key}: expected yes or no, got {value!r}")


def _checked(items: Iterable[str], pattern: "re.Pattern[str]", origin: str, key: str,
             what: str) -> List[str]:
    items = list(items)
    for item in items:
        if not pattern.match(item):
            raise ConfigError(f"{origin}: {key}: {item!r} is not {what}")
    return items


def parse_wrappers(items: Iterable[str], origin: str, key: str = "bn-wrappers") -> Dict[str, str]:
    wrappers: Dict[str, str] = {}
    for item in items:
        dotted, colon, flag = item.partition(":")
        if not colon or not _DOTTED.match(dotted) or not _IDENTIFIER.match(flag):
            raise ConfigError(
                f"{origin}: {key}: {item!r} is not of the form dotted.name:flag "
                f"(for example mylib.ops.batch_norm:is_training)")
        wrappers[dotted] = flag
    return wrappers


def check_codes(items: Iterable[str], origin: str, key: str) -> List[str]:
    return _checked(items, _CODE_PREFIX, origin, key,
                    "a code prefix like BNU or BNU001 (flake8's rule: 1-3 capitals, 0-3 digits)")


def merged_codes(values: Mapping[str, Value], key: str, extend_key: str,
                 origins: Mapping[str, str]) -> Optional[tuple]:
    """``select`` plus ``extend-select`` (or ``ignore`` plus ``extend-ignore``), checked: None if empty."""
    codes: List[str] = []
    if key in values:
        codes = check_codes(split_list(values[key]), origins.get(key, "command line"), key)
    if extend_key in values:
        codes += check_codes(split_list(values[extend_key]), origins.get(extend_key, "command line"),
                             extend_key)
    return tuple(codes) or None


def build_settings(values: Mapping[str, Value], origins: Mapping[str, str],
                   default_origin: str = "command line") -> Settings:
    """A Settings from the ``bn-*`` keys of ``values`` (others are ignored)."""
    def origin(key: str) -> str:
        return origins.get(key, default_origin)

    kwargs = {}
    if "bn-training-names" in values:
        kwargs["training_names"] = tuple(_checked(
            split_list(values["bn-training-names"]), _IDENTIFIER, origin("bn-training-names"),
            "bn-training-names", "a Python identifier"))
    if "bn-wrappers" in values:
        kwargs["wrappers"] = parse_wrappers(split_list(values["bn-wrappers"]), origin("bn-wrappers"))
    if "bn-train-op-helpers" in values:
        kwargs["train_op_helpers"] = tuple(_checked(
            split_list(values["bn-train-op-helpers"]), _DOTTED, origin("bn-train-op-helpers"),
            "bn-train-op-helpers", "a dotted name like mylib.train.make_train_op"))
    if "bn-cross-module" in values:
        kwargs["cross_module"] = parse_bool(values["bn-cross-module"], origin("bn-cross-module"),
                                            "bn-cross-module")
    if "max-line-length" in values:
        kwargs["max_line_length"] = parse_length(values["max-line-length"], origin("max-line-length"))
    return Settings(**kwargs)


def parse_length(value: Value, origin: str) -> int:
    text = str(value).strip()
    if not text.isdigit() or int(text) < 20:
        raise ConfigError(f"{origin}: max-line-length: expected a whole number of at least 20, got {value!r}")
    return int(text)


def _stat_key(path: str):
    status = os.stat(path)
    return status.st_ino, status.st_dev


def find_flake8_config(start: str) -> Optional[str]:
    """The file flake8 would use: same candidates, order and stop rules as flake8 7."""
    home = os.path.expanduser("~")
    try:
        home_key = _stat_key(home) if home != "~" else None
    except OSError:
        home_key = None
    path = os.path.abspath(start)
    dir_key = _stat_key(path)
    while True:
        for candidate in FLAKE8_FILES:
            parser = configparser.RawConfigParser()
            candidate_path = os.path.join(path, candidate)
            try:
                parser.read(candidate_path, encoding="UTF-8")
            except (UnicodeDecodeError, configparser.ParsingError):
                continue  # flake8 ignores an unparseable candidate too
            if "flake8" in parser or "flake8:local-plugins" in parser:
                return candidate_path
        parent = os.path.dirname(path)
        parent_key = _stat_key(parent)
        if parent_key == dir_key or parent_key == home_key:
            return None
        path, dir_key = parent, parent_key


def read_flake8_section(path: str) -> Dict[str, Value]:
    """The ``[flake8]`` keys we use, dashes and underscores alike (flake8 accepts both)."""
    parser = configparser.RawConfigParser()
    try:
        if not parser.read(path, encoding="UTF-8"):
            raise ConfigError(f"{path}: cannot read the configuration file")
    except (UnicodeDecodeError, configparser.Error) as exc:
        reason = str(exc).splitlines()[0]
        raise ConfigError(f"{path}: not a valid configuration file: {reason}") from None
    if "flake8" not in parser:
        return {}
    values: Dict[str, Value] = {}
    for raw_key, value in parser["flake8"].items():
        key = raw_key.replace("_", "-")
        if key in KNOWN_KEYS:  # other plugins' keys are theirs to judge, as in flake8
            values[key] = value
        elif key.startswith("bn-"):  # but bn-* is ours: a typo there must not pass in silence
            raise ConfigError(f"{path}: [flake8]: unknown key {raw_key!r} (known: {', '.join(BN_KEYS)})")
    return values


def check_flake8_file(options) -> None:
    """For the flake8 plugin: the unknown ``bn-*`` keys of the file flake8 read are a ConfigError.

    flake8 itself passes over keys no plugin registered, so a misspelt ``bn-wrapers`` would
    silently do nothing."""
    if getattr(options, "isolated", False):
        return
    path = getattr(options, "config", None) or find_flake8_config(os.getcwd())
    if path and os.path.isfile(path):
        read_flake8_section(path)


def find_pyproject(start: str) -> Optional[str]:
    """The nearest ``pyproject.toml`` upwards that has our table."""
    path = os.path.abspath(start)
    while True:
        candidate = os.path.join(path, "pyproject.toml")
        if os.path.isfile(candidate) and _has_our_table(candidate):
            return candidate
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent


def _load_toml(path: str) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _has_our_table(path: str) -> bool:
    try:
        return PYPROJECT_TABLE in _load_toml(path).get("tool", {})
    except ConfigError:
        return True  # report the broken file rather than silently skipping it


def read_pyproject_table(path: str) -> Dict[str, Value]:
    table = _load_toml(path).get("tool", {}).get(PYPROJECT_TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{PYPROJECT_TABLE}] must be a table")
    values: Dict[str, Value] = {}
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if key not in KNOWN_KEYS:
            raise ConfigError(
                f"{path}: [tool.{PYPROJECT_TABLE}]: unknown key {raw_key!r} "
                f"(known: {', '.join(KNOWN_KEYS)})")
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{path}: {key}: expected a list of strings")
        if isinstance(value, (dict, float)) or (isinstance(value, bool) and key != "bn-cross-module"):
            raise ConfigError(f"{path}: {key}: unexpected value {value!r}")
        values[key] = value
    return values


def load_config(explicit: Optional[str] = None, start: Optional[str] = None,
                isolated: bool = False) -> FileConfig:
    """Configuration for the command: an explicit file, or flake8's file plus pyproject's table."""
    config = FileConfig()
    if isolated:
        return config
    if explicit is not None:
        if not os.path.isfile(explicit):
            raise ConfigError(f"{explicit}: the configuration file does not exist")
        if explicit.endswith(".toml"):
            config.merge(read_pyproject_table(explicit), explicit)
        else:
            config.merge(read_flake8_section(explicit), explicit)
        validate(config)
        return config
    start = start or os.getcwd()
    flake8_file = find_flake8_config(start)
    if flake8_file is not None:
        config.merge(read_flake8_section(flake8_file), flake8_file)
    pyproject = find_pyproject(start)
    if pyproject is not None:  # our own table wins over the shared flake8 section
        config.merge(read_pyproject_table(pyproject), pyproject)
    validate(config)
    return config


def validate(config: FileConfig) -> Settings:
    """Check every value now, so a bad key fails before any file is touched."""
    for key in ("select", "ignore", "extend-select", "extend-ignore"):
        if key in config.values:
            check_codes(split_list(config.values[key]), config.origins[key], key)
    return build_settings(config.values, config.origins)


def flake8_option_origin(options, key: str) -> str:
    """Which file gave flake8 this ``bn-*`` value, for an error message that names it."""
    explicit = getattr(options, "config", None)
    try:
        if getattr(options, "isolated", False):
            return "command line"
        path = explicit or find_flake8_config(os.getcwd())
        if path and key in read_flake8_section(path):
            return path
    except (OSError, ConfigError):
        pass
    return "command line or flake8 configuration"


def normalize_patterns(patterns: Sequence[str], base_dir: str) -> List[str]:
    """flake8's rule: a pattern with a slash is a path, relative to where it was written."""
    normalized = []
    for pattern in patterns:
        if pattern == "." or os.sep in pattern or (os.altsep and os.altsep in pattern):
            pattern = os.path.abspath(os.path.join(base_dir, pattern))
        normalized.append(pattern.rstrip(os.sep + (os.altsep or "")))
    return normalized
