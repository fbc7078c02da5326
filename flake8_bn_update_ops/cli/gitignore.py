"""``.gitignore`` for folder walks, as black and ruff read it.

A folder walk skips what git ignores: the ``.gitignore`` of every folder walked, those of the
folders above the walked one up to the repository root (the folder holding ``.git``), and
``.git/info/exclude``. As in git, a deeper file's last matching pattern wins (``!pattern``
re-includes), and nothing under an ignored folder is looked at. Files and folders named on the
command line are never filtered by rules that ignore them: the command checks what it is told
to check (inside a named folder, its own rules and those above still skip what they match).
"""
from __future__ import annotations

import os
import re
from typing import Dict, List, Optional, Pattern, Tuple


class Patterns:
    """The patterns of one ignore file, matched as git matches them (``gitignore(5)``).

    Written here rather than taken from a library so that the run-time dependencies stay
    flake8 and libcst; ``tests/test_gitignore.py`` holds it to ``git check-ignore`` itself.
    """

    def __init__(self, rules: List[Tuple[Pattern[str], bool, bool]]):
        self._rules = rules     # (regex over the relative path, negated, directories only)

    @classmethod
    def from_lines(cls, lines) -> "Patterns":
        rules = []
        for line in lines:
            rule = _compile(line)
            if rule is not None:
                rules.append(rule)
        return cls(rules)

    def __bool__(self) -> bool:
        return bool(self._rules)

    def verdict(self, relative: str, is_dir: bool) -> Optional[bool]:
        """True: ignored; False: re-included by a ``!`` pattern; None: no pattern matches.
        The last matching pattern decides, as in git."""
        for regex, negated, dir_only in reversed(self._rules):
            if dir_only and not is_dir:
                continue
            if regex.match(relative):
                return not negated
        return None


def _strip_trailing_spaces(line: str) -> str:
    """Trailing spaces go, unless the last one is escaped with a backslash."""
    end = len(line)
    while end and line[end - 1] == " ":
        backslashes, at = 0, end - 2
        while at >= 0 and line[at] == "\\":
            backslashes, at = backslashes + 1, at - 1
        if backslashes % 2:
            break
        end -= 1
    return line[:end]


def _compile(line: str) -> Optional[Tuple[Pattern[str], bool, bool]]:
    line = _strip_trailing_spaces(line.rstrip("\r\n"))
    if not line or line.startswith("#"):
        return None
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    dir_only = line.endswith("/") and not line.endswith("\\/")
    if dir_only:
        line = line[:-1]
    if not line:
        return None
    # A slash at the start or in the middle anchors the pattern to the ignore file's folder;
    # otherwise it matches a name at any depth below it.
    anchored = "/" in line
    if line.startswith("/"):
        line = line[1:]
    body = _translate(line)
    prefix = "" if anchored or line.startswith("**/") else "(?:.*/)?"
    try:
        return re.compile(prefix + body + r"\Z", re.DOTALL), negated, dir_only
    except re.error:
        return None     # git ignores a pattern it cannot read (an unclosed ``[``), so do we


def _translate(pattern: str) -> str:
    out, at, size = [], 0, len(pattern)
    while at < size:
        char = pattern[at]
        if char == "*":
            stars = at
            while at < size and pattern[at] == "*":
                at += 1
            whole_segment = (stars == 0 or pattern[stars - 1] == "/") and (at == size or pattern[at] == "/")
            if at - stars >= 2 and whole_segment:
                if at == size:          # ``dir/**``: everything inside
                    out.append(".*")
                else:                   # ``**/`` and ``a/**/b``: zero or more folders
                    out.append("(?:.*/)?")
                    at += 1
            else:
                out.append("[^/]*")
            continue
        if char == "?":
            out.append("[^/]")
        elif char == "[":
            end = at + 1
            if end < size and pattern[end] in "!^":
                end += 1
            if end < size and pattern[end] == "]":
                end += 1
            while end < size and pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            if end >= size:
                out.append(re.escape(char))     # no closing bracket: a literal ``[``
            else:
                out.append(_bracket(pattern[at + 1:end]))
                at = end
        elif char == "\\" and at + 1 < size:
            at += 1
            out.append(re.escape(pattern[at]))
        else:
            out.append(re.escape(char))
        at += 1
    return "".join(out)


