"""The model of one module that every rule reads: batch-norm sites, train ops, how each train
op is handled, Keras models, graph mode. Built once per check from the resolver's answers;
rules only read it (and ask the resolver), they never walk the tree.

"What runs" is followed from the module's roots (its top-level code, and every function or
class of the module that nothing in it calls: builders exported to other modules, callbacks
handed to TensorFlow) through every call whose target the resolver knows, in a frame that
binds the callee's parameters to the call's arguments. So a batch-norm layer built three
wrappers deep in another module is seen with the flag and collection its caller gave it.
"""
from __future__ import annotations

import ast
from typing import Dict, Iterable, List, Optional, Set, Tuple

from .. import tf_api
from .index import ARG, CLASS, DEF, IF, IFEXP, WITH, CallSite, ModuleIndex, Scope, branch_test, contexts, \
    within_function
from .resolver import At, Resolver
from .values import (NO_ARGS, UNKNOWN, Api, ApiCall, Arg, Args, Class, CollectionRead, Const, Function,
                     Instance, InstanceCall, KerasUpdates, Mapping, ParamValue, Partial,
                     Sequence, Spread, TrainOp, Value, options)

UPDATE_OPS = tf_api.UPDATE_OPS
KERAS_UPDATES = tf_api.KERAS_UPDATES
ANY_UPDATES = tf_api.ANY_UPDATES
# In ``_importer_scopes``: a flag an importer's arg_scope sets around any call (no object's id is 0).
_ANYWHERE = 0
_MAX_WALK = 20000          # calls visited by one module's reach walk (huge generated files)


class Flag:
    """The training flag a batch-norm site ends up with.

    state: ``given`` (``node`` is the expression; ``literal`` its definite bool or None),
    ``missing`` (nothing could supply it) or ``unknown`` (something could: ``**kwargs``, an
    unknown dict, an ``arg_scope`` we cannot see into)."""

    __slots__ = ("state", "node", "literal", "origin", "value", "index", "scope")

    def __init__(self, state: str, node=None, literal: Optional[bool] = None, origin: str = "call", value=None,
                 index=None, scope=None):
        self.state = state
        self.node = node
        self.literal = literal
        self.origin = origin
        self.value = value
        self.index = index          # the module whose source holds ``node``
        self.scope = scope          # the scope it is written in

    def __repr__(self):
        return f"Flag({self.state}, {self.literal}, {self.origin})"


class BatchNormSite:
    """One place that builds a batch-norm layer, as seen in one frame.

    ``call`` is the call a missing-flag finding sits on; ``collection`` is None for updates in
    place, else the collection key (``ANY_UPDATES`` when unknown)."""

    __slots__ = ("call", "api", "name", "flag", "collection", "via", "frame", "keeps_moving_in_trainable",
                 "frozen", "options")

    def __init__(self, call: CallSite, api, name, flag: Flag, collection, via, frame, keeps=False, frozen=False,
                 options_node=None):
        self.call = call
        self.api = api
        self.name = name
        self.flag = flag
        self.collection = collection
        self.via = via
        self.frame = frame
        self.keeps_moving_in_trainable = keeps
        self.frozen = frozen
        self.options = options_node

    @property
    def keras(self) -> bool:
        return self.api.family == "keras"

    @property
    def writes_update_ops(self) -> bool:
        """An UPDATE_OPS-kind site whose flag can be on (RULES: "Effective flag")."""
        if self.keras or self.collection is None:
            return False
        if self.flag.literal is False:
            return False
        if self.flag.state == "missing" and self.api.flag_default is False:
            return False
        return True

    def __repr__(self):
        return f"<Site {self.api.display} line {self.call.node.lineno} {self.flag!r} {self.collection}>"


class Reached:
    """A site reached from this module's roots: the site, the chain of calls that led there
    (outermost first, ``CallSite``s of any module), and the frame it was read in."""

    __slots__ = ("site", "chain")

    def __init__(self, site: BatchNormSite, chain: tuple):
        self.site = site
        self.chain = chain


class TrainOpInfo:
    __slots__ = ("call", "method", "loss")

    def __init__(self, call: CallSite, method: str, loss):
        self.call = call
        self.method = method
        self.loss = loss

    def __repr__(self):
        return f"<TrainOp {self.method} line {self.call.node.lineno}>"


class Handling:
    """What a train op depends on: collection keys, and the reads that it relies on with the
    place each one is consumed (for BNU004)."""

    __slots__ = ("keys", "reads")

    def __init__(self):
        self.keys: Set[str] = set()
        self.reads: List[Tuple[CollectionRead, Optional[CallSite]]] = []

    def covers(self, required: Set[str]) -> bool:
        return ANY_UPDATES in self.keys or required <= self.keys


class ArgScopeEntry:
    """``arg_scope([fn, ...], key=value)``: defaults for the listed functions."""

    __slots__ = ("call", "functions", "keywords", "complete", "report", "scopes")

    def __init__(self, call: ApiCall, functions: Set[str], keywords: Dict[str, object], complete: bool, report,
                 scopes: Set[int] = frozenset()):
        self.call = call
        self.functions = functions
        self.scopes = scopes        # the project's own functions listed (``@add_arg_scope`` blocks)
        self.keywords = keywords
        self.complete = complete
        self.report = report        # the CallSite of this module that made it (for wrapper defaults)


