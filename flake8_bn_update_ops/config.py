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
from dataclasses import dataclass, field, replace
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

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
# flake8's keys the command honours as flake8 does: per-file-ignores (flake8 7 has no
# extend-per-file-ignores: that is ruff's) and disable-noqa.
FLAKE8_KEYS = ("per-file-ignores", "disable-noqa")
KNOWN_KEYS = BN_KEYS + LIST_KEYS + LENGTH_KEYS + FLAKE8_KEYS
# flake8 selects a plugin's codes by default through its entry point name (pyproject.toml:
# [project.entry-points."flake8.extension"] BNU = ...): flake8's ``extended_default_select``.
PLUGIN_PREFIX = "BNU"
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
        if key == "per-file-ignores" and isinstance(value, dict):
            # TOML's natural spelling, {"tests/*" = ["BNU001"]}: the same pairs as flake8's text.
            value = _per_file_table(value, path)
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{path}: {key}: expected a list of strings")
        if isinstance(value, (dict, float)) or (isinstance(value, bool)
                                                and key not in ("bn-cross-module", "disable-noqa")):
            raise ConfigError(f"{path}: {key}: unexpected value {value!r}")
        values[key] = value
    return values


def _per_file_table(table: dict, path: str) -> str:
    lines = []
    for glob, codes in table.items():
        codes = [codes] if isinstance(codes, str) else codes
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            raise ConfigError(f"{path}: per-file-ignores: {glob!r}: expected a list of codes")
        lines.append(f"{glob}: {','.join(codes)}")
    return "\n".join(lines)


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
    if "per-file-ignores" in config.values:
        parse_per_file_ignores(config.values["per-file-ignores"], config.origins["per-file-ignores"])
    if "disable-noqa" in config.values:
        parse_bool(config.values["disable-noqa"], config.origins["disable-noqa"], "disable-noqa")
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


# ---------------------------------------------------------------------------- which codes run

@dataclass(frozen=True)
class CodeChoice:
    """select / extend-select / ignore / extend-ignore, decided per code as flake8 7 decides
    (its ``style_guide.DecisionEngine``), so that the command reports what flake8 reports:

    - ``select`` given replaces the default selection (every installed plugin's prefix, so
      ``BNU``); ``extend-select`` adds to whichever applies. ``select = E,W,F`` therefore
      deselects every BNU code, and ``extend-select = BNU`` brings them back.
    - a code both selected and ignored goes to the explicit side; when both sides are explicit
      (or both implicit) the longer matching prefix wins (``--select BNU001 --ignore BNU``
      keeps BNU001).

    flake8's own default ignore list names only pycodestyle codes; the codes this plugin adds to
    it (``default_ignore``) are implicitly ignored, as flake8 has them."""

    select: Optional[Tuple[str, ...]] = None       # None: not given
    extend_select: Tuple[str, ...] = ()
    ignore: Optional[Tuple[str, ...]] = None
    extend_ignore: Tuple[str, ...] = ()
    # The codes off by default (flake8's ``extended_default_ignore``, which the plugin extends
    # with ``rules.OFF_BY_DEFAULT``): implicitly ignored unless ``ignore`` replaces the defaults.
    default_ignore: Tuple[str, ...] = ()

    def with_ignored(self, codes: Sequence[str]) -> "CodeChoice":
        """This choice for a file that per-file-ignores matches (flake8 extends extend-ignore)."""
        return replace(self, extend_ignore=self.extend_ignore + tuple(codes))

    def chosen(self, code: str) -> bool:
        explicit_select = tuple(self.select or ()) + self.extend_select
        explicit_ignore = tuple(self.ignore or ()) + self.extend_ignore
        if self.select is not None:
            selected = explicit_select
        else:
            selected = (PLUGIN_PREFIX,) + self.extend_select
        ignored = explicit_ignore if self.ignore is not None else self.default_ignore + explicit_ignore
        is_selected = code.startswith(selected)
        is_ignored = code.startswith(ignored)
        if not is_ignored:
            return is_selected
        if not is_selected:
            return False
        selected_explicitly = code.startswith(explicit_select)
        ignored_explicitly = code.startswith(explicit_ignore)
        if selected_explicitly != ignored_explicitly:
            return selected_explicitly
        longest_select = max(len(prefix) for prefix in selected if code.startswith(prefix))
        longest_ignore = max(len(prefix) for prefix in ignored if code.startswith(prefix))
        return longest_select > longest_ignore

    def enabled(self, codes: Iterable[str]) -> Tuple[str, ...]:
        return tuple(code for code in codes if self.chosen(code))


def code_choice(values: Mapping[str, Value], origins: Mapping[str, str]) -> CodeChoice:
    """The CodeChoice of merged configuration and command-line values (each list checked)."""
    def codes(key: str) -> Optional[Tuple[str, ...]]:
        if key not in values:
            return None
        return tuple(check_codes(split_list(values[key]), origins.get(key, "command line"), key))

    from .rules import OFF_BY_DEFAULT

    return CodeChoice(select=codes("select"), extend_select=codes("extend-select") or (),
                      ignore=codes("ignore"), extend_ignore=codes("extend-ignore") or (),
                      default_ignore=OFF_BY_DEFAULT)


# ---------------------------------------------------------------------------- per-file-ignores

