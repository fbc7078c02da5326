"""Project-aware analysis: batch norm built in one module, trained in another.

In a labelled sample of public repositories about one case in five crossed modules: the
layers live in ``ops.py``/``model.py`` and the train op in ``train.py``. For each name a module
imports from the same project, we need to know whether it builds batch norm, where its updates
go, and how it takes the training flag. A module's answer is a small ``ModuleSummary``,
computed once per file content and shared by every module that imports it (cycles resolve to
"unknown" while a summary is being computed).

What is followed: ``import pkg.mod [as m]``, ``from pkg.mod import name``, relative imports,
``from mod import *``, re-exports through ``__init__.py``, module-level aliases
(``batch_norm = tf.contrib.layers.batch_norm``) and functions/classes whose bodies build batch
norm (directly or by calling other such builders). Not followed: names assigned at run time
(``getattr``, dicts of builders), imports inside functions of the imported module, and
anything outside the import roots (third-party packages stay unknown).

Import roots: the folder above the top-most package that holds the file, the file's own
folder, and the current working directory. Summaries are cached by (path, size, mtime), never
by path alone: an editor's long-lived flake8 server sees files change between runs.
"""
from __future__ import annotations

import ast
import os
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

from . import tf_api
from .findings import UnparsableSource
from .precheck import tree_uses_words


@dataclass(frozen=True)
class Export:
    """What one name of a project module does, as far as batch norm is concerned."""

    name: str
    module_path: str
    collections: FrozenSet[str] = frozenset()   # where its batch-norm updates go (empty: in place)
    builds_update_ops: bool = False
    keras: bool = False                         # builds Keras batch norm (a model or a layer)
    keras2: bool = True
    flag_param: Optional[str] = None            # the wrapper parameter that becomes the flag
    flag_position: Optional[int] = None
    flag_default: Optional[bool] = None         # its literal default, if any
    display: str = ""

    @property
    def key(self) -> str:
        return f"{self.module_path}:{self.name}"


@dataclass
class ModuleSummary:
    path: str
    exports: Dict[str, Export] = field(default_factory=dict)
    aliases: Dict[str, str] = field(default_factory=dict)       # name -> canonical TF API
    reexports: Dict[str, object] = field(default_factory=dict)  # name -> resolve.Value
    star_modules: List[str] = field(default_factory=list)


_SUMMARIES: Dict[Tuple[str, int, int, object], ModuleSummary] = {}
_IN_PROGRESS: Set[str] = set()
_MODULE_FILES: Dict[Tuple[Tuple[str, ...], str], Optional[str]] = {}


def external_index(filename, settings) -> Optional["ProjectIndex"]:
    if not settings.cross_module or not filename or filename in ("-", "<stdin>", "stdin"):
        return None
    path = os.path.abspath(filename)
    return ProjectIndex(path, settings)


def import_roots(path: str) -> Tuple[str, ...]:
    folder = os.path.dirname(path)
    top = folder
    while os.path.isfile(os.path.join(top, "__init__.py")):
        parent = os.path.dirname(top)
        if parent == top:
            break
        top = parent
    roots = []
    for root in (top, folder, os.getcwd()):
        if root not in roots:
            roots.append(root)
    return tuple(roots)