class ModuleModel:
    def __init__(self, index: ModuleIndex, resolver: Resolver, settings, source):
        self.index = index
        self.source = source        # core.source.SourceText of the checked text
        self.resolver = resolver
        self.project = resolver.project
        self.settings = settings
        self.wrapper_apis = {
            tf_api.canonical(name): tf_api.BatchNormApi(name.rsplit(".", 1)[-1], "wrapper", flag, None, None, False)
            for name, flag in settings.wrappers.items()}
        self._callee: Dict[tuple, Value] = {}
        self._handling: Dict[int, Handling] = {}
        self._keras: Dict[int, Optional[bool]] = {}
        self._keras_scopes: Dict[int, bool] = {}
        self.arg_scopes: List[ArgScopeEntry] = []
        self._other_arg_scopes: Dict[int, List[ArgScopeEntry]] = {}     # id(other module's index) -> its scopes
        self._loss_provenance: Optional[Set[int]] = None
        self.sites: List[BatchNormSite] = []          # lexical, UPDATE_OPS kind (frameless)
        self.keras_sites: List[BatchNormSite] = []    # lexical Keras BatchNormalization calls/constructions
        self.train_ops: List[TrainOpInfo] = []
        self.reached: List[Reached] = []              # every site reached from the roots
        self.calls_reaching: Dict[int, List[Reached]] = {}   # id(call node of this module) -> reached
        self.graph_mode = False
        self.eager_scopes: Set[int] = set()
        self.learning_phase_set = False
        self.keras_updates_in_update_ops = False
        self.update_ops_subclasses: Set[int] = set()
        self._subclasses_by_module: Dict[int, Set[int]] = {}
        self.trains = False
        self.exposes_flag_scope = False

    # ------------------------------------------------------------------------------------------
    # Building

    def build(self) -> "ModuleModel":
        self._scan_update_ops_subclasses()
        self._scan_arg_scopes()
        self._scan_lexical_sites()
        self._scan_train_ops()
        self._scan_modes()
        self._walk_roots()
        return self

    def at(self, call: CallSite) -> At:
        return At(call.scope, call.statement)

    def callee(self, call: CallSite, frame=None) -> Value:
        if frame is not None and self._frame_free(call, frame):
            frame = None    # the same value in every frame: computed once
        key = (id(call.node), id(frame))
        found = self._callee.get(key)
        if found is None:
            found = self._callee[key] = self.resolver.value(call.node.func, self.at(call), frame)
        return found

    def callers(self, scope: Scope) -> List[CallSite]:
        """The calls of this module whose callee is the function ``scope`` (frameless)."""
        table = self.__dict__.get("_callers_table")
        if table is None:
            table = self._callers_table = {}
            for call in self.index.calls:
                for option in options(self.callee(call)):
                    if type(option) is Function and option.scope is not None:
                        table.setdefault(id(option.scope), []).append(call)
        return table.get(id(scope), [])

    def graphs_of(self, call: CallSite, depth: int = 0) -> Set[str]:
        """The graphs (``with G.as_default():``, by G's spelling) a call is built in: lexically,
        or because every call of its function runs inside one (the default graph is dynamic).
        Empty: the default graph."""
        lexical = graph_blocks(call.context)
        if lexical:
            return lexical
        function = call.scope.function()
        if function.kind != "function" or depth > _GRAPH_CALL_DEPTH:
            return set()
        callers = self.callers(function)
        if not callers:
            return set()
        found: Set[str] = set()
        for caller in callers:
            graphs = self.graphs_of(caller, depth + 1)
            if not graphs:
                return set()
            found |= graphs
        return found

    def read_in_other_graph(self, op: TrainOpInfo, read) -> bool:
        """The update-ops read is made in the default graph while the train op is built inside
        ``with G.as_default():``: the read never holds that graph's update ops (measured)."""
        site = read.at.scope.index.call_site(read.node) if read.at is not None else None
        if site is None or site.scope.index is not self.index:
            return False
        return bool(self.graphs_of(op.call)) and not self.graphs_of(site)

    def _frame_free(self, call: CallSite, frame) -> bool:
        """A callee whose root name is bound outside every function of the frame chain (an
        import, a module function, ``tf.layers.conv2d``) reads the same in any frame."""
        root = call.node.func
        while type(root) is ast.Attribute:
            root = root.value
        if type(root) is not ast.Name:
            return False
        scopes = set()
        current = frame
        while current is not None:
            scopes.add(id(current.scope))
            current = current.caller
        scope = call.scope
        while scope is not None:
            if id(scope) in scopes or scope.kind in ("lambda", "comprehension"):
                if root.id in scope.bindings:
                    return False
            scope = scope.parent
        return True

    def api_name(self, call: CallSite, frame=None) -> Optional[str]:
        value = self.callee(call, frame)
        return value.name if type(value) is Api else None

    # -- arg_scope ------------------------------------------------------------------------------

    def _scan_arg_scopes(self) -> None:
        """Every arg_scope the module opens, through local wrappers and scope objects
        (``arg_scope(training_scope())``) too: its keywords apply module-wide to the listed
        functions (RULES.md)."""
        resolver = self.resolver
        seen = set()
        for call in self.index.calls:
            if not _may_be_arg_scope(call.node):
                continue
            value = resolver.value(call.node, self.at(call), None)
            for option in options(value):
                if type(option) is ApiCall and option.name in tf_api.ARG_SCOPES:
                    for entry in resolver.arg_scope_calls(option):
                        if id(entry) not in seen:
                            seen.add(id(entry))
                            self.arg_scopes.append(self._arg_scope_entry(entry, call))
        # slim's ``arg_scope([block], is_training=t)`` over the project's own decorated blocks:
        # a block called without the keyword gets the scope's value, not its default.
        for entry in self.arg_scopes:
            for scope_id in entry.scopes:
                defaults = resolver.scoped_defaults.setdefault(scope_id, {})
                for keyword, item in entry.keywords.items():
                    defaults.setdefault(keyword, item)
                if not entry.complete:
                    defaults.setdefault("*", None)
        self.exposes_flag_scope = self._exposes_flag_scope()

    def _exposes_flag_scope(self) -> bool:
        """The module offers its callers an arg_scope that sets the batch-norm flag (slim's
        ``resnet_arg_scope = resnet_utils.resnet_arg_scope``): its layers are built to be
        configured by that scope where they are called, so a flag missing here may be given."""
        resolver = self.resolver
        for name, bindings in self.index.module_scope.bindings.items():
            if "scope" not in name.lower():
                continue
            for option in options(resolver.module_member(self.index, name)):
                if type(option) is not Function or option.scope is None:
                    continue
                for call in _calls_run_in(option.scope):
                    if not _may_be_arg_scope(call.node):
                        continue
                    for value in options(resolver.value(call.node, At(call.scope, call.statement))):
                        if type(value) is not ApiCall or value.name not in tf_api.ARG_SCOPES:
                            continue
                        entry = self._arg_scope_entry(value, call)
                        for function in entry.functions:
                            api = self.known_api(function)
                            if api is not None and (api.flag in entry.keywords or not entry.complete):
                                return True
        return False

    def _arg_scope_entry(self, call: ApiCall, report: CallSite) -> ArgScopeEntry:
        resolver = self.resolver
        functions: Set[str] = set()
        scopes: Set[int] = set()
        first = call.args.positional[0] if call.args.positional else call.args.keyword("list_ops_or_scope")
        listed = resolver.arg_value(first) if first is not None else UNKNOWN
        for item in _sequence_values(resolver, listed):
            for option in options(item):
                if type(option) is Api:
                    functions.add(option.name)
                elif type(option) is Partial and type(option.target) is Api:
                    functions.add(option.target.name)
        for item in _sequence_values(resolver, listed):
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
        return ArgScopeEntry(call, functions, keywords, complete, report, scopes)

    def _scope_keeps_moving_in_trainable(self, name: str, call: CallSite) -> bool:
        """An arg_scope of the site's own module (or of this one) gives the batch-norm function
        ``variables_collections`` (``arg_scope([batch_norm], **params)``, a scope returned by a
        helper and re-entered): the moving statistics go where the scope says."""
        if self.arg_scope_default(name, tf_api.VARIABLES_COLLECTIONS_KEYWORD)[0] is True:
            return True
        index = call.scope.index
        if index is self.index:
            return False
        return any(name in entry.functions and tf_api.VARIABLES_COLLECTIONS_KEYWORD in entry.keywords
                   for entry in self._arg_scopes_of(index))

    def _arg_scopes_of(self, index: ModuleIndex) -> List[ArgScopeEntry]:
        """The arg_scopes another module opens (read as this module's own are)."""
        cache = self._other_arg_scopes
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
                            found.append(self._arg_scope_entry(entry, call))
        return found

    def arg_scope_default(self, function_name: str, keyword: str):
        """(found?, Arg or None, entry): what the module's arg_scopes give ``keyword`` of
        ``function_name``; found is None when an arg_scope could supply it unseen."""
        unknown = None
        for entry in self.arg_scopes:
            if function_name not in entry.functions:
                continue
            if keyword in entry.keywords:
                return True, entry.keywords[keyword], entry
            if not entry.complete:
                unknown = entry
        if unknown is not None:
            return None, None, unknown
        return False, None, None

    # -- sites ----------------------------------------------------------------------------------

    def _scan_update_ops_subclasses(self) -> None:
        """Keras BatchNormalization subclasses that add their updates to UPDATE_OPS themselves
        (seen in real projects) build UPDATE_OPS sites, not Keras ones."""
        self.update_ops_subclasses = self._update_ops_subclasses_in(self.index, True)

    def _update_ops_subclasses_in(self, index: ModuleIndex, this_module: bool = False) -> Set[int]:
        """id(class node) of every Keras batch-norm subclass that a module defines and that adds
        its updates to UPDATE_OPS; the module's own scan also notes Keras updates put there."""
        cached = self._subclasses_by_module.get(id(index))
        if cached is not None:
            return cached
        found: Set[int] = set()
        self._subclasses_by_module[id(index)] = found
        resolver = self.resolver
        for call in index.calls:
            func = call.node.func
            name = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
            if name not in ("add_to_collection", "add_to_collections") or not call.node.args:
                continue
            key = resolver.collection_key(resolver.value(call.node.args[0], self.at(call)))
            if key != UPDATE_OPS:
                continue
            if this_module:
                values = [resolver.value(arg, self.at(call)) for arg in call.node.args[1:]]
                for entry in contexts(call.context):
                    if type(entry.node) is ast.For:
                        values.append(resolver.value(entry.node.iter, self.at(call)))
                if any(KERAS_UPDATES in self.carried_value(value) for value in values):
                    self.keras_updates_in_update_ops = True
            cls = call.scope.enclosing_class()
            if cls is None:
                continue
            statement = index.statement_of_node.get(id(cls.node))
            for base in cls.node.bases:
                base_name = resolver.api_name(base, At(cls.parent, statement))
                api = tf_api.BATCH_NORM_APIS.get(base_name or "")
                if api is not None and api.family == "keras":
                    found.add(id(cls.node))
        return found

    def sites_of_call(self, call: CallSite, frame=None) -> List[BatchNormSite]:
        """The batch-norm sites a call builds, read in ``frame``."""
        found: List[BatchNormSite] = []
        node = call.node
        resolver = self.resolver
        at = self.at(call)
        callee = self.callee(call, frame)
        for option in options(callee):
            kind = type(option)
            if kind is Api:
                api = tf_api.BATCH_NORM_APIS.get(option.name) or self.wrapper_apis.get(option.name)
                if api is None:
                    continue
                args = resolver.call_args(node, at, frame)
                if api.is_class:
                    via = "construction"
                    flag = Flag("unknown")
                    if api.family == "keras":
                        found.append(BatchNormSite(call, api, option.name, flag, None, via, frame))
                    else:
                        found.append(BatchNormSite(call, api, option.name, flag, UPDATE_OPS, via, frame,
                                                   frozen=self._frozen(args)))
                    continue
                found.append(self._site(call, api, option.name, args, frame, "call"))
            elif kind is Partial and type(option.target) is Api:
                api = tf_api.BATCH_NORM_APIS.get(option.target.name)
                if api is not None and not api.is_class:
                    args = option.args.then(resolver.call_args(node, at, frame))
                    found.append(self._site(call, api, option.target.name, args, frame, "call"))
            elif kind is ApiCall and option.name in tf_api.BATCH_NORM_APIS:
                api = tf_api.BATCH_NORM_APIS[option.name]
                if api.is_class:
                    args = resolver.call_args(node, at, frame)
                    flag = self._flag_from_args(api, option.name, args, call, "instance")
                    collection = UPDATE_OPS if api.family != "keras" else None
                    found.append(BatchNormSite(call, api, option.name, flag, collection, "instance", frame,
                                               frozen=self._frozen(option.args)))
            elif kind is Instance and self._is_update_ops_subclass(option.cls):
                api = tf_api.BATCH_NORM_APIS["tensorflow.layers.BatchNormalization"]
                args = resolver.call_args(node, at, frame)
                flag = self._flag_from_args(api, "", args, call, "instance")
                found.append(BatchNormSite(call, api, option.cls.scope.name, flag, UPDATE_OPS, "instance", frame))
            elif kind is Class and self._keras_bn_subclass(option):
                api = tf_api.BATCH_NORM_APIS["tensorflow.keras.layers.BatchNormalization"]
                found.append(BatchNormSite(call, api, option.scope.name, Flag("unknown"), None, "construction",
                                           frame))
            elif kind is Instance and self._keras_bn_subclass(option.cls):
                api = tf_api.BATCH_NORM_APIS["tensorflow.keras.layers.BatchNormalization"]
                args = resolver.call_args(node, at, frame)
                flag = self._flag_from_args(api, "", args, call, "instance")
                found.append(BatchNormSite(call, api, option.cls.scope.name, flag, None, "instance", frame))
        for keyword in node.keywords:
            if keyword.arg not in (tf_api.NORMALIZER_FN_KEYWORD, "activation_fn"):
                continue
            for option in options(resolver.value(keyword.value, at, frame)):
                target, partial_args = option, None
                if type(option) is Partial and type(option.target) is Api:
                    target, partial_args = option.target, option.args
                if type(target) is not Api:
                    continue
                api = tf_api.BATCH_NORM_APIS.get(target.name)
                if api is None or api.family != "contrib":
                    continue
                found.append(self._normalizer_site(call, api, target.name, partial_args, frame,
                                                   keyword.arg == tf_api.NORMALIZER_FN_KEYWORD))
        return found

    def _is_update_ops_subclass(self, cls: Class) -> bool:
        """The class, or a base in any module of the project, adds its updates to UPDATE_OPS."""
        return any(type(entry) is Class and id(entry.scope.node) in self._update_ops_subclasses_in(entry.scope.index)
                   for entry in self.resolver.mro(cls))

    def _keras_bn_subclass(self, cls: Class) -> bool:
        """A plain subclass of Keras ``BatchNormalization`` (a Keras site)."""
        if self._is_update_ops_subclass(cls):
            return False
        for entry in self.resolver.mro(cls):
            if type(entry) is Api:
                api = tf_api.BATCH_NORM_APIS.get(entry.name)
                if api is not None and api.family == "keras":
                    return True
        return False

    def _site(self, call, api, name, args: Args, frame, via) -> BatchNormSite:
        flag = self._flag_from_args(api, name, args, call, via)
        collection = self._collection_from_args(api, name, args)
        keeps = args.keyword(tf_api.VARIABLES_COLLECTIONS_KEYWORD) is not None or \
            self._scope_keeps_moving_in_trainable(name, call)
        return BatchNormSite(call, api, name, flag, collection, via, frame, keeps, self._frozen(args, name))

    def _argument(self, args: Args, keyword: str, position: Optional[int]):
        """(state, Arg): the argument bound to a parameter; state given, missing or unknown."""
        arg = args.keyword(keyword)
        if arg is not None:
            return "given", arg
        if position is not None:
            positional = args.positional
            if len(positional) > position and all(item is not None for item in positional[:position + 1]):
                return "given", positional[position]
            if args.star:
                return "unknown", None
        for spread in args.spreads:
            mapping = self.resolver.arg_value(spread)
            if type(mapping) is not Mapping:
                return "unknown", None
            item = mapping.get(keyword)
            if item is not None:
                return "given", item
            if not mapping.complete:
                return "unknown", None
        return "missing", None

    def _flag_from_args(self, api, name: str, args: Args, call: CallSite, origin: str) -> Flag:
        state, arg = self._argument(args, api.flag, api.flag_position)
        if state == "given":
            return self._flag_of(arg, origin)
        if state == "unknown":
            return Flag("unknown")
        return self._flag_from_scopes(api, name, call)

    def _flag_from_scopes(self, api, name: str, call: CallSite) -> Flag:
        """The flag of a site that names none itself: an arg_scope of this module gives it,
        or may (one it cannot read, one it offers its callers, one an importer opens around
        the site's function), or nothing does."""
        found, item, _ = self.arg_scope_default(name, api.flag)
        if found:
            return self._flag_of(item, "arg_scope")
        if found is None or self.exposes_flag_scope or self._configured_by_importers(call, name):
            return Flag("unknown")
        return Flag("missing")

    def _configured_by_importers(self, call: CallSite, name: str) -> bool:
        """Whether a module of the project calls this site's function inside an arg_scope that
        sets the flag of ``name`` (slim's network modules are configured by their callers:
        ``with arg_scope(resnet_arg_scope(is_training)): resnet_v2.bottleneck(...)``)."""
        function = call.scope.function()
        if function.kind != "function" or self.project is None:
            return False
        configured = self._importer_scopes()
        return (id(function), name) in configured or (id(function), "*") in configured

    def _declared_in_arg_scope(self, call: CallSite) -> bool:
        return any(type(option) is Api and option.name in tf_api.ARG_SCOPES for option in options(self.callee(call)))

    def _importers_set_flag(self, name: str) -> bool:
        """Whether a module importing this one opens, in a ``with`` around code it builds, an
        arg_scope that sets (or may set) the flag of the batch-norm function ``name``."""
        return (_ANYWHERE, name) in self._importer_scopes()

    def _importer_scopes(self) -> Set[tuple]:
        cached = getattr(self, "_importer_scopes_cache", None)
        if cached is not None:
            return cached
        found: Set[tuple] = set()
        self._importer_scopes_cache = found
        resolver = self.resolver
        for index in self.project.importers_of(self.index, b"arg_scope"):
            for item in index.with_items:
                at = At(item.statement.scope, item.statement)
                for option in options(resolver.value(item.item.context_expr, at)):
                    if type(option) is not ApiCall or option.name not in tf_api.ARG_SCOPES:
                        continue
                    for scope_call in resolver.arg_scope_calls(option):
                        entry = self._arg_scope_entry(scope_call, None)
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

    def _flag_of(self, arg, origin: str) -> Flag:
        value = self.resolver.arg_value(arg)
        if isinstance(arg, Arg):
            return Flag("given", arg.node, self.resolver.definite_bool(value), origin, value,
                        arg.at.scope.index if arg.at is not None else None, arg.at.scope if arg.at else None)
        return Flag("given", None, self.resolver.definite_bool(value), origin, value)

    def known_api(self, name: str):
        return tf_api.BATCH_NORM_APIS.get(name) or self.wrapper_apis.get(name)

    def _collection_from_args(self, api, name: str, args: Args):
        if api.collection_arg is None:
            return UPDATE_OPS
        state, arg = self._argument(args, api.collection_arg, api.collection_position)
        if state == "given":
            return self._collection_value(self.resolver.arg_value(arg))
        if state == "unknown":
            return UPDATE_OPS
        found, item, _ = self.arg_scope_default(name, api.collection_arg)
        if found:
            return self._collection_value(self.resolver.arg_value(item))
        return UPDATE_OPS

    def _collection_value(self, value: Value):
        keys = set()
        for option in options(value):
            if type(option) is Const and option.value is None:
                keys.add(None)
            elif type(option) is Sequence:
                items = _sequence_values(self.resolver, option)
                key = self.resolver.collection_key(items[0]) if items else None
                keys.add(key or UPDATE_OPS)
            else:
                keys.add(self.resolver.collection_key(option) or UPDATE_OPS)
        if keys == {None}:
            return None
        keys.discard(None)
        return sorted(keys)[0] if len(keys) == 1 else UPDATE_OPS

    def _frozen(self, args: Args, name: str = "") -> bool:
        """``trainable=False`` beside the flag: a deliberately frozen layer."""
        state, arg = self._argument(args, "trainable", None)
        if state == "given":
            return self.resolver.definite_bool(self.resolver.arg_value(arg)) is False
        if name:
            found, item, _ = self.arg_scope_default(name, "trainable")
            if found:
                return self.resolver.definite_bool(self.resolver.arg_value(item)) is False
        return False

    def _normalizer_site(self, call: CallSite, api, name, partial_args, frame, with_params: bool) -> BatchNormSite:
        resolver = self.resolver
        at = self.at(call)
        params_arg = None
        for keyword in call.node.keywords:
            if keyword.arg == tf_api.NORMALIZER_PARAMS_KEYWORD and with_params:
                params_arg = Arg(keyword.value, at, frame)
        entries: Optional[Mapping] = None
        complete = True
        if params_arg is not None:
            params = resolver.arg_value(params_arg)
            if type(params) is Mapping:
                entries = params
                complete = params.complete
            elif type(params) is Const and params.value is None:
                entries = None
            else:
                complete = False
        flag = None
        if partial_args is not None:
            state, arg = self._argument(partial_args, api.flag, None)
            if state == "given":
                flag = self._flag_of(arg, "partial")
            elif state == "unknown":
                flag = Flag("unknown")
        if flag is None and entries is not None and entries.get(api.flag) is not None:
            flag = self._flag_of(entries.get(api.flag), "normalizer_params")
        if flag is None and not complete:
            flag = Flag("unknown")
        if flag is None:
            flag = self._flag_from_scopes(api, name, call)
            if flag.state == "missing" and self._declared_in_arg_scope(call) and self._importers_set_flag(name):
                # ``arg_scope([conv2d], normalizer_fn=batch_norm)`` in a scope factory: the batch norm
                # runs inside each conv2d, under whatever batch-norm arg_scope is open there (slim's
                # resnet_v1 opens ``arg_scope([batch_norm], is_training=...)`` around its blocks).
                flag = Flag("unknown")
        collection = UPDATE_OPS
        collection_item = entries.get(api.collection_arg) if entries is not None else None
        if partial_args is not None and partial_args.keyword(api.collection_arg) is not None:
            collection = self._collection_value(resolver.arg_value(partial_args.keyword(api.collection_arg)))
        elif collection_item is not None:
            collection = self._collection_value(resolver.arg_value(collection_item))
        else:
            found, item, _ = self.arg_scope_default(name, api.collection_arg)
            if found:
                collection = self._collection_value(resolver.arg_value(item))
        keeps = (entries is not None and entries.get(tf_api.VARIABLES_COLLECTIONS_KEYWORD) is not None) or \
            self._scope_keeps_moving_in_trainable(name, call)
        frozen = False
        if entries is not None and entries.get("trainable") is not None:
            frozen = resolver.definite_bool(resolver.arg_value(entries.get("trainable"))) is False
        return BatchNormSite(call, api, name, flag, collection, "normalizer_fn", frame, keeps, frozen,
                             params_arg.node if params_arg is not None else None)

    def _scan_lexical_sites(self) -> None:
        for call in self.index.calls:
            for site in self.sites_of_call(call):
                (self.keras_sites if site.keras else self.sites).append(site)
        # A tf.layers class built but applied where we cannot see still writes UPDATE_OPS; one
        # applied here is a site at its call (where the flag is given).
        applied = set()
        for site in self.sites:
            if site.via == "instance":
                for option in options(self.callee(site.call)):
                    if type(option) is ApiCall:
                        applied.add(id(option.node))
        self.sites = [site for site in self.sites
                      if site.via != "construction" or id(site.call.node) not in applied]
        self._lexical_by_call: Dict[int, List[BatchNormSite]] = {}
        for site in self.sites + self.keras_sites:
            self._lexical_by_call.setdefault(id(site.call.node), []).append(site)

    # -- train ops ------------------------------------------------------------------------------

    def _scan_train_ops(self) -> None:
        resolver = self.resolver
        for call in self.index.calls:
            node = call.node
            func = node.func
            if type(func) is ast.Attribute and func.attr in tf_api.TRAIN_OP_METHODS:
                if resolver.is_train_op_call(call):
                    self.train_ops.append(TrainOpInfo(call, func.attr, _argument_node(node, "loss", 0)))
                continue
            name = self.api_name(call)
            if name in tf_api.UPDATE_RUNNING_HELPERS:
                self.trains = True
                position = tf_api.UPDATE_RUNNING_HELPER_POSITION.get(name)
                arg = _argument_node(node, tf_api.UPDATE_RUNNING_HELPERS[name], position)
                if arg is not None and self._is_empty_collection(resolver.value(arg, self.at(call))):
                    loss = _argument_node(node, "total_loss", 0) or _argument_node(node, "loss", 0)
                    self.train_ops.append(TrainOpInfo(call, name.rsplit(".", 1)[-1], loss))
        if self.train_ops:
            self.trains = True

    def _is_empty_collection(self, value: Value) -> bool:
        return all(type(option) is Sequence and option.complete and not option.items for option in options(value))

    # -- modes ----------------------------------------------------------------------------------

    def _scan_modes(self) -> None:
        resolver = self.resolver
        for call in self.index.calls:
            name = self.api_name(call)
            if name == tf_api.GRADIENT_TAPE:
                self.eager_scopes.add(id(call.scope.function()))
                self.trains = True
            elif name in tf_api.GRAPH_MODE_CALLS:
                self.graph_mode = True
            elif name in tf_api.ESTIMATORS and call.node.args:
                self.graph_mode = True      # ``Estimator(model_fn)``: the model function, positionally
            elif name in tf_api.LEARNING_PHASE_SETTERS and call.node.args:
                if resolver.definite_bool(resolver.value(call.node.args[0], self.at(call))) is not False and \
                        _const_value(call.node.args[0]) == 1:
                    self.learning_phase_set = True
            elif name == tf_api.LEARNING_PHASE and _inside_feed(call):
                self.learning_phase_set = True
            func = call.node.func
            if type(func) is ast.Attribute and func.attr in tf_api.KERAS_TRAINING_METHODS:
                self.trains = True
            for keyword in call.node.keywords:
                if keyword.arg in tf_api.GRAPH_MODE_KEYWORDS:
                    self.graph_mode = True
        for op in self.train_ops:
            if op.method != "minimize" or self.in_eager_function(op.call):
                continue
            receiver = resolver.value(op.call.node.func.value, self.at(op.call))
            if any(type(option) is ApiCall and option.name.startswith(tf_api.TF1_OPTIMIZER_PREFIX)
                   for option in options(receiver)):
                self.graph_mode = True

    def called_from_graph_mode(self) -> bool:
        """A module with no graph-mode marker of its own whose importers build graphs (a
        ``model_fn``, a ``Session`` script) and run no eager training: its functions run in
        graph mode through them (RULES.md "Graph mode follows the call chain")."""
        if self.project is None:
            return False
        for importer in self.project.importers_of(self.index, b"import"):
            names = set()
            for call in importer.calls:
                func = call.node.func
                names.add(func.attr if type(func) is ast.Attribute else getattr(func, "id", None))
                names.update(keyword.arg for keyword in call.node.keywords)
            if names & tf_api.GRAPH_MODE_MARKER_NAMES and not names & tf_api.EAGER_MARKER_NAMES:
                return True
        return False

    def in_eager_function(self, call: CallSite) -> bool:
        return id(call.scope.function()) in self.eager_scopes

    # -- what runs ------------------------------------------------------------------------------

    def _walk_roots(self) -> None:
        """Follow every call from the module's roots through the project, in frames."""
        called: Set[int] = set()
        for call in self.index.calls:
            for option in options(self.callee(call)):
                for scope in self._scopes_run_by(option):
                    if scope is not call.scope.function():
                        called.add(id(scope))
        self._budget = _MAX_WALK
        self._walked: Set[tuple] = set()
        for scope in self.index.scopes:
            if scope.kind in ("lambda", "comprehension"):
                continue
            if scope.kind == "module" or id(scope) not in called:
                if scope.kind == "class":
                    continue        # its methods are roots or reached on their own
                self._walk_scope(scope, None, ())

    def _scopes_run_by(self, value: Value) -> List[Scope]:
        kind = type(value)
        if kind is Function and value.scope is not None:
            return [value.scope]
        if kind is Class:
            return [m for m in (self._method(value, "__init__"), self._method(value, "build")) if m is not None]
        if kind is Instance:
            return [m for m in (self._method(value.cls, "__call__"), self._method(value.cls, "call")) if m is not None]
        if kind is Partial:
            return self._scopes_run_by(value.target)
        return []

    def _method(self, cls: Class, name: str) -> Optional[Scope]:
        for entry in self.resolver.mro(cls):
            if type(entry) is not Class:
                continue
            for binding in reversed(entry.scope.bindings.get(name, ())):
                if binding.kind == "def":
                    return entry.scope.index.scope_of(binding.value)
        return None

    def _walk_scope(self, scope: Scope, frame, chain: tuple) -> None:
        key = (id(scope), id(frame))
        if key in self._walked or self._budget <= 0:
            return
        self._walked.add(key)
        for call in _calls_run_in(scope):
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
        for site in self.sites_of_call(call, frame) if (frame is not None or call.scope.index is not self.index) \
                else self._lexical_sites_of(call):
            reached = Reached(site, here)
            self.reached.append(reached)
            for link in here:
                if link.scope.index is self.index:
                    self.calls_reaching.setdefault(id(link.node), []).append(reached)
        resolver = self.resolver
        callee = self.callee(call, frame)
        for option in options(callee):
            targets = []
            kind = type(option)
            if kind is Function and option.scope is not None:
                targets.append((option.scope, option.bound, option.frame))
            elif kind is Partial and type(option.target) is Function:
                targets.append((option.target.scope, option.target.bound, option.target.frame))
            elif kind is Class:
                for method in ("__init__", "build"):
                    scope = self._method(option, method)
                    if scope is not None:
                        targets.append((scope, "new", None))
            elif kind is Instance:
                for method in ("__call__", "call"):
                    scope = self._method(option.cls, method)
                    if scope is not None:
                        targets.append((scope, option, None))
                        break
            for scope, bound, parent in targets:
                at = self.at(call)
                args = resolver.call_args(call.node, at, frame)
                if kind is Partial:
                    args = option.args.then(args)
                if bound == "new":
                    bound = Instance(option, call.node, args, at, frame)
                    if scope.name != "__init__":
                        args = NO_ARGS
                callee_frame = resolver.frame(scope, call.node, args, bound, parent, frame)
                if callee_frame is None:
                    continue
                self._walk_scope(scope, callee_frame, here)

    def _lexical_sites_of(self, call: CallSite) -> List[BatchNormSite]:
        return self._lexical_by_call.get(id(call.node), [])

    # ------------------------------------------------------------------------------------------
    # Questions the rules ask

    def counting_sites(self) -> List[Reached]:
        """Reached UPDATE_OPS sites whose flag can be on."""
        return [reached for reached in self.reached if reached.site.writes_update_ops]

    def required_collections(self, op: Optional[TrainOpInfo] = None) -> Set[str]:
        handled = self.handling(op).keys if op is not None else ()
        return {reached.site.collection for reached in self.counting_sites()
                if op is None or not (self.exclusive(reached, op) or self._own_updates_run(reached, handled))}

    def _own_updates_run(self, reached: Reached, handled) -> bool:
        """The site is a layer object's call, and the train op depends on that object's
        ``.updates``: its update ops run, whatever the collections hold."""
        if not any(key.startswith(_LAYER_UPDATES) for key in handled):
            return False
        site = reached.site
        value = self.resolver.value(site.call.node.func, At(site.call.scope, site.call.statement), site.frame)
        layers = [option for option in options(value) if type(option) is ApiCall]
        return bool(layers) and all(_layer_updates_key(layer.node) in handled for layer in layers)

    def all_literal_true(self, op: Optional[TrainOpInfo] = None) -> bool:
        """Every counting site's flag is the literal True: the moving statistics are never
        read by this graph (RULES: "Effective flag")."""
        # Every layer of the graph, not only those that make update ops: one built with False
        # (an inference tower sharing the variables) does read the moving statistics.
        layers = [reached for reached in self.reached
                  if not reached.site.keras and reached.site.collection is not None
                  and (op is None or not self.exclusive(reached, op))]
        if not (any(reached.site.writes_update_ops for reached in layers) and
                all(reached.site.flag.literal is True for reached in layers)):
            return False
        # Every True only through parameter defaults that the calls leave in place, with no
        # flag at hand to report them with: nothing else would be reported, and a program that
        # trains batch norm without its updates never ends with no finding (RULES.md).
        return not all(self._left_default(reached.site.flag) for reached in layers)

    def _left_default(self, flag) -> bool:
        return any(type(option) is Const and self.resolver.default_of(option.node) is not None
                   for option in options(flag.value))

    def exclusive(self, reached: Reached, op: TrainOpInfo) -> bool:
        """The site and the train op sit in opposite branches of tests with the same text."""
        return self._exclusive_guards(reached, _guards(op.call.context, None, self.resolver))

    def _exclusive_guards(self, reached: Reached, guards) -> bool:
        if not guards:
            return False
        site_guards = self._site_guards(reached)
        return any((text, 1 - branch) in site_guards for text, branch in guards)

    def _site_guards(self, reached: Reached) -> set:
        """The branch conditions a site is built under, a wrapper's parameter read as its
        caller's argument (``if use_bn:`` in a wrapper called with ``use_bn=self.batch_norm``
        is ``if self.batch_norm:``)."""
        site = reached.site
        found = set(_guards(site.call.context, site.frame, self.resolver))
        frame = site.frame
        while frame is not None:
            index = frame.caller.scope.index if frame.caller is not None else self.index
            call = index.call_site(frame.node) if frame.node is not None else None
            if call is not None:
                found |= set(_guards(call.context, frame.caller, self.resolver))
            frame = frame.caller
        return found

    # -- carriers and handling ------------------------------------------------------------------

    def carried_value(self, value: Value, through_dependencies: bool = True, reads: Optional[list] = None,
                      depth: int = 0) -> Set[str]:
        """The collections whose ops running ``value`` runs (RULES: "Carries update ops")."""
        keys: Set[str] = set()
        if depth > 12:
            return keys
        for option in options(value):
            kind = type(option)
            if kind is CollectionRead:
                if option.key is None:
                    continue
                keys.add(option.key)
                if reads is not None and option.key == UPDATE_OPS:
                    reads.append(option)
                if option.key != UPDATE_OPS and through_dependencies:
                    keys |= self._collection_members(option.key, reads, depth)
            elif kind is KerasUpdates:
                keys.add(KERAS_UPDATES)
                for layer in options(option.model):
                    # ``bn.updates`` of a ``tf.layers.BatchNormalization`` object: that layer's own
                    # update ops, whatever collection they also went to.
                    if type(layer) is ApiCall and layer.name in tf_api.BATCH_NORM_APIS:
                        keys.add(_layer_updates_key(layer.node))
            elif kind is Sequence:
                # A filtered selection (``[op for op in update_ops if op not in before]``) runs the
                # ops its author picked: it carries them, but it is no read that layers built
                # later were meant to join (BNU004).
                item_reads = None if option.kind == "selection" else reads
                for item in option.items:
                    keys |= self._carried_item(item, through_dependencies, item_reads, depth + 1)
            elif kind is ApiCall:
                if option.name in tf_api.SUMMARY_MERGE_ALL_SET and through_dependencies:
                    keys |= self._summaries_carry(reads, depth)
                    continue
                for item in option.args.positional:
                    if item is not None:
                        keys |= self._carried_item(item, through_dependencies, reads, depth + 1)
                for _, item in option.args.keywords:
                    keys |= self._carried_item(item, through_dependencies, reads, depth + 1)
                for item in option.args.spreads + option.args.starred:
                    keys |= self._carried_item(item, through_dependencies, reads, depth + 1)
                if through_dependencies and option.at is not None:
                    keys |= self.dependency_keys(option.node, option.at, option.frame, reads, depth + 1)
            elif kind is InstanceCall and through_dependencies and option.at is not None:
                keys |= self.dependency_keys(option.node, option.at, option.frame, reads, depth + 1)
        return keys

    def _carried_item(self, item, through_dependencies, reads, depth) -> Set[str]:
        if type(item) is Spread:
            item = item.arg
        if isinstance(item, Value):
            return self.carried_value(item, through_dependencies, reads, depth)
        value = self.resolver.arg_value(item)
        keys = self.carried_value(value, through_dependencies, reads, depth)
        if not keys and _unknown(value) and _update_named(item.node):
            keys.add(ANY_UPDATES)
        return keys

    def carried_expression(self, node, at: At, frame=None, through_dependencies=True, reads=None) -> Set[str]:
        value = self.resolver.value(node, at, frame)
        keys = self.carried_value(value, through_dependencies, reads)
        if not keys and _unknown(value) and _update_named(node):
            keys.add(ANY_UPDATES)
        return keys

    def _collection_members(self, key: str, reads, depth) -> Set[str]:
        """``tf.add_to_collection("loss", loss)`` then ``tf.get_collection("loss")``."""
        keys: Set[str] = set()
        for call in self.index.calls:
            func = call.node.func
            if getattr(func, "attr", getattr(func, "id", None)) != "add_to_collection" or len(call.node.args) < 2:
                continue
            if self.resolver.collection_key(self.resolver.value(call.node.args[0], self.at(call))) == key:
                keys |= self.carried_value(self.resolver.value(call.node.args[1], self.at(call)), True, reads,
                                           depth + 1)
        return keys

    def _summaries_carry(self, reads, depth) -> Set[str]:
        keys: Set[str] = set()
        for call in self.index.calls:
            if self.api_name(call) in tf_api.SUMMARY_CALLS and self.api_name(call) not in tf_api.SUMMARY_MERGE_ALL_SET:
                for arg in call.node.args[1:]:
                    keys |= self.carried_value(self.resolver.value(arg, self.at(call)), True, reads, depth + 1)
        return keys

    def dependency_keys(self, node, at: At, frame, reads=None, depth: int = 0,
                        consumers: Optional[list] = None) -> Set[str]:
        """What the ``control_dependencies(D)`` blocks around a node (same function) carry."""
        site = at.scope.index.call_site(node) if type(node) is ast.Call else None
        context = site.context if site is not None else (
            at.statement.context if at.statement is not None else None)
        keys: Set[str] = set()
        for entry in within_function(context):
            if entry.kind != WITH:
                continue
            items = entry.node.items if entry.part == -1 else entry.node.items[:entry.part]
            statement = at.scope.index.statement_of_node.get(id(entry.node))
            for item in items:
                expr = item.context_expr
                if not _is_control_dependencies(expr) or not expr.args:
                    continue
                found: list = []
                keys |= self.carried_expression(expr.args[0], At(at.scope, statement), frame, True, found)
                if reads is not None:
                    reads.extend(found)
                if consumers is not None:
                    consumers.extend((read, at.scope.index.call_site(expr)) for read in found)
        return keys

    def handling(self, op: TrainOpInfo) -> Handling:
        key = id(op.call.node)
        found = self._handling.get(key)
        if found is None:
            found = self._handling[key] = self._compute_handling(op)
        return found

    def _compute_handling(self, op: TrainOpInfo) -> Handling:
        handling = Handling()
        consumers: list = []
        at = self.at(op.call)
        # 1. lexically inside control_dependencies(D), D carrying update ops, same function; or
        #    built in a function every call of which is (TensorFlow applies the open dependency).
        handling.keys |= self.dependency_keys(op.call.node, at, None, consumers=consumers)
        handling.keys |= self._callers_dependency_keys(op.call.scope.function(), consumers, set())
        # 2. combined with update ops into one op; 3. fetched by a run with them.
        bare_returned = self._returns_the_bare_op(op)
        for call, references, keys, reads in self._combinations():
            if op.call.node in references and not bare_returned:
                handling.keys |= keys
                consumers.extend((read, call) for read in reads)
        for call, fetched_ops, keys, reads in self._runs():
            if fetched_ops and id(op.call.node) not in fetched_ops:
                continue
            handling.keys |= keys
            consumers.extend((read, call) for read in reads)
        handling.reads = consumers
        return handling

    def _returns_the_bare_op(self, op: TrainOpInfo) -> bool:
        """The function hands back the train op itself, not the op combined with the update
        ops (RULES.md handled form 2: the combined op counts only where it is what is run,
        returned or passed on instead of the bare op)."""
        function = op.call.scope.function()
        if function.kind != "function":
            return False
        for node, statement in function.returns:
            value = self.resolver.value(node, At(function, statement))
            if all(type(option) is TrainOp and option.site is op.call for option in options(value)):
                return True
        return False

    def _combinations(self):
        """Grouping and ``control_dependencies`` calls: (call, train-op calls they reference,
        keys they carry, reads)."""
        cached = getattr(self, "_combinations_cache", None)
        if cached is not None:
            return cached
        found = []
        for call in self.index.calls:
            node = call.node
            is_dependency = _is_control_dependencies(node)
            if not is_dependency and self.api_name(call) not in tf_api.GROUPING_CALLS:
                continue
            at = self.at(call)
            references: Set[int] = set()
            reads: list = []
            keys: Set[str] = set()
            for arg in list(node.args) + [keyword.value for keyword in node.keywords]:
                value = self.resolver.value(arg, at)
                references |= self.train_ops_in(value)
                keys |= self.carried_expression(arg, at, None, True, reads)
            if is_dependency and references:
                built = self._ops_built_in_block(call, reads)
                if built is not None:
                    # The ops built in the block depend on the train op and on every
                    # control_dependencies block open around it (nested ``with`` blocks).
                    keys |= built | self.dependency_keys(node, at, None, reads)
            if references:
                found.append((call, {node_ for node_ in self._train_op_nodes(references)}, keys, reads))
        self._combinations_cache = found
        return found

    def _train_op_nodes(self, ids: Set[int]):
        return [op.call.node for op in self.train_ops if id(op.call.node) in ids]

    def _runs(self):
        """Run calls (not evaluation runs) and what their fetches carry."""
        cached = getattr(self, "_runs_cache", None)
        if cached is not None:
            return cached
        found = []
        for call in self.index.calls:
            func = call.node.func
            if type(func) is not ast.Attribute or func.attr not in tf_api.RUN_METHODS:
                continue
            fetch = _argument_node(call.node, tf_api.FETCH_KEYWORD, 0)
            if fetch is None or self.is_evaluation_run(call):
                continue
            at = self.at(call)
            value = self.resolver.value(fetch, at)
            alternatives = options(value)
            if len(alternatives) > 1 and any(self.train_ops_in(option) for option in alternatives):
                # Bindings are alternatives (RULES.md): ``self.train_op`` bound bare in one method
                # and grouped with the update ops in another is fetched as one or the other, so
                # each alternative handles only the train ops it holds.
                for option in alternatives:
                    reads: list = []
                    ops = self.train_ops_in(option)
                    keys = self.carried_value(option, bool(ops), reads)
                    if keys:
                        found.append((call, ops, keys, reads))
                continue
            reads = []
            ops = self.train_ops_in(value)
            keys = self.carried_expression(fetch, at, None, bool(ops), reads)
            if keys:
                # A run that fetches known train ops handles those (the binding that reaches the
                # run, in execution order); one that fetches none it can name handles any.
                found.append((call, ops, keys, reads))
        self._runs_cache = found
        return found

    def train_ops_in(self, value: Value, depth: int = 0) -> Set[int]:
        """The train-op calls (ids of their nodes) a value is or contains."""
        found: Set[int] = set()
        if depth > 10:
            return found
        for option in options(value):
            kind = type(option)
            if kind is TrainOp:
                found.add(id(option.site.node))
            elif kind is Sequence:
                for item in option.items:
                    if type(item) is Spread:
                        item = item.arg
                    found |= self.train_ops_in(item if isinstance(item, Value) else self.resolver.arg_value(item),
                                               depth + 1)
            elif kind is ApiCall and option.name in tf_api.GROUPING_CALLS | tf_api.PASS_THROUGH_CALLS:
                for item in option.args.positional + option.args.starred:
                    if item is not None:
                        found |= self.train_ops_in(self.resolver.arg_value(item), depth + 1)
        return found

    def _ops_built_in_block(self, dependency: CallSite, reads: list) -> Optional[Set[str]]:
        """``with tf.control_dependencies([train_op]): train_op = tf.group(*update_ops)``: what
        the ops built in the block carry (None when the block builds no op)."""
        keys: Optional[Set[str]] = None
        for call in self.index.calls:
            for entry in within_function(call.context):
                if entry.kind == WITH and any(item.context_expr is dependency.node for item in entry.node.items):
                    if call.node is dependency.node:
                        break
                    keys = keys or set()
                    keys |= self.carried_value(self.resolver.value(call.node, self.at(call)), False, reads)
                    break
        return keys

    def _callers_dependency_keys(self, function: Scope, consumers: list, seen: Set[int]) -> Set[str]:
        if function.kind != "function" or id(function) in seen:
            return set()
        seen.add(id(function))
        callers = self.callers(function)
        if not callers:
            return set()
        common: Optional[Set[str]] = None
        counting = self.counting_sites()
        for caller in callers:
            caller_guards = _guards(caller.context, None, self.resolver)
            if counting and all(self._exclusive_guards(reached, caller_guards) for reached in counting):
                continue    # this call path never meets a batch-norm layer (``if use_bn: ... else: ...``)
            found: list = []
            keys = self.dependency_keys(caller.node, self.at(caller), None, consumers=found)
            keys |= self._callers_dependency_keys(caller.scope.function(), found, seen)
            common = keys if common is None else common & keys
            consumers.extend(found)
        if common is None:
            return {ANY_UPDATES} if counting else set()
        return common

    def is_evaluation_run(self, call: CallSite) -> bool:
        """A run that feeds the training flag False changes no statistics (measured)."""
        feed = _argument_node(call.node, tf_api.FEED_KEYWORD, 1)
        if feed is None:
            return False
        value = self.resolver.value(feed, self.at(call))
        if type(value) is not Mapping and type(feed) is not ast.Dict:
            return False
        node = value.node if type(value) is Mapping else feed
        if type(node) is not ast.Dict:
            return False
        for key, item in zip(node.keys, node.values):
            if key is None:
                continue
            if self.resolver.definite_bool(self.resolver.value(item, self.at(call))) is False \
                    and self.is_flag_expression(key):
                return True
        return False

    # -- flags ----------------------------------------------------------------------------------

    def flag_names(self) -> Tuple[str, ...]:
        return tf_api.SAFE_FLAG_NAMES + tf_api.UNSAFE_FLAG_NAMES + tuple(self.settings.training_names)

    def is_flag_expression(self, expr) -> bool:
        """A training-flag name, attribute, or a test built from one (``mode == TRAIN``)."""
        names = self.flag_names()
        kind = type(expr)
        if kind is ast.Name:
            return expr.id in names or expr.id == tf_api.MODE_PARAMETER or "train" in expr.id.lower()
        if kind is ast.Attribute:
            return expr.attr in names or expr.attr == "TRAIN" or "train" in expr.attr.lower() or \
                self.is_flag_expression(expr.value)
        if kind is ast.UnaryOp:
            return self.is_flag_expression(expr.operand)
        if kind is ast.Compare:
            return self.is_flag_expression(expr.left) or any(self.is_flag_expression(c) for c in expr.comparators)
        if kind is ast.BoolOp:
            return any(self.is_flag_expression(value) for value in expr.values)
        if kind is ast.Call:
            return self.is_flag_expression(expr.func) or any(self.is_flag_expression(a) for a in expr.args)
        return False

    def chosen_by_training_flag(self, context, node=None) -> bool:
        """A point that sits in a branch picked by a training flag: an ``if``/conditional
        expression on the flag, or a ``tf.cond(flag, ...)`` branch."""
        for entry in contexts(context):
            if entry.kind in (IF, IFEXP) and entry.part >= 0 and branch_test(entry) is not None \
                    and self.is_flag_expression(branch_test(entry)):
                return True
            if entry.kind == ARG:
                call = entry.node
                func = call.func
                name = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
                if name in ("cond", "case", "smart_cond") and call.args and self.is_flag_expression(call.args[0]):
                    return True
        return False

    # -- Keras ----------------------------------------------------------------------------------

    def keras_bn(self, value: Value, depth: int = 0) -> Optional[bool]:
        """None unless ``value`` is a Keras model or layer containing batch norm; then whether
        it is Keras 2 (``tf.keras``/``tf_keras``, which has ``.updates``)."""
        if depth > 6:
            return None
        for option in options(value):
            found = self._keras_bn_one(option, depth)
            if found is not None:
                return found
        return None

    def _keras_bn_one(self, value: Value, depth: int) -> Optional[bool]:
        kind = type(value)
        resolver = self.resolver
        if kind is ApiCall:
            name = value.name
            keras2 = name.startswith(tf_api.KERAS2_ROOTS)
            api = tf_api.BATCH_NORM_APIS.get(name)
            if api is not None and api.family == "keras":
                return keras2
            if name.startswith(tf_api.KERAS_APPLICATION_PREFIXES) and \
                    name.rsplit(".", 1)[-1] in tf_api.KERAS_APPLICATIONS_WITH_BATCH_NORM:
                return keras2
            if name in tf_api.KERAS_MODEL_CLASSES:
                if name.endswith("Sequential"):
                    for element in self.sequential_layers(value) or ():
                        if self.keras_bn(element, depth + 1) is not None:
                            return keras2
                    return None
                # A functional model: its outputs come out of a batch-norm layer, or the function
                # that builds it applies one.
                outputs = value.args.keyword("outputs") or (value.args.positional[1] if len(
                    value.args.positional) > 1 else None)
                if outputs is not None and self._tensor_through_keras_bn(resolver.arg_value(outputs), depth):
                    return keras2
                if value.at is not None and self._scope_applies_keras_bn(value.at.scope.function()):
                    return keras2
            return None
        if kind is Instance:
            if self._keras_bn_subclass(value.cls):
                bases = [entry for entry in self.resolver.mro(value.cls) if type(entry) is Api]
                return all(base.name.startswith(tf_api.KERAS2_ROOTS) for base in bases)
            return self._class_keras_bn(value.cls, depth)
        if kind is ParamValue:
            # A function parameter holds a model when a call of that function passes one.
            for argument in self.arguments_passed(value.param):
                found = self.keras_bn(argument, depth + 1)
                if found is not None:
                    return found
        return None

    def arguments_passed(self, param) -> List[Value]:
        """What the calls of the parameter's function in this module pass for it."""
        scope = param.scope
        if scope.kind != "function" or scope.index is not self.index:
            return []
        found = []
        shift = 1 if scope.parent is not None and scope.parent.kind == "class" else 0
        for call in self.callers(scope):
            at = self.at(call)
            for keyword in call.node.keywords:
                if keyword.arg == param.name:
                    found.append(self.resolver.value(keyword.value, at))
            position = (param.position - shift) if param.position is not None else None
            if position is not None and 0 <= position < len(call.node.args) and \
                    not any(type(arg) is ast.Starred for arg in call.node.args[:position + 1]):
                found.append(self.resolver.value(call.node.args[position], at))
        return found

    def sequential_layers(self, sequential: ApiCall) -> Optional[List[Value]]:
        """The layers of a ``Sequential``: its list argument, and what ``.add(...)`` adds to it
        anywhere in this module. None when some layer cannot be seen."""
        resolver = self.resolver
        layers: List[Value] = []
        first = sequential.args.positional[0] if sequential.args.positional else sequential.args.keyword("layers")
        if first is not None:
            layers.extend(_sequence_values(resolver, resolver.arg_value(first)))
        index = sequential.at.scope.index if sequential.at is not None else self.index
        for call in self._add_calls(index):
            receiver = resolver.value(call.node.func.value, self.at(call))
            # The same construction, whichever frame built it (a ``make_model()`` helper).
            if any(type(option) is ApiCall and option.node is sequential.node for option in options(receiver)) \
                    and call.node.args:
                layers.append(resolver.value(call.node.args[0], self.at(call)))
        if any(option is UNKNOWN for layer in layers for option in options(layer)):
            return None
        return layers

    def _add_calls(self, index: ModuleIndex) -> List[CallSite]:
        cache = self.__dict__.setdefault("_add_calls_cache", {})
        found = cache.get(id(index))
        if found is None:
            found = cache[id(index)] = [call for call in index.calls
                                        if type(call.node.func) is ast.Attribute and call.node.func.attr == "add"]
        return found

    def loss_provenance(self) -> Set[int]:
        """id() of every call node the module's train-op losses are computed through, as far as
        the resolver follows them (calls made inside project functions count as the call that
        ran the function): what can reach a train op's loss (RULES.md "Reach")."""
        if self._loss_provenance is not None:
            return self._loss_provenance
        found: Set[int] = set()
        self._loss_provenance = found
        resolver = self.resolver
        pending = []
        for op in self.train_ops:
            expr = op.loss if op.loss is not None else (op.call.node.args[0] if op.call.node.args else None)
            if expr is not None:
                pending.append(resolver.value(expr, self.at(op.call)))
                found |= self._written_provenance(expr, self.at(op.call))
        seen: Set[int] = set()
        budget = _LOSS_PROVENANCE_BUDGET
        while pending and budget > 0:
            for option in options(pending.pop()):
                budget -= 1
                if id(option) in seen:
                    continue
                seen.add(id(option))
                kind = type(option)
                if kind in (ApiCall, InstanceCall):
                    found.add(id(option.node))
                    frame = option.frame
                    while frame is not None:
                        if frame.node is not None:
                            found.add(id(frame.node))
                        frame = frame.caller
                    inputs = list(option.args.positional) + [item for _, item in option.args.keywords] + \
                        list(option.args.starred)
                    if kind is InstanceCall:
                        pending.append(option.receiver)
                elif kind is Sequence:
                    inputs = [item.arg if type(item) is Spread else item for item in option.items]
                elif kind is TrainOp:
                    continue
                else:
                    continue
                pending.extend(resolver.arg_value(item) for item in inputs if item is not None)
        return found

    def _written_provenance(self, expr, at: At) -> Set[int]:
        """The calls an expression is written in terms of, through the names of its function
        that reach it: where the resolver cannot see a value (a helper it cannot import,
        ``ctc_loss(train_logits, ...)``), the loss still comes from the arguments it is given."""
        found: Set[int] = set()
        pending = [(expr, at)]
        visited: Set[int] = set()
        budget = _LOSS_PROVENANCE_BUDGET
        while pending and budget > 0:
            node, where = pending.pop()
            budget -= 1
            if id(node) in visited:
                continue
            visited.add(id(node))
            kind = type(node)
            if kind is ast.Name:
                for binding in self.resolver.reaching(node.id, where):
                    if binding.kind in ("assign", "for", "with", "augassign") and binding.value is not None:
                        pending.append((binding.value, At(binding.scope, binding.statement)))
                for mutation in where.scope.index.mutations.get(node.id, ()):
                    # ``tower_losses.append(loss)``: what the list was given.
                    if mutation.value is not None and mutation.statement.scope is where.scope:
                        pending.append((mutation.value, At(mutation.statement.scope, mutation.statement)))
                continue
            if kind is ast.Call:
                found.add(id(node))
                if type(node.func) is ast.Attribute:
                    pending.append((node.func.value, where))
                pending.extend((arg, where) for arg in node.args)
                pending.extend((keyword.value, where) for keyword in node.keywords)
                continue
            if kind is ast.Lambda:
                continue
            if kind in (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp):
                pending.extend((generator.iter, where) for generator in node.generators)
            pending.extend((child, where) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))
        return found

    def separate_tower(self, call: CallSite, calls: Iterable[CallSite]) -> bool:
        """The call's output provably stays off every train op's loss while another of ``calls``
        (a tower of the same kind) is on it: an evaluation tower (RULES.md "Towers and modes")."""
        provenance = self.loss_provenance()
        if not provenance or id(call.node) in provenance:
            return False
        return any(other is not call and id(other.node) in provenance for other in calls)

    def _tensor_through_keras_bn(self, value: Value, depth: int) -> bool:
        """Whether a tensor of a functional model comes out of a Keras batch-norm layer: followed
        back through layer calls and TensorFlow ops, along every input, lists included
        (``Add()([x, y])``, ``Concatenate()([...])``, ``tf.concat([...])``, ``outputs=[...]``)."""
        resolver = self.resolver
        pending = [value]
        seen: Set[int] = set()
        budget = _TENSOR_PROVENANCE_BUDGET
        while pending and budget > 0:
            for option in options(pending.pop()):
                budget -= 1
                if id(option) in seen:
                    continue
                seen.add(id(option))
                kind = type(option)
                if kind is InstanceCall:
                    if self.keras_bn(option.receiver, depth + 1) is not None:
                        return True
                    inputs = list(option.args.positional) + [item for _, item in option.args.keywords]
                elif kind is ApiCall:
                    inputs = list(option.args.positional) + list(option.args.starred)
                elif kind is Sequence:
                    inputs = [item.arg if type(item) is Spread else item for item in option.items]
                else:
                    continue
                pending.extend(resolver.arg_value(item) for item in inputs if item is not None)
        return False

    def _scope_applies_keras_bn(self, scope: Scope) -> bool:
        key = id(scope)
        if key not in self._keras_scopes:
            self._keras_scopes[key] = False
            self._keras_scopes[key] = any(
                self.keras_bn(self.resolver.value(call.node.func, At(call.scope, call.statement))) is not None
                for call in _calls_run_in(scope))
        return self._keras_scopes[key]

    def _class_keras_bn(self, cls: Class, depth: int) -> Optional[bool]:
        key = id(cls.scope)
        if key in self._keras:
            return self._keras[key]
        self._keras[key] = None
        bases = [entry for entry in self.resolver.mro(cls) if type(entry) is Api]
        # A plain Python class counts when its ``__call__`` takes ``training`` defaulting to None
        # and forwards it: called without it, the Keras layers inside read the learning phase.
        plain = not any(base.name.startswith(tf_api.KERAS_PREFIXES) for base in bases)
        if plain and not self._call_defaults_training_to_none(cls):
            return None
        keras2 = all(base.name.startswith(tf_api.KERAS2_ROOTS) for base in bases)
        found = None
        for entry in self.resolver.mro(cls):
            if type(entry) is not Class:
                continue
            for method in entry.scope.children:
                if method.kind != "function":
                    continue
                for call in _calls_run_in(method):
                    callee = self.resolver.value(call.node.func, At(call.scope, call.statement))
                    keras_apis = [option for option in options(callee) if type(option) is Api
                                  and tf_api.BATCH_NORM_APIS.get(option.name) is not None
                                  and tf_api.BATCH_NORM_APIS[option.name].family == "keras"]
                    if keras_apis:
                        found = keras_apis[0].name.startswith(tf_api.KERAS2_ROOTS) if plain else keras2
                        break
                    value = self.resolver.value(call.node, At(call.scope, call.statement))
                    inner = self.keras_bn(value, depth + 1)
                    if inner is not None:
                        found = inner if plain else keras2
                        break
                if found is not None:
                    break
            if found is not None:
                break
        self._keras[key] = found
        return found

    def _call_defaults_training_to_none(self, cls: Class) -> bool:
        for entry in self.resolver.mro(cls):
            if type(entry) is not Class:
                continue
            for method in entry.scope.children:
                if method.kind == "function" and method.name == "__call__":
                    param = method.param(tf_api.KERAS_TRAINING_ARGUMENT)
                    return param is not None and type(param.default) is ast.Constant and param.default.value is None
        return False