_PFI_TOKEN = re.compile(r"(?P<colon>\s*:\s*)|(?P<separator>[\s,]+)|(?P<word>[^\s:,]+)")
_PFI_CODE = re.compile(r"^[A-Z]+[0-9]*$", re.ASCII)


def parse_per_file_ignores(value: Value, origin: str) -> List[Tuple[str, Tuple[str, ...]]]:
    """``per-file-ignores`` read as flake8 reads it: ``globs : codes`` pairs, each list separated
    by commas or whitespace; after the codes, a word that is not a code starts the next pair.
    Returns (glob, codes) in order; a malformed value is a ConfigError."""
    text = "\n".join(value) if isinstance(value, (list, tuple)) else str(value)
    pairs: List[Tuple[str, Tuple[str, ...]]] = []
    globs: List[str] = []
    codes: List[str] = []
    after_colon = False

    def close() -> None:
        pairs.extend((glob, tuple(codes)) for glob in globs if codes)

    def malformed() -> ConfigError:
        return ConfigError(f"{origin}: per-file-ignores: expected pairs of 'file globs: codes', "
                           f"got {' '.join(text.split())!r}")

    for match in _PFI_TOKEN.finditer(text):
        if match.group("separator"):
            continue
        if match.group("colon"):
            if after_colon or not globs:
                raise malformed()
            after_colon = True
            continue
        word = match.group("word")
        if not after_colon:
            globs.append(word)
        elif _PFI_CODE.match(word):
            codes.append(word)
        elif codes:         # a file glob after codes: the next pair begins
            close()
            globs, codes, after_colon = [word], [], False
        else:
            raise malformed()
    if globs and not after_colon:
        raise malformed()
    close()
    return pairs


def per_file_codes(path: str, per_file: Sequence[Tuple[str, Tuple[str, ...]]]) -> Tuple[str, ...]:
    """The codes per-file-ignores adds for ``path``: as in flake8, only the entry with the
    longest matching glob applies (the first of equals), a glob matching the base name or the
    absolute path. Globs with a slash are absolute already (``normalize_per_file_ignores``)."""
    import fnmatch

    best: Optional[Tuple[str, Tuple[str, ...]]] = None
    basename = os.path.basename(path)
    absolute = os.path.abspath(path)
    for glob, codes in per_file:
        if (basename not in {".", ".."} and fnmatch.fnmatch(basename, glob)) or fnmatch.fnmatch(absolute, glob):
            if best is None or len(glob) > len(best[0]):
                best = (glob, codes)
    return best[1] if best is not None else ()


def normalize_per_file_ignores(pairs: Sequence[Tuple[str, Tuple[str, ...]]]) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    """flake8 makes a glob with a slash absolute against the current folder (not the
    configuration file's, unlike ``exclude``): the command does the same."""
    return tuple((normalize_patterns([glob], os.getcwd())[0], codes) for glob, codes in pairs)


# ---------------------------------------------------------------------------- ruff's settings

RUFF_FILES = (".ruff.toml", "ruff.toml", "pyproject.toml")
# ruff keys a ruff user may expect this command to honour, and when they matter to it. They are
# not read: flake8 (where the plugin runs) does not read them either, and the two front ends
# must agree; ruff's globs and exclusion rules also differ from flake8's. The command says so.
RUFF_KEYS_NOT_READ = (
    # (key under [lint] or, in older configurations, at the top level; what makes it matter)
    ("line-length", "always"),
    ("exclude", "always"),
    ("extend-exclude", "always"),
    ("select", "names BNU"),
    ("extend-select", "names BNU"),
    ("ignore", "names BNU"),
    ("extend-ignore", "names BNU"),
    ("per-file-ignores", "names BNU"),
    ("extend-per-file-ignores", "names BNU"),
)
_TOP_LEVEL_ONLY = ("line-length", "exclude", "extend-exclude")


def find_ruff_config(start: str) -> "tuple[Optional[str], dict]":
    """The file ruff would use from ``start`` (its nearest configuration upwards) and its ruff
    table (``[tool.ruff]`` in a pyproject, the whole file otherwise)."""
    path = os.path.abspath(start)
    while True:
        for name in RUFF_FILES:
            candidate = os.path.join(path, name)
            if not os.path.isfile(candidate):
                continue
            try:
                data = _load_toml(candidate)
            except ConfigError:
                continue    # ruff's own file: ruff reports its errors
            if name != "pyproject.toml":
                return candidate, data
            table = data.get("tool", {}).get("ruff")
            if isinstance(table, dict):
                return candidate, table
        parent = os.path.dirname(path)
        if parent == path:
            return None, {}
        path = parent


def _mentions_plugin(value) -> bool:
    if isinstance(value, dict):
        return any(_mentions_plugin(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_mentions_plugin(item) for item in value)
    return isinstance(value, str) and value.upper().startswith(PLUGIN_PREFIX)


def ruff_keys_not_read(table: dict) -> List[str]:
    """The keys of a ruff table that would change this command's work if it read them."""
    lint = table.get("lint") if isinstance(table.get("lint"), dict) else {}
    found = []
    for key, when in RUFF_KEYS_NOT_READ:
        places = [(key, table.get(key))] if key in _TOP_LEVEL_ONLY else [
            (f"lint.{key}", lint.get(key)), (key, table.get(key))]
        for name, value in places:
            if value is not None and (when == "always" or _mentions_plugin(value)):
                found.append(name)
    return found