class ProjectIndex:
    """The project as seen from one analysed file (the ``external`` seam of the resolver)."""

    def __init__(self, path: str, settings):
        self.path = path
        self.settings = settings
        self.roots = import_roots(path)
        self.package_dir = os.path.dirname(path)

    # -- module files ---------------------------------------------------------------------------

    def module_file(self, dotted: str, level: int = 0) -> Optional[str]:
        if level:
            base = self.package_dir
            for _ in range(level - 1):
                base = os.path.dirname(base)
            return _find_module((base,), dotted) if dotted else _package_init(base)
        if dotted.split(".", 1)[0] in tf_api.TRAIN_OP_ROOTS:
            return None  # never shadow TensorFlow itself
        key = (self.roots, dotted)
        if key not in _MODULE_FILES:
            _MODULE_FILES[key] = _find_module(self.roots, dotted)
        return _MODULE_FILES[key]

    def is_project_module(self, qualified: str) -> bool:
        head = qualified.split(".", 1)[0]
        return bool(head) and self.module_file(head) is not None and os.path.abspath(
            self.module_file(head)) != self.path

    # -- the resolver's seam --------------------------------------------------------------------

    def resolve_import(self, binding):
        """The Value of an import binding that names something in the project."""
        from .resolve import Value

        qualified = binding.qualified or ""
        level = binding.relative_level
        module_path = self.module_file(qualified, level)
        if module_path is not None and binding.kind == "import" and not _is_from_import(binding):
            return Value("project_module", module_path)
        if "." in qualified or level:
            module_name, _, name = qualified.rpartition(".")
            parent = self.module_file(module_name, level) if (module_name or level) else None
            if parent is not None:
                found = self.module_attribute(parent, name)
                if found is not None:
                    return found
        if module_path is not None:
            return Value("project_module", module_path)
        return None

    def module_attribute(self, module_path: str, name: str):
        from .resolve import Value

        summary = summarize(module_path, self.settings)
        if summary is None:
            return None
        if name in summary.aliases:
            return Value("api", summary.aliases[name], imported=True)
        if name in summary.exports:
            export = summary.exports[name]
            return Value("external_builder", export.key, export=export)
        if name in summary.reexports:
            return summary.reexports[name]
        if os.path.basename(module_path) == "__init__.py":
            sub = _find_module((os.path.dirname(module_path),), name)
            if sub is not None:
                return Value("project_module", sub)
        for star in summary.star_modules:
            found = self.module_attribute(star, name)
            if found is not None:
                return found
        return None

    def resolve_star(self, binding, name: str):
        module_path = self.module_file(binding.qualified[:-2] if binding.qualified.endswith(".*")
                                       else binding.qualified, binding.relative_level)
        if module_path is None:
            return None
        return self.module_attribute(module_path, name)

    def contributions(self, analyzer):
        """(collections, builder calls, builds Keras) that imported builders add to a module."""
        collections: Set[str] = set()
        calls = []
        keras = False
        for fact in analyzer.facts.calls:
            value = analyzer.callee(fact)
            export = getattr(value, "export", None) if value is not None else None
            if export is None:
                continue
            if export.keras:
                keras = True
            if export.builds_update_ops and analyzer.external_flag_effective(fact, export) is not False:
                collections |= set(export.collections)
                calls.append(fact)
        return collections, calls, keras


def _is_from_import(binding) -> bool:
    return binding.relative_level > 0 or getattr(binding, "from_import", False)


def _find_module(roots, dotted: str) -> Optional[str]:
    parts = dotted.split(".")
    for root in roots:
        base = os.path.join(root, *parts)
        if os.path.isfile(base + ".py"):
            return os.path.abspath(base + ".py")
        init = os.path.join(base, "__init__.py")
        if os.path.isfile(init):
            return os.path.abspath(init)
    return None


def _package_init(folder: str) -> Optional[str]:
    init = os.path.join(folder, "__init__.py")
    return os.path.abspath(init) if os.path.isfile(init) else None


def summarize(module_path: str, settings) -> Optional[ModuleSummary]:
    try:
        stat = os.stat(module_path)
    except OSError:
        return None
    key = (module_path, stat.st_size, stat.st_mtime_ns, hash(settings))
    cached = _SUMMARIES.get(key)
    if cached is not None:
        return cached
    if module_path in _IN_PROGRESS:
        return None  # an import cycle: unknown while this module is being summarised
    _IN_PROGRESS.add(module_path)
    try:
        summary = _compute_summary(module_path, settings)
    finally:
        _IN_PROGRESS.discard(module_path)
    _SUMMARIES[key] = summary
    return summary


def _compute_summary(module_path: str, settings) -> ModuleSummary:
    summary = ModuleSummary(module_path)
    try:
        with open(module_path, "rb") as handle:
            data = handle.read()
        source = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return summary
    if not _relevant(module_path, source, settings, set(), _RELEVANCE_DEPTH):
        return summary
    from .engine import analysis_of

    try:
        _, analyzer, analysis = analysis_of(source, module_path, settings)
    except (UnparsableSource, RecursionError):
        return summary
    _fill_summary(summary, analyzer, analysis)
    return summary


# The last few analyses, by file and content: a module is analysed for itself and again for
# its importers' summaries (measured: 451 parses for 322 files on benchmark corpus A). A few
# entries suffice since the command and flake8 visit a folder's files together, and keep
# memory flat (whole libcst trees are large).
_ANALYSES: "OrderedDict[Tuple[str, int, object], tuple]" = OrderedDict()
_ANALYSES_KEPT = 8