# ----------------------------------------------------------------------------------------------
# Helpers


def build_model(index: ModuleIndex, resolver: Resolver, settings, source) -> ModuleModel:
    return ModuleModel(index, resolver, settings, source).build()


def _calls_run_in(scope: Scope) -> Iterable[CallSite]:
    """The calls a scope's body makes when it runs: its own, and those of the lambdas and
    comprehensions inside it (not nested functions or classes: they run when called)."""
    yield from scope.calls
    for child in scope.children:
        if child.kind in ("lambda", "comprehension"):
            yield from _calls_run_in(child)


def _calls_in_with(index: ModuleIndex, with_node) -> List[CallSite]:
    """The calls made in a ``with`` block's body (same function)."""
    found = []
    for call in index.calls:
        for entry in within_function(call.context):
            if entry.kind == WITH and entry.node is with_node and entry.part == -1:
                found.append(call)
                break
    return found


def _sequence_values(resolver: Resolver, value: Value, depth: int = 0) -> List[Value]:
    found: List[Value] = []
    if depth > 4:
        return found
    for option in options(value):
        if type(option) is Sequence:
            for item in option.items:
                if type(item) is Spread:
                    found.extend(_sequence_values(resolver, resolver.arg_value(item.arg), depth + 1))
                else:
                    found.append(resolver.arg_value(item))
        else:
            found.append(option)
    return found


