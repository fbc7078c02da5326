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
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

from .. import tf_api, torch_api
from .index import ModuleIndex, build_index
from .kinds import INSTALLED_PACKAGE_FOLDERS, ROOT_MARKERS, ProjectFile

_ROOT_MARKERS = tuple(marker.value for marker in ROOT_MARKERS)
_INSTALLED = frozenset(folder.value for folder in INSTALLED_PACKAGE_FOLDERS)
_PACKAGE_INIT = ProjectFile.PACKAGE_INIT.value
# Never the project's own modules, whatever folders exist.
_EXTERNAL_ROOTS = tf_api.NEVER_PROJECT_ROOTS
# In ``_checked``: the file being checked is the front end's text, not what a stat saw.
_BUFFER = object()
_MAX_MODULE_BYTES = 4 * 1024 * 1024
# Module indexes kept between checks. The files of one folder import the same few modules,
# so a small cache serves them. Every kept tree is walked by each full garbage collection of
# the host process, and a check allocates enough to trigger a few: on benchmark corpus A the
# analysis took 4.8 s of CPU with 48 modules kept, 3.4 s with 16 and 3.1 s with 8, for the
# same findings. The bound is in bytes too, and checked when a check ends: flake8 checks hundreds
# of files between two analyses, and each of their full collections walked the kept trees. flake8
# -j1 over benchmark B (tf_keras, modules of up to 300 KB): full collections took 0.27 s without
# the plugin, 0.7-0.8 s with 8 kept modules of any size, 0.46-0.49 s within 128 KB and 0.37 s
# within 32 KB, as with none; over corpus A (modules of 11 KB) 1.2 s within 128 KB and 0.92 s
# within 32 KB, with the same analysis CPU in every case.
_KEPT_MODULES = 8
_KEPT_BYTES = 32 * 1024


class _Entry:
    __slots__ = ("stat", "digest", "index")

    def __init__(self, stat, digest, index):
        self.stat = stat
        self.digest = digest
        self.index = index


