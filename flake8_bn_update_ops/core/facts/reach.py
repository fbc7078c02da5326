"""What runs: every call followed from the module's roots (its top-level code, and every
function or class of the module that nothing in it calls: builders exported to other modules,
callbacks handed to TensorFlow) through every call whose target the resolver knows, in a frame
that binds the callee's parameters to the call's arguments. So a batch-norm layer built three
wrappers deep in another module is seen with the flag and collection its caller gave it.

The walk is bounded by a budget of calls (huge generated files), never by a depth of its own.
"""
from __future__ import annotations

import ast
import os
from typing import Dict, List, Set

from ... import tf_api
from ...precheck import tree_uses_words
from ..evaluate import calls_run_in
from ..index import IF, IFEXP, CallSite, ModuleIndex, Scope, branch_test, within_function
from ..kinds import BindingKind, ProjectFile, ScopeKind
from ..resolver import At
from ..values import NO_ARGS, Class, Function, Instance, Partial, Value, options
from .records import BatchNormSite, Reached
from .sites import SiteReader

_MAX_WALK = 20000          # calls visited by one module's reach walk (huge generated files)
# A class's methods are entered with a new instance bound (``Class(...)``), not a given one.
_NEW_INSTANCE = object()


# The last part of each batch-norm API's name: a site's callee is one of these APIs (or a class
# deriving from one), so some module it resolves through spells the last part.
_SITE_WORDS = frozenset(name.rsplit(".", 1)[-1] for name in tf_api.BATCH_NORM_APIS)
# Calls that import a module named by a string (``importlib.import_module``, ``__import__``).
_IMPORTS_BY_NAME = tuple(name.rsplit(".", 1)[-1] for name in tf_api.DYNAMIC_IMPORTS)
_PACKAGE_INIT = ProjectFile.PACKAGE_INIT.value


def may_build_sites(reader: SiteReader, index: ModuleIndex, text: str, settings) -> bool:
    """False when no call the reach walk can follow from ``index`` builds a batch-norm site, so
    the walk (and the module's lexical sites) would find none: the module spells no batch-norm
    API (nor a ``--bn-wrappers`` function) as code, except as the callee of calls that build no
    site in any frame, and everything it can resolve comes from it alone or from libraries,
    never from another module of the project (no import the project holds, no relative or
    dynamic import, not a package's ``__init__``, whose submodules are its attributes). Every
    value the walk meets is then made in this module, and a batch-norm API, or a class deriving
    from one, is reached only through its name. A name joined from pieces of strings at run
    time (``getattr(layers, "Batch" + "Norm...")``) is not seen, as a reader would not see it
    either. Most modules of a large library (benchmark B, tf_keras) pass the cheap text tests
    and are judged with no walk at all."""
    resolver = reader.resolver
    if os.path.basename(index.path) == _PACKAGE_INIT or any(word in text for word in _IMPORTS_BY_NAME):
        return True
    project = resolver.project
    for scope in index.scopes:
        for bindings in scope.bindings.values():
            for binding in bindings:
                if binding.kind != BindingKind.IMPORT:
                    continue
                if binding.level:
                    return True
                added = resolver.added_import_roots(index, binding.statement.seq)
                if project.is_project_name(binding.imported or "", index, added):
                    return True
    words = _SITE_WORDS | {name.rsplit(".", 1)[-1] for name in settings.wrappers}
    return any(word in text for word in words) and \
        tree_uses_words(index.tree, words, in_names=True, skip=_calls_building_nothing(reader, index, words))


def _calls_building_nothing(reader: SiteReader, index: ModuleIndex, words) -> Set[int]:
    """id() of the callee expressions spelling a word whose calls build no site in any frame:
    the callee's first name is bound at module level only (an import, ``layers =
    VersionAwareLayers()``), so every frame reads the same callee, and read without a frame it
    builds none (``tf.nn.batch_normalization``, a module's own ``batch_normalization``)."""
    found: Set[int] = set()
    for call in index.calls:
        func = call.node.func
        root = func
        while type(root) is ast.Attribute:
            root = root.value
        last = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
        if last not in words or type(root) is not ast.Name or not _bound_at_module_level_only(call, root.id):
            continue
        if not reader.sites_of_call(call):
            found.add(id(func))
    return found


def _bound_at_module_level_only(call: CallSite, name: str) -> bool:
    scope = call.scope
    while scope.parent is not None:
        if name in scope.bindings or name in scope.globals or name in scope.nonlocals:
            return False
        scope = scope.parent
    return True