def _argument_node(call: ast.Call, keyword: str, position: Optional[int]):
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    if position is not None:
        positional = []
        for arg in call.args:
            if type(arg) is ast.Starred:
                break
            positional.append(arg)
        if len(positional) > position:
            return positional[position]
    return None


def _may_be_arg_scope(node: ast.Call) -> bool:
    """Calls that may make an arg_scope: slim's own, and the project's scope functions, which
    real code names after it (``safe_arg_scope``, ``training_scope``, ``resnet_arg_scope``).
    Evaluating every call of a module to find them was measured at a third of the analysis."""
    func = node.func
    name = func.attr if type(func) is ast.Attribute else getattr(func, "id", "")
    return "scope" in name.lower()


def _const_value(node):
    return node.value if type(node) is ast.Constant else None


def _inside_feed(call: CallSite) -> bool:
    """The call is fed: inside a ``feed_dict=`` argument, or a key of a dict literal (a feed
    dict built before the ``run``)."""
    for entry in contexts(call.context):
        if entry.kind == ARG:
            for keyword in entry.node.keywords:
                if keyword.arg == tf_api.FEED_KEYWORD:
                    return True
    statement = call.statement.node if call.statement is not None else None
    if statement is not None:
        for node in ast.walk(statement):
            if type(node) is ast.Dict and any(key is call.node for key in node.keys):
                return True
    return False