def _analysis_key(path: str, source: str, settings):
    return (path, hash(source), hash(settings))


def recall_analysis(path: str, source: str, settings):
    key = _analysis_key(path, source, settings)
    found = _ANALYSES.get(key)
    if found is not None:
        _ANALYSES.move_to_end(key)
    return found


def remember_analysis(path: str, source: str, settings, analysed) -> None:
    _ANALYSES[_analysis_key(path, source, settings)] = analysed
    while len(_ANALYSES) > _ANALYSES_KEPT:
        _ANALYSES.popitem(last=False)


_IMPORTS = re.compile(r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^#\n]*)"
                      r"|import[ \t]+([\w.]+))", re.MULTILINE)
_RELEVANCE: Dict[tuple, bool] = {}
_MENTIONS: Dict[tuple, bool] = {}


_RELEVANCE_DEPTH = 3   # ops.py <- model.py <- nets/__init__.py <- train.py: deeper chains are rare


def _mentions_builder_words(source: str, settings) -> bool:
    """A builder word used as code (not in a docstring or comment): tf_keras, for one, names
    BatchNormalization in hundreds of docstrings. Python's parser is ten times cheaper than
    libcst's, and only files whose text has the word get that far."""
    words = tf_api.BUILDER_WORDS | {name.rsplit(".", 1)[-1] for name in settings.wrappers}
    if not any(word in source for word in words):
        return False
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return tree_uses_words(tree, words)


def _relevant(module_path: str, source: str, settings, visiting: Set[str], depth: int) -> bool:
    """Whether a module can matter to an importer: it mentions a batch-norm builder word, or
    imports (through at most ``depth`` links) a project module that does. A cheap text scan,
    so that a project's unrelated modules are never parsed for their summaries."""
    try:
        stat = os.stat(module_path)
    except OSError:
        return False
    file_key = (module_path, stat.st_size, stat.st_mtime_ns, hash(settings))
    mentions = _MENTIONS.get(file_key)
    if mentions is None:
        mentions = _MENTIONS[file_key] = _mentions_builder_words(source, settings)
    if mentions:
        return True
    if depth <= 0:
        return False
    key = file_key + (depth,)
    if key in _RELEVANCE:
        return _RELEVANCE[key]
    if module_path in visiting:
        return False
    top_level = not visiting
    visiting.add(module_path)
    index = ProjectIndex(module_path, settings)
    answer = False
    for dots, from_module, names, plain in _IMPORTS.findall(source):
        candidates = [from_module or plain]
        if not plain:  # ``from pkg import sub``: ``sub`` may be a module of its own
            candidates += [f"{from_module}.{name}" if from_module else name
                           for name in re.findall(r"\b(\w+)\b(?:\s+as\s+\w+)?", names.strip("()"))
                           if name != "as"]
        for candidate in candidates:
            target = index.module_file(candidate, len(dots)) if (candidate or dots) else None
            if target is None or target == module_path:
                continue
            try:
                with open(target, "rb") as handle:
                    text = handle.read().decode("utf-8", "replace")
            except OSError:
                continue
            if _relevant(target, text, settings, visiting, depth - 1):
                answer = True
                break
        if answer:
            break
    if answer or top_level:
        # A "no" found inside a cycle may only mean "not yet": only the outermost one is final.
        _RELEVANCE[key] = answer
    return answer


def _fill_summary(summary: ModuleSummary, analyzer, analysis) -> None:
    scope = analyzer.facts.module_scope
    builders = analyzer.builder_info()
    for name, bindings in scope.bindings.items():
        binding = bindings[-1]
        if name == "*":
            for star in bindings:
                path = analyzer.external.module_file(star.qualified[:-2], star.relative_level) \
                    if analyzer.external is not None else None
                if path is not None:
                    summary.star_modules.append(path)
            continue
        if binding.kind in ("def", "class"):
            info = builders.get(id(binding.value))
            if info is not None:
                summary.exports[name] = Export(name=name, module_path=summary.path, **info)
            continue
        value = analyzer.resolver.value_of_binding(binding)
        if value is None:
            continue
        if value.kind == "api":
            summary.aliases[name] = value.qualname
        elif value.kind in ("external_builder", "project_module"):
            summary.reexports[name] = value
        elif value.kind == "local" and value.binding is not None:
            info = builders.get(id(value.binding.value))
            if info is not None:
                summary.exports[name] = Export(name=name, module_path=summary.path, **info)