def _bracket(inner: str) -> str:
    """A ``[...]`` class: ``!`` or ``^`` first negates; a backslash escapes the next character;
    ranges stay ranges; a class never matches the folder separator."""
    negate = inner[:1] in ("!", "^")
    if negate:
        inner = inner[1:]
    members, at = [], 0
    while at < len(inner):
        char = inner[at]
        if char == "\\" and at + 1 < len(inner):
            at += 1
            members.append(re.escape(inner[at]))
        elif char == "-" and members and at + 1 < len(inner):
            members.append("-")
        else:
            members.append(re.escape(char))
        at += 1
    return "[" + ("^/" if negate else "") + "".join(members) + "]"


_Spec = Tuple[str, Patterns]   # (the folder its patterns are relative to, the patterns)


def _read_spec(path: str) -> Optional[Patterns]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    return Patterns.from_lines(lines) or None


def _repository_root(folder: str) -> Optional[str]:
    path = os.path.abspath(folder)
    while True:
        if os.path.exists(os.path.join(path, ".git")):
            return path
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent


class GitIgnore:
    """The ignore rules seen from one walk; folders are added as the walk enters them."""

    def __init__(self, start: str):
        start = os.path.abspath(start)
        self._specs: Dict[str, Optional[Patterns]] = {}
        self._inherited: List[_Spec] = []
        root = _repository_root(start)
        if root is not None:
            exclude = _read_spec(os.path.join(root, ".git", "info", "exclude"))
            if exclude is not None:
                self._inherited.append((root, exclude))
            folder, above = os.path.dirname(start), []
            while root != start and folder.startswith(root):
                above.append(folder)
                if folder == root:
                    break
                folder = os.path.dirname(folder)
            for folder in reversed(above):
                spec = _read_spec(os.path.join(folder, ".gitignore"))
                if spec is not None:
                    self._inherited.append((folder, spec))

    def _spec_of(self, folder: str) -> Optional[Patterns]:
        if folder not in self._specs:
            self._specs[folder] = _read_spec(os.path.join(folder, ".gitignore"))
        return self._specs[folder]

    def ignored(self, path: str, walk_root: str, is_dir: bool) -> bool:
        """Whether git ignores ``path``, found by walking ``walk_root``."""
        path, walk_root = os.path.abspath(path), os.path.abspath(walk_root)
        chain: List[_Spec] = list(self._inherited)
        folder = os.path.dirname(path)
        walked = []
        while True:
            walked.append(folder)
            if folder == walk_root or os.path.dirname(folder) == folder:
                break
            folder = os.path.dirname(folder)
        for folder in reversed(walked):
            spec = self._spec_of(folder)
            if spec is not None:
                chain.append((folder, spec))
        inherited = len(self._inherited)
        for position in range(len(chain) - 1, -1, -1):   # the deepest file that has an opinion decides
            base, spec = chain[position]
            if position < inherited and self._ignores_the_root(base, spec, walk_root):
                continue    # the folder named on the command line is inside what it ignores
            relative = os.path.relpath(path, base).replace(os.sep, "/")
            verdict = spec.verdict(relative, is_dir)
            if verdict is not None:
                return verdict
        return False

    @staticmethod
    def _ignores_the_root(base: str, spec: Patterns, walk_root: str) -> bool:
        """A folder named on the command line is checked even where a ``.gitignore`` above it
        ignores it (``benchmarks/.corpus/`` named explicitly), as ripgrep and ruff do for the
        paths they are given: only the rules inside it decide what in it is skipped."""
        folder = walk_root
        while folder.startswith(base) and folder != base:
            relative = os.path.relpath(folder, base).replace(os.sep, "/")
            if spec.verdict(relative, True):
                return True
            folder = os.path.dirname(folder)
        return False