def _is_control_dependencies(node) -> bool:
    if type(node) is not ast.Call:
        return False
    func = node.func
    name = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
    return name == tf_api.CONTROL_DEPENDENCIES


def _unknown(value: Value) -> bool:
    return all(type(option) in (type(UNKNOWN), ParamValue) for option in options(value))


def _update_named(node) -> bool:
    if type(node) is ast.Name:
        return bool(tf_api.UPDATE_NAME_HEURISTIC.search(node.id))
    if type(node) is ast.Attribute:
        return bool(tf_api.UPDATE_NAME_HEURISTIC.search(node.attr))
    return False


_LAYER_UPDATES = "layer-updates:"


def _layer_updates_key(node) -> str:
    """The handling key of one batch-norm layer object's ``.updates`` (its construction call)."""
    return f"{_LAYER_UPDATES}{id(node)}"


# Callers followed up when asking which ``with G.as_default():`` a call is built in.
_GRAPH_CALL_DEPTH = 4


def graph_blocks(context) -> Set[str]:
    """The ``with G.as_default():`` blocks around a point (G by its spelling)."""
    found: Set[str] = set()
    for entry in contexts(context):
        if entry.kind != WITH:
            continue
        items = entry.node.items if entry.part == -1 else entry.node.items[:entry.part]
        for item in items:
            expr = item.context_expr
            if type(expr) is ast.Call and type(expr.func) is ast.Attribute and \
                    expr.func.attr == tf_api.GRAPH_SCOPE_METHOD:
                found.add(ast.dump(expr.func.value))
    return found


