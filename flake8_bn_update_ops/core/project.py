"""The project model: which files are the project's modules, and their indexes.

In a labelled sample of public repositories about one batch-norm bug in five crosses modules
(the layers live in ``ops.py``/``model.py``, the train op in ``train.py``), and many training
repositories have no ``__init__.py`` at all, so a folder is a package whether it has one or
not (PEP 420 namespace packages).

Import roots of a file: the folder above its top-most regular package, the file's own folder,
each folder above it up to the project's root (the nearest folder holding ``.git``,
``setup.py``, ``setup.cfg``, ``pyproject.toml`` or ``tox.ini``; scripts are run from there),
and the current working directory. TensorFlow and the other libraries in ``tf_api`` are never
looked up in the project.

Lifetime: one ``Project`` per front-end session (one flake8 run, one batch of the command's
files, one language-server session). Module indexes are cached by the file's content (a
digest), re-validated by ``stat`` at the start of every check (``begin_check``), so an edit to
any module is seen by the next check of any importer. Everything derived from several modules
(the resolver's answers) lives only for one check. Nothing is kept at module level.
"""
from __future__ import annotations

import ast
import hashlib
import os
from typing import Dict, Optional, Tuple

from .. import tf_api
from .index import ModuleIndex, build_index

_ROOT_MARKERS = (".git", "setup.py", "setup.cfg", "pyproject.toml", "tox.ini")
# Never the project's own modules, whatever folders exist.
_EXTERNAL_ROOTS = frozenset(tf_api.TRAIN_OP_ROOTS) | {
    "numpy", "scipy", "functools", "os", "sys", "math", "collections", "typing", "six", "absl"}
_MAX_MODULE_BYTES = 4 * 1024 * 1024


class _Entry:
    __slots__ = ("stat", "digest", "index")

    def __init__(self, stat, digest, index):
        self.stat = stat
        self.digest = digest
        self.index = index