class Project:
    def __init__(self, settings):
        self.settings = settings
        self._entries: "OrderedDict[str, _Entry]" = OrderedDict()
        self._checked: Dict[str, object] = {}       # path -> stat seen in this check
        self._found: Dict[tuple, Optional[str]] = {}  # (roots, dotted) -> path (this check)
        self._roots: Dict[str, Tuple[str, ...]] = {}
        self._replaced: list = []      # indexes superseded during a check, let go after it
        self._current = None           # (path, index, digest of its text) of the file being checked
        self._relevance: Dict[tuple, bool] = {}   # (path, stat, depth) -> may matter

    # -- the checked file --------------------------------------------------------------------------

    def begin_check(self) -> None:
        """A new check: every file is looked at again (edits between checks are seen), and the
        modules beyond the cache's bound are let go (between checks, never during one)."""
        self._checked.clear()
        self._found.clear()
        self._roots.clear()
        for index in self._replaced:
            index.dispose()
        self._replaced.clear()
        self._trim()

    def _trim(self) -> None:
        """Let go of the oldest kept modules beyond the bounds (between checks, never during one:
        answers of the check in progress hold their indexes)."""
        while len(self._entries) > _KEPT_MODULES or (self._entries and self._kept_bytes() > _KEPT_BYTES):
            _, entry = self._entries.popitem(last=False)
            entry.index.dispose()

    def _kept_bytes(self) -> int:
        return sum(entry.stat[1] for entry in self._entries.values() if entry.stat is not None)

    def end_check(self, index: ModuleIndex) -> None:
        """The checked file's index is kept for the importers checked after it when the file on
        disk holds exactly the checked text (they would parse it again: 42 of corpus A's 322
        modules were), else let go at once."""
        current, self._current = self._current, None
        if current is not None and current[1] is index and current[0] not in self._entries:
            path, _, digest = current
            stat = self._stat(path)
            try:
                with open(path, "rb") as handle:
                    same = stat is not None and stat[1] <= _MAX_MODULE_BYTES and _digest(handle.read()) == digest
            except OSError:
                same = False
            if same:
                self._keep(path, _Entry(stat, digest, index))
                self._trim()
                return
        if all(entry.index is not index for entry in self._entries.values()):
            index.dispose()
        # Trimmed now, not at the next check's start: the files flake8 checks in between (most
        # of a library's) would have their full garbage collections walk the kept trees.
        self._trim()

    def index_source(self, path: str, source: str, tree: Optional[ast.Module] = None) -> ModuleIndex:
        """The index of the file being checked, from its text (the editor's unsaved buffer
        wins over the disk). ``end_check`` keeps it among the bounded modules when the disk holds
        the same text. (Keeping every checked file once cost more in garbage collection of the
        kept trees than it saved in parses; within the bound of 8 kept modules the difference
        was below the noise of a shared machine, and corpus A parses 31 modules fewer.)"""
        absolute = os.path.abspath(path) if _is_real_path(path) else path
        entry = self._entries.get(absolute) if _is_real_path(path) else None
        digest = _digest(source.encode("utf-8", "surrogatepass"))
        if entry is not None and entry.digest == digest:
            index = entry.index     # imported earlier with the same text: the same module
        else:
            if tree is None:
                tree = ast.parse(source)
            index = build_index(tree, absolute, self._module_name(absolute))
            if entry is not None:
                self._entries.pop(absolute)
                self._replaced.append(entry.index)
        if _is_real_path(path):
            self._checked[absolute] = _BUFFER
            self._current = (absolute, index, digest)
        return index

    def known_tree(self, path: str, source: str) -> Optional[ast.Module]:
        """The tree of ``path`` when a kept module has exactly this text (imported by a file
        checked earlier): the front end need not parse it again."""
        if not _is_real_path(path):
            return None
        entry = self._entries.get(os.path.abspath(path))
        if entry is None or entry.digest != _digest(source.encode("utf-8", "surrogatepass")):
            return None
        return entry.index.tree

    # -- modules -------------------------------------------------------------------------------

    def load(self, path: str) -> Optional[ModuleIndex]:
        """The index of a project module on disk (None if it cannot be read or parsed)."""
        if self._current is not None and self._current[0] == path:
            return self._current[1]     # the checked file itself (an import cycle)
        if path in self._checked:
            entry = self._entries.get(path)
            if entry is not None:
                self._entries.move_to_end(path)
            return entry.index if entry is not None else None
        stat = self._stat(path)
        self._checked[path] = stat
        entry = self._entries.get(path)
        if entry is not None and entry.stat == stat and stat is not None:
            self._entries.move_to_end(path)
            return entry.index
        try:
            with open(path, "rb") as handle:
                data = handle.read(_MAX_MODULE_BYTES + 1)
        except OSError:
            self._entries.pop(path, None)
            return None
        if len(data) > _MAX_MODULE_BYTES or not self._may_matter(path, data, _RELEVANCE_DEPTH, set()):
            return None
        digest = _digest(data)
        if entry is not None and entry.digest == digest:
            entry.stat = stat
            self._entries.move_to_end(path)
            return entry.index
        try:
            tree = ast.parse(data, filename=path)
            index = build_index(tree, path, self._module_name(path))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            self._entries.pop(path, None)
            return None
        self._keep(path, _Entry(stat, digest, index))
        return index

    def _keep(self, path: str, entry: _Entry) -> None:
        previous = self._entries.get(path)
        self._entries[path] = entry
        self._entries.move_to_end(path)
        if previous is not None and previous.index is not entry.index:
            self._replaced.append(previous.index)

    def _may_matter(self, path: str, data: bytes, depth: int, visiting: set) -> bool:
        """Whether an imported module can answer any question a rule asks: it names a batch-norm
        API, a train op, a collection, Keras or slim's arg_scope, it is a package's ``__init__``
        (which re-exports), or it imports (within a few links) a project module that does. Other
        modules stay unread (their names are unknown, which never makes a finding), so a
        project's utilities cost nothing (measured: reading every imported module was a third
        of the plugin's time on a large generated project)."""
        if _mentions(path, data):
            return True
        if depth <= 0 or path in visiting:
            return False
        key = (path, self._stat(path), depth)
        if key in self._relevance:
            return self._relevance[key]
        visiting.add(path)
        roots = self.roots(path)
        answer = False
        for dots, from_module, names, plain in _IMPORTS.findall(data):
            candidates = [(from_module or plain).decode("ascii", "replace")]
            if not plain:    # ``from pkg import sub``: ``sub`` may be a module of its own
                base = from_module.decode("ascii", "replace")
                candidates += [f"{base}.{name}" if base else name
                               for name in re.findall(r"\b(\w+)\b(?:\s+as\s+\w+)?",
                                                      names.decode("ascii", "replace").strip("()"))
                               if name != "as"]
            for candidate in candidates:
                if not candidate and not dots:
                    continue
                if dots:
                    base = os.path.dirname(path)
                    for _ in range(len(dots) - 1):
                        base = os.path.dirname(base)
                    located = self._locate(candidate, (base,)) if candidate else None
                else:
                    if candidate.split(".", 1)[0] in _EXTERNAL_ROOTS:
                        continue
                    located = self._locate(candidate, roots)
                if located is None or located.endswith(os.sep) or located == path:
                    continue
                try:
                    with open(located, "rb") as handle:
                        text = handle.read(_MAX_MODULE_BYTES)
                except OSError:
                    continue
                if self._may_matter(located, text, depth - 1, visiting):
                    answer = True
                    break
            if answer:
                break
        visiting.discard(path)
        self._relevance[key] = answer
        return answer

    def importers_of(self, index: ModuleIndex, word: bytes, limit: int = 200, wanted=None):
        """Modules of the project near ``index`` whose text names it and ``word``: where a network
        module's callers live. Searched closest first: the module's folder and the one above (its
        neighbours, which may name it by its file name alone), then each folder above it up to the
        project's root, then the working folder. A file of those farther folders counts only if
        it names the module by the dotted path that imports it from there (``nets.network``,
        ``from nets import network``): the working folder is an import root of every file, and
        its loose files (hundreds of unrelated scripts in a temporary folder) must not change a
        finding, nor crowd out a real importer. At most ``limit`` importers are loaded, and at
        most ``_IMPORTER_READS`` files read, in that order, so the answer depends only on the
        folders' contents.
        ``wanted(path, text)``: a further test of an importer's bytes before it is parsed."""
        if not _is_real_path(index.path) or not self.settings.cross_module:
            return []
        found = []
        read = 0
        checked = os.path.abspath(index.path)
        # Every test below needs the module's name in the text: a plain search for it first skips
        # most files at a fraction of the patterns' cost (a lookbehind disables the regex engine's
        # own literal search).
        name = os.path.splitext(os.path.basename(index.path))[0].encode()
        for folder, names_it in self._importer_folders(index.path):
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue
            for entry in names:
                path = os.path.join(folder, entry)
                if not entry.endswith(".py") or os.path.abspath(path) == checked:
                    continue
                read += 1
                if read > _IMPORTER_READS:
                    return found
                try:
                    with open(path, "rb") as handle:
                        data = handle.read(_MAX_MODULE_BYTES)
                except OSError:
                    continue
                if word in data and name in data and names_it(data) and (wanted is None or wanted(path, data)):
                    loaded = self.load(path)
                    if loaded is not None:
                        found.append(loaded)
                        if len(found) >= limit:
                            return found
        return found

    def _importer_folders(self, path: str):
        """(folder, test of a file's bytes) for each folder ``importers_of`` searches, in order.
        Folders keep the form of ``path`` (relative or absolute), as the modules loaded from them
        are named by the checked file's roots."""
        folder = os.path.dirname(path) or os.getcwd()
        parent = os.path.normpath(os.path.join(folder, os.pardir))
        cwd = os.getcwd()
        name = os.path.splitext(os.path.basename(path))[0]
        # The module's name as a whole word (``import ops``, ``nets.ops``, ``"nets.ops"``): a bare
        # substring test also loaded every file that says ``model_fn`` as an importer of ``model``.
        by_name = re.compile(rb"(?<!\w)" + re.escape(name.encode()) + rb"(?!\w)").search
        order = [(folder, by_name)]
        done = {os.path.abspath(folder)}
        # The folder above is a neighbour unless the module's folder is a project's root (the
        # parent is then outside the project) or the parent is a working folder with no root
        # marker (a scratch folder such as /tmp, whose loose files count only as the farther
        # folders' do; a repository's root, checked from there, stays a neighbour).
        farther = list(self.roots(path))
        if os.path.abspath(parent) not in done and not _has_root_marker(folder) and \
                (os.path.abspath(parent) != cwd or _has_root_marker(parent)):
            order.append((parent, by_name))
            done.add(os.path.abspath(parent))
        else:
            farther.append(parent)
        # Closest first (the deepest folder), the working folder last whatever its depth.
        ranked = sorted(farther, key=lambda root: (os.path.abspath(root) == cwd, -len(os.path.abspath(root))))
        for root in ranked:
            absolute = os.path.abspath(root)
            if absolute in done:
                continue
            done.add(absolute)
            test = _imports_by_path(os.path.abspath(path), absolute)
            if test is not None:
                order.append((root, test))
        return order

    def text_may_import_project(self, path: str, data: bytes) -> bool:
        """Whether a module's text may import another module of the project, read without
        parsing and erring towards yes: a relative or dynamic import, a package's ``__init__``
        (its submodules are its attributes), any first name after ``import`` or ``from`` that the
        module's import roots hold, an import line continued with a backslash, or a module that
        may add folders to ``sys.path`` before an import of a name the roots do not hold."""
        if os.path.basename(path) == _PACKAGE_INIT or any(word in data for word in _IMPORTS_BY_NAME):
            return True
        roots = self.roots(path)
        unlocated = False
        for match in _IMPORT_HEADS.finditer(data):
            dots, head, names = match.group(1, 2, 3)
            if dots or (names is not None and names.rstrip().endswith(b"\\")):
                return True
            if names is None:
                candidates = [head]
            else:       # ``import a.b as c, d``: every name's first part
                candidates = [part.split()[0] for part in names.split(b",") if part.split()]
            for candidate in candidates:
                first = candidate.split(b".", 1)[0].decode("ascii", "replace")
                if not first.isidentifier() or first in _EXTERNAL_ROOTS:
                    continue
                if self._own(self._locate(first, roots), path) is not None:
                    return True
                unlocated = True
        return unlocated and _SYS_PATH_CHANGE.search(data) is not None

    @staticmethod
    def is_external(dotted: str) -> bool:
        """A library that is never one of the project's modules, whatever folders exist."""
        return dotted.split(".", 1)[0] in _EXTERNAL_ROOTS

    def is_project_name(self, dotted: str, index: ModuleIndex, added=None) -> bool:
        """``added``: the folders the module put on ``sys.path`` before the import, as
        ``Resolver.added_import_roots`` gives them (before, after the usual roots)."""
        if not dotted:
            return False
        head = dotted.split(".", 1)[0]
        if head in _EXTERNAL_ROOTS or not self.settings.cross_module or not _is_real_path(index.path):
            return False
        return self._own(self._locate(head, self._import_roots(index, added)), index.path) is not None

    def find_module(self, dotted: str, level: int, index: ModuleIndex, added=None):
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
            located = self._own(self._locate(dotted, self._import_roots(index, added)), index.path)
        return self._open(located)

    def submodule(self, index: ModuleIndex, name: str):
        """``pkg.name`` where ``pkg`` is a package's ``__init__.py``."""
        if os.path.basename(index.path) != _PACKAGE_INIT:
            return None
        return self.find_in_folder(os.path.dirname(index.path), name)

    def modules_under(self, dotted: str, index: ModuleIndex, added=None) -> List[object]:
        """Every module directly in the project package ``dotted`` (the candidates of a dynamic
        import that shows only the package), in name order."""
        if not self.is_project_name(dotted, index, added):
            return []
        located = self._locate(dotted, self._import_roots(index, added))
        if located is None:
            return []
        folder = os.path.dirname(located) if located.endswith(_PACKAGE_INIT) else located.rstrip(os.sep)
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return []
        found = []
        for name in names:
            stem, ext = os.path.splitext(name)
            if ext == ".py" and stem != "__init__" and stem.isidentifier():
                module = self.find_in_folder(folder, stem)
                if module is not None:
                    found.append(module)
        return found

    def find_in_folder(self, folder: str, name: str):
        return self._open(self._locate(name, (folder,)))

    # -- lookup ---------------------------------------------------------------------------------

    def roots(self, path: str) -> Tuple[str, ...]:
        found = self._roots.get(path)
        if found is not None:
            return found
        folder = os.path.dirname(path)
        top = folder
        while os.path.isfile(os.path.join(top, _PACKAGE_INIT)):
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

    def _import_roots(self, index: ModuleIndex, added) -> Tuple[str, ...]:
        """The roots an import of ``index`` searches: its usual roots, with the folders its
        ``sys.path`` calls added before it (``added``: (first, last) or None)."""
        roots = self.roots(index.path)
        if not added:
            return roots
        first, last = added
        return first + roots + last

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
                init = os.path.join(base, _PACKAGE_INIT)
                found = init if os.path.isfile(init) else base + os.sep
                break
        self._found[key] = found
        return found

    @staticmethod
    def _own(located: Optional[str], path: str) -> Optional[str]:
        """``located``, unless it is another distribution installed beside the importing file's
        (both in a ``site-packages`` folder, under different top-level packages): a library the
        file imports, never one of its project's modules. A package checked where it is
        installed (benchmark B, tf_keras) has that folder among its import roots, which made
        every library installed there a module of its project."""
        if located is None:
            return None
        parts = located.split(os.sep)
        for position in range(len(parts) - 2, -1, -1):
            if parts[position] in _INSTALLED:
                own = path.split(os.sep)
                if own[:position + 2] != parts[:position + 2]:
                    return None
                break
        return located

    def _open(self, located: Optional[str]):
        if located is None:
            return None
        if located.endswith(os.sep):
            return located.rstrip(os.sep)       # a namespace package: its folder
        return self.load(located)

    def _folder_module(self, folder: str):
        init = os.path.join(folder, _PACKAGE_INIT)
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


