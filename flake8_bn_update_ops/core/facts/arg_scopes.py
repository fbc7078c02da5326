"""The arg_scopes a module opens (slim's ``arg_scope([fn, ...], key=value)``): what they give
the functions they list, read first of all the facts, because the resolver must know the
keywords they give the project's own decorated blocks before it answers anything else."""
from __future__ import annotations

import ast
from types import MappingProxyType
from typing import Dict, List, Optional, Set

from ... import tf_api
from ..evaluate import Evaluator, calls_run_in
from ..index import WITH, CallSite, ModuleIndex, within_function
from ..kinds import ScopeKind
from ..resolver import At
from ..values import UNKNOWN, Api, ApiCall, Function, Mapping, Partial, options
from .records import ArgScopeEntry

# In ``importer_scopes``: a flag an importer's arg_scope sets around any call (no object's id is 0).
_ANYWHERE = 0


class ArgScopes:
    """The module's arg_scopes (``entries``, read eagerly and installed in the resolver), whether
    it offers its callers one that sets the flag (``exposes_flag_scope``), and two questions
    about other modules, answered on demand because most checks never ask them: the arg_scopes
    another module opens (``entries_of``) and those its importers open around its functions
    (``importer_scopes``)."""

    def __init__(self, evaluator: Evaluator, known_api):
        self.evaluator = evaluator
        self.resolver = evaluator.resolver
        self.index = evaluator.index
        self.project = evaluator.project
        self.known_api = known_api
        self._of_module: Dict[int, List[ArgScopeEntry]] = {}     # id(other module's index) -> its scopes
        self._importer_scopes: Optional[Set[tuple]] = None
        self.entries: List[ArgScopeEntry] = []
        self.exposes_flag_scope = False
        self._install()

    def default(self, function_name: str, keyword: str):
        """(found?, Arg or None, entry): what the module's arg_scopes give ``keyword`` of
        ``function_name``; found is None when an arg_scope could supply it unseen."""
        unknown = None
        for entry in self.entries:
            if function_name not in entry.functions:
                continue
            if keyword in entry.keywords:
                return True, entry.keywords[keyword], entry
            if not entry.complete:
                unknown = entry
        if unknown is not None:
            return None, None, unknown
        return False, None, None

    def keep_moving_in_trainable(self, name: str, call: CallSite) -> bool:
        """An arg_scope of the site's own module (or of this one) gives the batch-norm function
        ``variables_collections`` (``arg_scope([batch_norm], **params)``, a scope returned by a
        helper and re-entered): the moving statistics go where the scope says."""
        if self.default(name, tf_api.VARIABLES_COLLECTIONS_KEYWORD)[0] is True:
            return True
        index = call.scope.index
        if index is self.index:
            return False
        return any(name in entry.functions and tf_api.VARIABLES_COLLECTIONS_KEYWORD in entry.keywords
                   for entry in self.entries_of(index))

    def configured_by_importers(self, call: CallSite, name: str) -> bool:
        """Whether a module of the project calls this site's function inside an arg_scope that
        sets the flag of ``name`` (slim's network modules are configured by their callers:
        ``with arg_scope(resnet_arg_scope(is_training)): resnet_v2.bottleneck(...)``)."""
        function = call.scope.function()
        if function.kind != ScopeKind.FUNCTION or self.project is None:
            return False
        configured = self.importer_scopes()
        return (id(function), name) in configured or (id(function), "*") in configured

    def importers_set_flag(self, name: str) -> bool:
        """Whether a module importing this one opens, in a ``with`` around code it builds, an
        arg_scope that sets (or may set) the flag of the batch-norm function ``name``."""
        return (_ANYWHERE, name) in self.importer_scopes()

    def importer_scopes(self) -> Set[tuple]:
        if self._importer_scopes is not None:
            return self._importer_scopes
        found: Set[tuple] = set()
        self._importer_scopes = found
        resolver = self.resolver
        for index in self.project.importers_of(self.index, b"arg_scope"):
            for item in index.with_items:
                at = At(item.statement.scope, item.statement)
                for option in options(resolver.value(item.item.context_expr, at)):
                    if type(option) is not ApiCall or option.name not in tf_api.ARG_SCOPES:
                        continue
                    for scope_call in resolver.arg_scope_calls(option):
                        entry = self.entry(scope_call, None)
                        for function_name in entry.functions:
                            api = self.known_api(function_name)
                            if api is None or (api.flag not in entry.keywords and entry.complete):
                                continue
                            if scope_call.node is item.item.context_expr:
                                # Written in the ``with`` itself, around the layers it builds (slim's
                                # resnet_v1); a scope object from a factory may be another network's.
                                found.add((_ANYWHERE, function_name))
                            for inner in _calls_in_with(index, item.node):
                                callees = resolver.value(inner.node.func, At(inner.scope, inner.statement))
                                for callee in options(callees):
                                    if type(callee) is Function and callee.scope is not None and \
                                            callee.scope.index is self.index:
                                        found.add((id(callee.scope), function_name))
        return found

    def _install(self) -> None:
        """Every arg_scope the module opens, through local wrappers and scope objects
        (``arg_scope(training_scope())``) too: its keywords apply module-wide to the listed
        functions (RULES.md). The first step of the build: slim's ``arg_scope([block],
        is_training=t)`` over the project's own decorated blocks gives a block called without
        the keyword the scope's value, not its default, and the resolver must know that before
        it answers anything else."""
        entries = self.entries_of(self.index)
        defaults: Dict[int, Dict[str, object]] = {}
        for entry in entries:
            for scope_id in entry.scopes:
                given = defaults.setdefault(scope_id, {})
                for keyword, item in entry.keywords.items():
                    given.setdefault(keyword, item)
                if not entry.complete:
                    given.setdefault("*", None)
        self.resolver.install_scoped_defaults(self.index, defaults)
        if defaults:
            # The resolver let its answers go: read the scopes again, under their defaults.
            self.evaluator.close()
            self._of_module.clear()
            entries = self.entries_of(self.index)
        self.entries = entries
        self.exposes_flag_scope = self._exposes_flag_scope()

    def _exposes_flag_scope(self) -> bool:
        """The module offers its callers an arg_scope that sets the batch-norm flag (slim's
        ``resnet_arg_scope = resnet_utils.resnet_arg_scope``): its layers are built to be
        configured by that scope where they are called, so a flag missing here may be given."""
        resolver = self.resolver
        for name, bindings in self.index.module_scope.bindings.items():
            if tf_api.ARG_SCOPE_FUNCTION_WORD not in name.lower():
                continue
            for option in options(resolver.module_member(self.index, name)):
                if type(option) is not Function or option.scope is None:
                    continue
                for call in calls_run_in(option.scope):
                    if not _may_be_arg_scope(call.node):
                        continue
                    for value in options(resolver.value(call.node, At(call.scope, call.statement))):
                        if type(value) is not ApiCall or value.name not in tf_api.ARG_SCOPES:
                            continue
                        entry = self.entry(value, call)
                        for function in entry.functions:
                            api = self.known_api(function)
                            if api is not None and (api.flag in entry.keywords or not entry.complete):
                                return True
        return False

    def entries_of(self, index: ModuleIndex) -> List[ArgScopeEntry]:
        """The arg_scopes another module opens (read as this module's own are)."""
        cache = self._of_module
        found = cache.get(id(index))
        if found is not None:
            return found
        found = cache[id(index)] = []
        seen = set()
        for call in index.calls:
            if not _may_be_arg_scope(call.node):
                continue
            for option in options(self.resolver.value(call.node, At(call.scope, call.statement), None)):
                if type(option) is ApiCall and option.name in tf_api.ARG_SCOPES:
                    for entry in self.resolver.arg_scope_calls(option):
                        if id(entry) not in seen:
                            seen.add(id(entry))
                            found.append(self.entry(entry, call))
        return found

    def entry(self, call: ApiCall, report: CallSite) -> ArgScopeEntry:
        resolver = self.resolver
        functions: Set[str] = set()
        scopes: Set[int] = set()
        args = call.args
        first = args.positional[0] if args.positional else args.keyword(tf_api.ARG_SCOPE_FUNCTIONS_KEYWORD)
        listed = resolver.arg_value(first) if first is not None else UNKNOWN
        for item in self.evaluator.sequence_values(listed):
            for option in options(item):
                if type(option) is Api:
                    functions.add(option.name)
                elif type(option) is Partial and type(option.target) is Api:
                    functions.add(option.target.name)
        for item in self.evaluator.sequence_values(listed):
            for option in options(item):
                if type(option) is Function and option.scope is not None:
                    scopes.add(id(option.scope))
        keywords: Dict[str, object] = dict(call.args.keywords)
        complete = True
        for spread in call.args.spreads:
            mapping = resolver.arg_value(spread)
            if type(mapping) is Mapping:
                keywords.update(mapping.entries)
                complete = complete and mapping.complete
            else:
                complete = False
        return ArgScopeEntry(call, frozenset(functions), MappingProxyType(keywords), complete, report,
                             frozenset(scopes))


def _calls_in_with(index: ModuleIndex, with_node) -> List[CallSite]:
    """The calls made in a ``with`` block's body (same function)."""
    found = []
    for call in index.calls:
        for entry in within_function(call.context):
            if entry.kind == WITH and entry.node is with_node and entry.part == -1:
                found.append(call)
                break
    return found


def _may_be_arg_scope(node: ast.Call) -> bool:
    """Calls that may make an arg_scope: slim's own, and the project's scope functions, which
    real code names after it (``safe_arg_scope``, ``training_scope``, ``resnet_arg_scope``).
    Evaluating every call of a module to find them was measured at a third of the analysis."""
    func = node.func
    name = func.attr if type(func) is ast.Attribute else getattr(func, "id", "")
    return tf_api.ARG_SCOPE_FUNCTION_WORD in name.lower()
