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
from .facts.arg_scopes import ArgScopes
from .facts.records import BatchNormSite, Flag, Handling, Reached, TrainOpInfo
from .evaluate import LAYER_UPDATES, Evaluator, calls_run_in, is_control_dependencies, layer_updates_key
from .index import ARG, IF, IFEXP, WITH, CallSite, ModuleIndex, Scope, branch_test, contexts, within_function
from .resolver import At, Resolver
from .values import (NO_ARGS, Api, ApiCall, Arg, Args, Class, Const, Function,
                     Instance, Mapping, Partial, Sequence, TrainOp, Value, options)

UPDATE_OPS = tf_api.UPDATE_OPS
KERAS_UPDATES = tf_api.KERAS_UPDATES
ANY_UPDATES = tf_api.ANY_UPDATES
# In ``_importer_scopes``: a flag an importer's arg_scope sets around any call (no object's id is 0).
_ANYWHERE = 0
_MAX_WALK = 20000          # calls visited by one module's reach walk (huge generated files)


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
        self.evaluator = Evaluator(resolver, index, source)
        self._handling: Dict[int, Handling] = {}
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
        self.trains = False

    # ------------------------------------------------------------------------------------------
    # Building

    def build(self) -> "ModuleModel":
        self.scopes = ArgScopes(self.evaluator, self.known_api)
        self.arg_scopes = self.scopes.entries
        self._scan_update_ops_subclasses()
        self._scan_lexical_sites()
        self._scan_train_ops()
        self._scan_modes()
        self._walk_roots()
        return self

    # Questions of the evaluator that nearly every rule asks, kept here for brevity.

    def at(self, call: CallSite) -> At:
        return self.evaluator.at(call)

    def callee(self, call: CallSite, frame=None) -> Value:
        return self.evaluator.callee(call, frame)

    def api_name(self, call: CallSite, frame=None) -> Optional[str]:
        return self.evaluator.api_name(call, frame)

    def callers(self, scope: Scope) -> List[CallSite]:
        return self.evaluator.callers(scope)

    # -- arg_scope ------------------------------------------------------------------------------

    # -- sites ----------------------------------------------------------------------------------

    def _scan_update_ops_subclasses(self) -> None:
        """Keras BatchNormalization subclasses that add their updates to UPDATE_OPS themselves
        (seen in real projects) build UPDATE_OPS sites, not Keras ones."""
        evaluator = self.evaluator
        self.update_ops_subclasses = evaluator.update_ops_subclasses_in(self.index)
        self.keras_updates_in_update_ops = any(evaluator.adds_keras_updates(call)
                                               for call in evaluator.update_ops_additions(self.index))

    def sites_of_call(self, call: CallSite, frame=None) -> List[BatchNormSite]:
        """The batch-norm sites a call builds, read in ``frame``."""
        found: List[BatchNormSite] = []
        node = call.node
        resolver = self.resolver
        at = self.evaluator.at(call)
        callee = self.evaluator.callee(call, frame)
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
            elif kind is Instance and self.evaluator.is_update_ops_subclass(option.cls):
                api = tf_api.BATCH_NORM_APIS["tensorflow.layers.BatchNormalization"]
                args = resolver.call_args(node, at, frame)
                flag = self._flag_from_args(api, "", args, call, "instance")
                found.append(BatchNormSite(call, api, option.cls.scope.name, flag, UPDATE_OPS, "instance", frame))
            elif kind is Class and self.evaluator.keras_bn_subclass(option):
                api = tf_api.BATCH_NORM_APIS["tensorflow.keras.layers.BatchNormalization"]
                found.append(BatchNormSite(call, api, option.scope.name, Flag("unknown"), None, "construction",
                                           frame))
            elif kind is Instance and self.evaluator.keras_bn_subclass(option.cls):
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

    def _site(self, call, api, name, args: Args, frame, via) -> BatchNormSite:
        flag = self._flag_from_args(api, name, args, call, via)
        collection = self._collection_from_args(api, name, args)
        keeps = args.keyword(tf_api.VARIABLES_COLLECTIONS_KEYWORD) is not None or \
            self.scopes.keep_moving_in_trainable(name, call)
        return BatchNormSite(call, api, name, flag, collection, via, frame, keeps, self._frozen(args, name))

    def _flag_from_args(self, api, name: str, args: Args, call: CallSite, origin: str) -> Flag:
        state, arg = self.evaluator.argument(args, api.flag, api.flag_position)
        if state == "given":
            return self._flag_of(arg, origin)
        if state == "unknown":
            return Flag("unknown")
        return self._flag_from_scopes(api, name, call)

    def _flag_from_scopes(self, api, name: str, call: CallSite) -> Flag:
        """The flag of a site that names none itself: an arg_scope of this module gives it,
        or may (one it cannot read, one it offers its callers, one an importer opens around
        the site's function), or nothing does."""
        found, item, _ = self.scopes.default(name, api.flag)
        if found:
            return self._flag_of(item, "arg_scope")
        if found is None or self.scopes.exposes_flag_scope or self.scopes.configured_by_importers(call, name):
            return Flag("unknown")
        return Flag("missing")

    def _declared_in_arg_scope(self, call: CallSite) -> bool:
        return any(type(option) is Api and option.name in tf_api.ARG_SCOPES
                   for option in options(self.evaluator.callee(call)))

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
        state, arg = self.evaluator.argument(args, api.collection_arg, api.collection_position)
        if state == "given":
            return self._collection_value(self.resolver.arg_value(arg))
        if state == "unknown":
            return UPDATE_OPS
        found, item, _ = self.scopes.default(name, api.collection_arg)
        if found:
            return self._collection_value(self.resolver.arg_value(item))
        return UPDATE_OPS

    def _collection_value(self, value: Value):
        keys = set()
        for option in options(value):
            if type(option) is Const and option.value is None:
                keys.add(None)
            elif type(option) is Sequence:
                items = self.evaluator.sequence_values(option)
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
        state, arg = self.evaluator.argument(args, "trainable", None)
        if state == "given":
            return self.resolver.definite_bool(self.resolver.arg_value(arg)) is False
        if name:
            found, item, _ = self.scopes.default(name, "trainable")
            if found:
                return self.resolver.definite_bool(self.resolver.arg_value(item)) is False
        return False

    def _normalizer_site(self, call: CallSite, api, name, partial_args, frame, with_params: bool) -> BatchNormSite:
        resolver = self.resolver
        at = self.evaluator.at(call)
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
            state, arg = self.evaluator.argument(partial_args, api.flag, None)
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
            if flag.state == "missing" and self._declared_in_arg_scope(call) and self.scopes.importers_set_flag(name):
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
            found, item, _ = self.scopes.default(name, api.collection_arg)
            if found:
                collection = self._collection_value(resolver.arg_value(item))
        keeps = (entries is not None and entries.get(tf_api.VARIABLES_COLLECTIONS_KEYWORD) is not None) or \
            self.scopes.keep_moving_in_trainable(name, call)
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
                for option in options(self.evaluator.callee(site.call)):
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
            name = self.evaluator.api_name(call)
            if name in tf_api.UPDATE_RUNNING_HELPERS:
                self.trains = True
                position = tf_api.UPDATE_RUNNING_HELPER_POSITION.get(name)
                arg = _argument_node(node, tf_api.UPDATE_RUNNING_HELPERS[name], position)
                if arg is not None and self._is_empty_collection(resolver.value(arg, self.evaluator.at(call))):
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
            name = self.evaluator.api_name(call)
            if name == tf_api.GRADIENT_TAPE:
                self.eager_scopes.add(id(call.scope.function()))
                self.trains = True
            elif name in tf_api.GRAPH_MODE_CALLS:
                self.graph_mode = True
            elif name in tf_api.ESTIMATORS and call.node.args:
                self.graph_mode = True      # ``Estimator(model_fn)``: the model function, positionally
            elif name in tf_api.LEARNING_PHASE_SETTERS and call.node.args:
                if resolver.definite_bool(resolver.value(call.node.args[0], self.evaluator.at(call))) is not False and \
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
            receiver = resolver.value(op.call.node.func.value, self.evaluator.at(op.call))
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
            for option in options(self.evaluator.callee(call)):
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
            methods = (self.evaluator.method(value, "__init__"), self.evaluator.method(value, "build"))
            return [method for method in methods if method is not None]
        if kind is Instance:
            methods = (self.evaluator.method(value.cls, "__call__"), self.evaluator.method(value.cls, "call"))
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
        for site in self.sites_of_call(call, frame) if (frame is not None or call.scope.index is not self.index) \
                else self._lexical_sites_of(call):
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
                for method in ("__init__", "build"):
                    scope = self.evaluator.method(option, method)
                    if scope is not None:
                        targets.append((scope, "new", None))
            elif kind is Instance:
                for method in ("__call__", "call"):
                    scope = self.evaluator.method(option.cls, method)
                    if scope is not None:
                        targets.append((scope, option, None))
                        break
            for scope, bound, parent in targets:
                at = self.evaluator.at(call)
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
        if not any(key.startswith(LAYER_UPDATES) for key in handled):
            return False
        site = reached.site
        value = self.resolver.value(site.call.node.func, At(site.call.scope, site.call.statement), site.frame)
        layers = [option for option in options(value) if type(option) is ApiCall]
        return bool(layers) and all(layer_updates_key(layer.node) in handled for layer in layers)

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
        """The site and the train op never meet: they sit in opposite branches of tests with the
        same text, or the evaluator shows it (graphs apart, a builder that is never called)."""
        return self._exclusive_guards(reached, self.evaluator.guards(op.call.context, None)) or \
            self.evaluator.never_meet(reached.chain, op)

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
        found = set(self.evaluator.guards(site.call.context, site.frame))
        frame = site.frame
        while frame is not None:
            index = frame.caller.scope.index if frame.caller is not None else self.index
            call = index.call_site(frame.node) if frame.node is not None else None
            if call is not None:
                found |= set(self.evaluator.guards(call.context, frame.caller))
            frame = frame.caller
        return found

    # -- carriers and handling ------------------------------------------------------------------

    def handling(self, op: TrainOpInfo) -> Handling:
        key = id(op.call.node)
        found = self._handling.get(key)
        if found is None:
            found = self._handling[key] = self._compute_handling(op)
        return found

    def _compute_handling(self, op: TrainOpInfo) -> Handling:
        handled: Set[str] = set()
        consumers: list = []
        at = self.evaluator.at(op.call)
        # 1. lexically inside control_dependencies(D), D carrying update ops, same function; or
        #    built in a function every call of which is (TensorFlow applies the open dependency).
        handled |= self.evaluator.dependency_keys(op.call.node, at, None, consumers=consumers)
        handled |= self._callers_dependency_keys(op.call.scope.function(), consumers, set())
        # 2. combined with update ops into one op; 3. fetched by a run with them.
        bare_returned = self._returns_the_bare_op(op)
        for call, references, keys, reads in self._combinations():
            if op.call.node in references and not bare_returned:
                handled |= keys
                consumers.extend((read, call) for read in reads)
        for call, fetched_ops, keys, reads in self._runs():
            if fetched_ops and id(op.call.node) not in fetched_ops:
                continue
            handled |= keys
            consumers.extend((read, call) for read in reads)
        return Handling(frozenset(handled), tuple(consumers))

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
            is_dependency = is_control_dependencies(node)
            if not is_dependency and self.evaluator.api_name(call) not in tf_api.GROUPING_CALLS:
                continue
            at = self.evaluator.at(call)
            references: Set[int] = set()
            reads: list = []
            keys: Set[str] = set()
            for arg in list(node.args) + [keyword.value for keyword in node.keywords]:
                value = self.resolver.value(arg, at)
                references |= self.evaluator.train_ops_in(value)
                keys |= self.evaluator.carried_expression(arg, at, None, True, reads)
            if is_dependency and references:
                built = self._ops_built_in_block(call, reads)
                if built is not None:
                    # The ops built in the block depend on the train op and on every
                    # control_dependencies block open around it (nested ``with`` blocks).
                    keys |= built | self.evaluator.dependency_keys(node, at, None, reads)
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
            at = self.evaluator.at(call)
            value = self.resolver.value(fetch, at)
            alternatives = options(value)
            if len(alternatives) > 1 and any(self.evaluator.train_ops_in(option) for option in alternatives):
                # Bindings are alternatives (RULES.md): ``self.train_op`` bound bare in one method
                # and grouped with the update ops in another is fetched as one or the other, so
                # each alternative handles only the train ops it holds.
                for option in alternatives:
                    reads: list = []
                    ops = self.evaluator.train_ops_in(option)
                    keys = self.evaluator.carried_value(option, bool(ops), reads)
                    if keys:
                        found.append((call, ops, keys, reads))
                continue
            reads = []
            ops = self.evaluator.train_ops_in(value)
            keys = self.evaluator.carried_expression(fetch, at, None, bool(ops), reads)
            if keys:
                # A run that fetches known train ops handles those (the binding that reaches the
                # run, in execution order); one that fetches none it can name handles any.
                found.append((call, ops, keys, reads))
        self._runs_cache = found
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
                    value = self.resolver.value(call.node, self.evaluator.at(call))
                    keys |= self.evaluator.carried_value(value, False, reads)
                    break
        return keys

    def _callers_dependency_keys(self, function: Scope, consumers: list, seen: Set[int]) -> Set[str]:
        if function.kind != "function" or id(function) in seen:
            return set()
        seen.add(id(function))
        callers = self.evaluator.callers(function)
        if not callers:
            return set()
        common: Optional[Set[str]] = None
        counting = self.counting_sites()
        for caller in callers:
            caller_guards = self.evaluator.guards(caller.context, None)
            if counting and all(self._exclusive_guards(reached, caller_guards) for reached in counting):
                continue    # this call path never meets a batch-norm layer (``if use_bn: ... else: ...``)
            found: list = []
            keys = self.evaluator.dependency_keys(caller.node, self.evaluator.at(caller), None, consumers=found)
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
        value = self.resolver.value(feed, self.evaluator.at(call))
        if type(value) is not Mapping and type(feed) is not ast.Dict:
            return False
        node = value.node if type(value) is Mapping else feed
        if type(node) is not ast.Dict:
            return False
        for key, item in zip(node.keys, node.values):
            if key is None:
                continue
            if self.resolver.definite_bool(self.resolver.value(item, self.evaluator.at(call))) is False \
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

    def loss_provenance(self) -> Set[int]:
        """id() of every call node the module's train-op losses are computed through (RULES.md
        "Reach"): what can reach a train op's loss."""
        if self._loss_provenance is None:
            losses = []
            for op in self.train_ops:
                expr = op.loss if op.loss is not None else (op.call.node.args[0] if op.call.node.args else None)
                if expr is not None:
                    losses.append((expr, self.evaluator.at(op.call)))
            self._loss_provenance = self.evaluator.loss_provenance(losses)
        return self._loss_provenance

    def separate_tower(self, call: CallSite, calls: Iterable[CallSite]) -> bool:
        """The call's output provably stays off every train op's loss while another of ``calls``
        (a tower of the same kind) is on it: an evaluation tower (RULES.md "Towers and modes")."""
        provenance = self.loss_provenance()
        if not provenance or id(call.node) in provenance:
            return False
        return any(other is not call and id(other.node) in provenance for other in calls)


# ----------------------------------------------------------------------------------------------
# Helpers


def build_model(index: ModuleIndex, resolver: Resolver, settings, source) -> ModuleModel:
    return ModuleModel(index, resolver, settings, source).build()


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