_MATTER_WORDS = tuple(word.encode() for word in sorted(
    tf_api.TRIGGER_WORDS | tf_api.BUILDER_WORDS | torch_api.TRIGGER_WORDS
    | tf_api.MODULE_RELEVANCE_WORDS | {"import *"}))


def _mentions(path: str, data: bytes) -> bool:
    if os.path.basename(path) == _PACKAGE_INIT:
        return True
    return any(word in data for word in _MATTER_WORDS)


_IMPORTS = re.compile(rb"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^#\n]*)"
                      rb"|import[ \t]+([\w.]+))", re.MULTILINE)
# Every import statement's first name (``from`` clause) or its list of names (``import``), with
# the dots of a relative import; words after ``import`` in prose only add candidates.
_IMPORT_HEADS = re.compile(rb"\bfrom[ \t]+(\.*)([\w.]*)[ \t]+import\b|\bimport[ \t]+([^\n;#()]*)")
# ``importlib.import_module`` and ``__import__``: a module named by a string.
_IMPORTS_BY_NAME = tuple(name.rsplit(".", 1)[-1].encode() for name in tf_api.DYNAMIC_IMPORTS)
# A module that may change ``sys.path`` (``sys.path.insert``, ``from sys import path``, ``import sys as s``).
_SYS_PATH_CHANGE = re.compile(rb"sys\.path|\bfrom[ \t]+sys[ \t]+import\b|\bimport[ \t]+sys[ \t]+as\b")
_RELEVANCE_DEPTH = 3   # ops.py <- model.py <- nets/__init__.py <- train.py: deeper chains are rare