# Values visited when following a functional model's tensors back to their layers, and when
# following the train ops' losses back to the calls they are computed through.
_TENSOR_PROVENANCE_BUDGET = 400
_LOSS_PROVENANCE_BUDGET = 4000


def _guards(context, frame, resolver) -> List[Tuple[str, int]]:
    """(test text, branch) of every ``if`` around a point; ``if not C`` counts as C's else; a
    parameter given by the frame's call reads as the argument it was given."""
    guards = []
    for entry in contexts(context):
        if entry.kind in (DEF, CLASS):
            break
        if entry.kind == IF and type(entry.node) is ast.If and entry.part >= 0:
            tests = [entry.node.test]
            if entry.part == 0 and type(entry.node.test) is ast.BoolOp and type(entry.node.test.op) is ast.And:
                tests.extend(entry.node.test.values)     # ``C and D`` holds: so does each of them
            for test in tests:
                branch = entry.part
                if type(test) is ast.UnaryOp and type(test.op) is ast.Not:
                    test = test.operand
                    branch = 1 - branch
                guards.append((_guard_text(test, frame), branch))
    return guards


def _guard_text(test, frame, depth: int = 0) -> str:
    if type(test) is ast.Name and frame is not None and depth < 6:
        param = frame.scope.param(test.id)
        if param is not None:
            given = frame.args.keyword(param.name)
            if given is None and param.position is not None:
                shift = 1 if frame.bound is not None and frame.scope.parent is not None and \
                    frame.scope.parent.kind == "class" else 0
                position = param.position - shift
                if 0 <= position < len(frame.args.positional):
                    given = frame.args.positional[position]
            if given is not None and getattr(given, "node", None) is not None:
                return _guard_text(given.node, given.frame, depth + 1)
    return ast.dump(test)