class Project:
    def __init__(self, settings):
        self.settings = settings
        self._entries: Dict[str, _Entry] = {}
        self._checked: Dict[str, object] = {}       # path -> stat seen in this check
        self._found: Dict[tuple, Optional[str]] = {}  # (roots, dotted) -> path (this check)
        self._roots: Dict[str, Tuple[str, ...]] = {}

    # -- the checked file --------------------------------------------------------------------------

    def begin_check(self) -> None:
        """A new check: every file is looked at again (edits between checks are seen)."""
        self._checked.clear()
        self._found.clear()
        self._roots.clear()

    def index_source(self, path: str, source: str, tree: Optional[ast.Module] = None) -> ModuleIndex:
        """The index of the file being checked, from its text (the editor's unsaved buffer
        wins over the disk)."""
        absolute = os.path.abspath(path) if _is_real_path(path) else path
        digest = _digest(source.encode("utf-8", "surrogatepass"))
        entry = self._entries.get(absolute)
        if entry is not None and entry.digest == digest and (tree is None or entry.index.tree is tree):
            index = entry.index
        else:
            if tree is None:
                tree = ast.parse(source)
            index = build_index(tree, absolute, self._module_name(absolute))
            if _is_real_path(path):
                self._entries[absolute] = _Entry(self._stat(absolute), digest, index)
        if _is_real_path(path):
            self._checked[absolute] = "buffer"
        return index

    # -- modules -------------------------------------------------------------------------------

    def load(self, path: str) -> Optional[ModuleIndex]:
        """The index of a project module on disk (None if it cannot be read or parsed)."""
        if path in self._checked:
            entry = self._entries.get(path)
            return entry.index if entry is not None else None
        stat = self._stat(path)
        self._checked[path] = stat
        entry = self._entries.get(path)
        if entry is not None and entry.stat == stat and stat is not None:
            return entry.index
        try:
            with open(path, "rb") as handle:
                data = handle.read(_MAX_MODULE_BYTES + 1)
        except OSError:
            self._entries.pop(path, None)
            return None
        if len(data) > _MAX_MODULE_BYTES:
            return None
        digest = _digest(data)
        if entry is not None and entry.digest == digest:
            entry.stat = stat
            return entry.index
        try:
            tree = ast.parse(data, filename=path)
            index = build_index(tree, path, self._module_name(path))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            self._entries.pop(path, None)
            return None
        self._entries[path] = _Entry(stat, digest, index)
        return index

    def is_project_name(self, dotted: str, index: ModuleIndex) -> bool:
        if not dotted:
            return False
        head = dotted.split(".", 1)[0]
        if head in _EXTERNAL_ROOTS or not self.settings.cross_module or not _is_real_path(index.path):
            return False
        return self._locate(head, self.roots(index.path)) is not None

    def find_module(self, dotted: str, level: int, index: ModuleIndex):
        """A ModuleIndex, a namespace-package folder (str), or None."""
        if not self.settings.cross_module or not _is_real_path(index.path):
            return None
        if level:
            base = os.path.dirname(index.path)
            for _ in range(level - 1):
                base = os.path.dirname(base)
            if not dotted:
                return self._folder_module(base)
            located = self._locate(dotted, (base,))
        else:
            if dotted.split(".", 1)[0] in _EXTERNAL_ROOTS:
                return None
            located = self._locate(dotted, self.roots(index.path))
        return self._open(located)

    def submodule(self, index: ModuleIndex, name: str):
        """``pkg.name`` where ``pkg`` is a package's ``__init__.py``."""
        if os.path.basename(index.path) != "__init__.py":
            return None
        return self.find_in_folder(os.path.dirname(index.path), name)

    def find_in_folder(self, folder: str, name: str):
        return self._open(self._locate(name, (folder,)))

    # -- lookup ---------------------------------------------------------------------------------

    def roots(self, path: str) -> Tuple[str, ...]:
        found = self._roots.get(path)
        if found is not None:
            return found
        folder = os.path.dirname(path)
        top = folder
        while os.path.isfile(os.path.join(top, "__init__.py")):
            parent = os.path.dirname(top)
            if parent == top:
                break
            top = parent
        roots = [top, folder]
        current = folder
        cwd = os.getcwd()
        for _ in range(8):
            if any(os.path.exists(os.path.join(current, marker)) for marker in _ROOT_MARKERS) or current == cwd:
                roots.append(current)
                break
            parent = os.path.dirname(current)
            if parent == current:
                break
            roots.append(current)
            current = parent
        roots.append(cwd)
        unique = []
        for root in roots:
            if root not in unique:
                unique.append(root)
        found = self._roots[path] = tuple(unique)
        return found

    def _locate(self, dotted: str, roots) -> Optional[str]:
        key = (roots, dotted)
        if key in self._found:
            return self._found[key]
        parts = dotted.split(".")
        found = None
        for root in roots:
            base = os.path.join(root, *parts)
            if os.path.isfile(base + ".py"):
                found = base + ".py"
                break
            if os.path.isdir(base):
                init = os.path.join(base, "__init__.py")
                found = init if os.path.isfile(init) else base + os.sep
                break
        self._found[key] = found
        return found

    def _open(self, located: Optional[str]):
        if located is None:
            return None
        if located.endswith(os.sep):
            return located.rstrip(os.sep)       # a namespace package: its folder
        return self.load(located)

    def _folder_module(self, folder: str):
        init = os.path.join(folder, "__init__.py")
        return self.load(init) if os.path.isfile(init) else folder

    def _module_name(self, path: str) -> str:
        return os.path.splitext(os.path.basename(path))[0]

    @staticmethod
    def _stat(path: str):
        try:
            status = os.stat(path)
        except OSError:
            return None
        return (status.st_mtime_ns, status.st_size, status.st_ino)


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _is_real_path(path: str) -> bool:
    return bool(path) and path not in ("-", "<stdin>", "stdin") and not path.startswith("<")