# Files read by one search of a module's importers, closest folders first: a bound for a
# working folder of thousands of loose scripts, far above the few hundred files of the folders
# around a module of the projects measured.
_IMPORTER_READS = 2000


def _has_root_marker(folder: str) -> bool:
    return any(os.path.exists(os.path.join(folder, marker)) for marker in _ROOT_MARKERS)


def _imports_by_path(path: str, root: str):
    """A test of a file in ``root`` (a folder above the module at ``path``): whether it names
    the module by the dotted path that imports it from there, or None when no such path exists
    (``root`` is not above the module, or a folder between is no identifier)."""
    relative = os.path.relpath(os.path.splitext(path)[0], root)
    parts = relative.split(os.sep)
    if relative.startswith(os.pardir) or not all(part.isidentifier() for part in parts):
        return None
    words = [re.escape(part.encode()) for part in parts]
    # ``nets.network`` anywhere (an import, a dotted use, a string for importlib), leading dots of
    # a relative import allowed; or ``from nets import (..., network, ...)``.
    pattern = rb"(?<![\w.])\.*" + rb"\.".join(words) + rb"(?!\w)"
    if len(words) > 1:
        pattern += (rb"|\bfrom[ \t]+\.*" + rb"\.".join(words[:-1]) + rb"[ \t]+import[ \t]+"
                    rb"(?:\([^)]*?|[^\n#]*?)(?<!\w)" + words[-1] + rb"(?!\w)")
    return re.compile(pattern).search


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _is_real_path(path: str) -> bool:
    return bool(path) and path not in ("-", "<stdin>", "stdin") and not path.startswith("<")
