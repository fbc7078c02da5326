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
from typing import Dict, List, Optional, Tuple

import pathspec

_Spec = Tuple[str, "pathspec.GitIgnoreSpec"]   # (the folder its patterns are relative to, the patterns)


def _read_spec(path: str) -> Optional["pathspec.GitIgnoreSpec"]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines) if any(line.strip() for line in lines) else None


def _repository_root(folder: str) -> Optional[str]:
    path = os.path.abspath(folder)
    while True:
        if os.path.exists(os.path.join(path, ".git")):
            return path
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent


def _verdict(spec: "pathspec.GitIgnoreSpec", relative: str) -> Optional[bool]:
    """True: ignored; False: re-included by a ``!`` pattern; None: no pattern matches."""
    check = getattr(spec, "check_file", None)
    if check is not None:
        return check(relative).include
    return True if spec.match_file(relative) else None   # pathspec < 0.12: no re-inclusion


class GitIgnore:
    """The ignore rules seen from one walk; folders are added as the walk enters them."""

    def __init__(self, start: str):
        start = os.path.abspath(start)
        self._specs: Dict[str, Optional["pathspec.GitIgnoreSpec"]] = {}
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

    def _spec_of(self, folder: str) -> Optional["pathspec.GitIgnoreSpec"]:
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
            verdict = _verdict(spec, relative + ("/" if is_dir else ""))
            if verdict is not None:
                return verdict
        return False

    @staticmethod
    def _ignores_the_root(base: str, spec: "pathspec.GitIgnoreSpec", walk_root: str) -> bool:
        """A folder named on the command line is checked even where a ``.gitignore`` above it
        ignores it (``benchmarks/.corpus/`` named explicitly), as ripgrep and ruff do for the
        paths they are given: only the rules inside it decide what in it is skipped."""
        folder = walk_root
        while folder.startswith(base) and folder != base:
            relative = os.path.relpath(folder, base).replace(os.sep, "/") + "/"
            if _verdict(spec, relative):
                return True
            folder = os.path.dirname(folder)
        return False