class ReachWalk:
    """One walk over one module: ``reached`` (every site reached from the roots, with its chain
    of calls) and ``calls_reaching`` (id() of a call node of this module -> what it reaches)."""

    def __init__(self, reader: SiteReader, index: ModuleIndex, lexical: List[BatchNormSite]):
        self.reader = reader
        self.evaluator = reader.evaluator
        self.resolver = reader.resolver
        self.index = index
        self.lexical_by_call: Dict[int, List[BatchNormSite]] = {}
        for site in lexical:
            self.lexical_by_call.setdefault(id(site.call.node), []).append(site)
        self.reached: List[Reached] = []
        self.calls_reaching: Dict[int, List[Reached]] = {}
        self._budget = _MAX_WALK
        self._walked: Set[tuple] = set()

    def walk_roots(self) -> "ReachWalk":
        """Follow every call from the module's roots through the project, in frames."""
        called: Set[int] = set()
        for call in self.index.calls:
            for option in options(self.evaluator.callee(call)):
                for scope in self._scopes_run_by(option):
                    if scope is not call.scope.function():
                        called.add(id(scope))
        for scope in self.index.scopes:
            if scope.kind in (ScopeKind.LAMBDA, ScopeKind.COMPREHENSION):
                continue
            if scope.kind == ScopeKind.MODULE or id(scope) not in called:
                if scope.kind == ScopeKind.CLASS:
                    continue        # its methods are roots or reached on their own
                self._walk_scope(scope, None, ())
        return self

    def _scopes_run_by(self, value: Value) -> List[Scope]:
        kind = type(value)
        if kind is Function and value.scope is not None:
            return [value.scope]
        if kind is Class:
            methods = [self.evaluator.method(value, name) for name in tf_api.KERAS_CONSTRUCTION_METHODS]
            return [method for method in methods if method is not None]
        if kind is Instance:
            methods = [self.evaluator.method(value.cls, name) for name in tf_api.INSTANCE_CALL_METHODS]
            return [method for method in methods if method is not None]
        if kind is Partial:
            return self._scopes_run_by(value.target)
        return []

    def _walk_scope(self, scope: Scope, frame, chain: tuple) -> None:
        key = (id(scope), id(frame))
        if key in self._walked or self._budget <= 0:
            return
        self._walked.add(key)
        for call in calls_run_in(scope):
            self._budget -= 1
            if self._budget <= 0:
                return
            if frame is not None and self._pruned(call, frame):
                continue
            self._walk_call(call, frame, chain)

    def _pruned(self, call: CallSite, frame) -> bool:
        """A call in a branch its frame certainly does not take."""
        for entry in within_function(call.context):
            test = branch_test(entry) if entry.kind in (IF, IFEXP) and entry.part >= 0 else None
            if test is not None:
                statement = call.scope.index.statement_of_node.get(id(entry.node), call.statement)
                truth = self.resolver.truth(test, At(call.scope, statement), frame)
                if truth is not None and truth != (entry.part == 0):
                    return True
        return False

    def _walk_call(self, call: CallSite, frame, chain: tuple) -> None:
        here = chain + (call,)
        for site in self.reader.sites_of_call(call, frame) \
                if (frame is not None or call.scope.index is not self.index) \
                else self.lexical_by_call.get(id(call.node), []):
            reached = Reached(site, here)
            self.reached.append(reached)
            for link in here:
                if link.scope.index is self.index:
                    self.calls_reaching.setdefault(id(link.node), []).append(reached)
        resolver = self.resolver
        callee = self.evaluator.callee(call, frame)
        for option in options(callee):
            targets = []
            kind = type(option)
            if kind is Function and option.scope is not None:
                targets.append((option.scope, option.bound, option.frame))
            elif kind is Partial and type(option.target) is Function:
                targets.append((option.target.scope, option.target.bound, option.target.frame))
            elif kind is Class:
                for method in tf_api.KERAS_CONSTRUCTION_METHODS:
                    scope = self.evaluator.method(option, method)
                    if scope is not None:
                        targets.append((scope, _NEW_INSTANCE, None))
            elif kind is Instance:
                for method in tf_api.INSTANCE_CALL_METHODS:
                    scope = self.evaluator.method(option.cls, method)
                    if scope is not None:
                        targets.append((scope, option, None))
                        break
            for scope, bound, parent in targets:
                at = self.evaluator.at(call)
                args = resolver.call_args(call.node, at, frame)
                if kind is Partial:
                    args = option.args.then(args)
                if bound is _NEW_INSTANCE:
                    bound = Instance(option, call.node, args, at, frame)
                    if scope.name != "__init__":      # ``build`` takes no constructor arguments
                        args = NO_ARGS
                callee_frame = resolver.frame(scope, call.node, args, bound, parent, frame)
                if callee_frame is None:
                    continue
                self._walk_scope(scope, callee_frame, here)
