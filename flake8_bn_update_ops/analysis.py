"""From facts to the domain: batch-norm sites, train ops, and how each train op is handled.

Every question here is answered from the calls and bindings ``facts.collect`` recorded; no
function in this module walks the tree again.
"""
from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

import libcst as cst

from . import tf_api
from .facts import Binding, CallFact, ModuleFacts, Scope, _walked_fields
from .model import BatchNormSite, Flag, Handling, KerasModel, ModuleAnalysis, TrainOp, UpdateOpsRead
from .resolve import (Resolver, Value, argument, call_keyword, func_attr_name, has_star_args,
                      has_star_kwargs, is_literal_bool, string_value)
from .settings import Settings

_EMPTY: FrozenSet[str] = frozenset()
_MAX_DEPTH = 30


def enclosing(parents: Tuple[cst.CSTNode, ...], types) -> Optional[cst.CSTNode]:
    for node in reversed(parents):
        if isinstance(node, types):
            return node
    return None


def function_parents(parents: Tuple[cst.CSTNode, ...]) -> Tuple[cst.CSTNode, ...]:
    """The part of a parent chain inside the nearest function or lambda (a ``with`` around a
    ``def`` does not apply to the ops the function builds later)."""
    for index in range(len(parents) - 1, -1, -1):
        if isinstance(parents[index], (cst.FunctionDef, cst.Lambda)):
            return parents[index + 1:]
    return parents


class Analyzer:
    def __init__(self, facts: ModuleFacts, settings: Settings, external=None):
        self.facts = facts
        self.settings = settings
        # The project's own batch-norm wrappers (``bn-wrappers``): dotted name -> flag.
        self.wrapper_apis = {
            tf_api.canonical(name): tf_api.BatchNormApi(name.rsplit(".", 1)[-1], "wrapper", flag, None, None, False)
            for name, flag in settings.wrappers.items()}
        self.resolver = Resolver(facts, external, forced_api=frozenset(settings.wrappers))
        self.external = external
        self.result = ModuleAnalysis()
        self._values: Dict[int, Optional[Value]] = {}
        self._arg_scope_defaults: Dict[str, List[cst.Arg]] = {}
        self._arg_scope_unknown: Set[str] = set()
        self._train_op_calls: Set[int] = set()
        self._handling: Dict[int, Handling] = {}
        self._update_ops_subclasses: Set[int] = set()
        self.keras_updates_in_update_ops = False

    # -- entry ----------------------------------------------------------------------------------

    def run(self) -> ModuleAnalysis:
        self._scan_arg_scopes()
        self._scan_update_ops_subclasses()
        self._scan_sites()
        self._scan_builders()
        self._scan_train_ops()
        self._scan_modes()
        self._scan_keras_models()
        result = self.result
        result.builds_any_batch_norm = bool(result.sites or result.keras_sites)
        return result

    # -- resolution helpers ---------------------------------------------------------------------

    def callee(self, fact: CallFact) -> Optional[Value]:
        key = id(fact.node)
        if key not in self._values:
            self._values[key] = self.resolver.value_of(fact.node.func, fact.scope, fact.seq)
        return self._values[key]

    def qualname(self, expr, scope: Scope, seq: int) -> Optional[str]:
        return self.resolver.qualname(expr, scope, seq)

    def call_qualname(self, fact: CallFact) -> Optional[str]:
        value = self.callee(fact)
        return value.qualname if value is not None and value.kind == "api" else None

    def fact_of(self, node: cst.Call) -> Optional[CallFact]:
        return self.resolver.call_fact(node)

    # -- arg_scope ------------------------------------------------------------------------------

    def _scan_arg_scopes(self):
        for fact in self.facts.calls:
            if self.call_qualname(fact) not in tf_api.ARG_SCOPES or not fact.node.args:
                continue
            listed = fact.node.args[0].value
            elements = listed.elements if isinstance(listed, (cst.List, cst.Tuple)) else [listed]
            keywords = [arg for arg in fact.node.args[1:] if arg.keyword is not None]
            for element in elements:
                target = element.value if isinstance(element, cst.BaseElement) else element
                name = self.qualname(target, fact.scope, fact.seq)
                if name is None:
                    continue
                self._arg_scope_defaults.setdefault(name, []).extend(keywords)
                if has_star_kwargs(fact.node.args):
                    self._arg_scope_unknown.add(name)

    # -- batch-norm sites -----------------------------------------------------------------------

    def _scan_update_ops_subclasses(self):
        """Keras BatchNormalization subclasses that add their updates to UPDATE_OPS themselves
        (seen in real projects) build UPDATE_OPS sites, not Keras ones."""
        adds = [fact for fact in self.facts.calls
                if func_attr_name(fact.node) in ("add_to_collection", "add_to_collections")
                and fact.node.args and self.collection_key(fact.node.args[0].value, fact) == tf_api.UPDATE_OPS]
        for fact in adds:
            if self._adds_keras_updates(fact):
                self.keras_updates_in_update_ops = True
            scope = fact.scope
            while scope is not None and scope.kind != "class":
                scope = scope.parent
            if scope is None:
                continue
            for base in scope.node.bases:
                name = self.qualname(base.value, scope.parent, 10 ** 9)
                api = tf_api.BATCH_NORM_APIS.get(name or "")
                if api is not None and api.family == "keras":
                    self._update_ops_subclasses.add(id(scope.node))

    def _adds_keras_updates(self, fact: CallFact) -> bool:
        """``for u in model.updates: tf.add_to_collection(UPDATE_OPS, u)``: the project puts the
        Keras updates into UPDATE_OPS itself, so an UPDATE_OPS dependency runs them."""
        values = [arg.value for arg in fact.node.args[1:]]
        loop = enclosing(fact.parents, cst.For)
        if loop is not None:
            values.append(loop.iter)
        return any(tf_api.KERAS_UPDATES in self.carried(value, fact.scope, fact.seq, with_ops=False)
                   for value in values)

    def _scan_sites(self):
        constructions: Dict[int, Tuple[CallFact, tf_api.BatchNormApi, str]] = {}
        used_constructions: Set[int] = set()
        for fact in self.facts.calls:
            value = self.callee(fact)
            if value is not None and value.kind == "api":
                api = tf_api.BATCH_NORM_APIS.get(value.qualname) or self.wrapper_apis.get(value.qualname)
                if api is not None:
                    if api.is_class:
                        constructions[id(fact.node)] = (fact, api, value.qualname)
                    else:
                        self._add_site(BatchNormSite(
                            fact, api, value.qualname,
                            self.flag_of(api, value.qualname, fact, fact.node.args, value.partial_args),
                            self.collection_of(api, value.qualname, fact, fact.node.args, value.partial_args),
                            "call", self.keeps_moving_in_trainable(fact.node.args, value.qualname)))
            elif value is not None and value.kind == "instance" and value.qualname in tf_api.BATCH_NORM_APIS:
                api = tf_api.BATCH_NORM_APIS[value.qualname]
                if api.is_class:
                    used_constructions.add(id(value.construction))
                    self._add_site(BatchNormSite(
                        fact, api, value.qualname,
                        self.flag_of(api, value.qualname, fact, fact.node.args, ()),
                        tf_api.UPDATE_OPS if api.family != "keras" else None, "instance"))
            elif value is not None and value.kind == "local_result" and self._is_update_ops_subclass(value):
                used_constructions.add(id(value.construction))
                api = tf_api.BATCH_NORM_APIS["tensorflow.layers.BatchNormalization"]
                self._add_site(BatchNormSite(fact, api, value.qualname,
                                             self.flag_of(api, "", fact, fact.node.args, ()),
                                             tf_api.UPDATE_OPS, "instance"))
            normalizer = call_keyword(fact.node, tf_api.NORMALIZER_FN_KEYWORD)
            if normalizer is not None:
                name = self.qualname(normalizer.value, fact.scope, fact.seq)
                api = tf_api.BATCH_NORM_APIS.get(name or "")
                if api is not None and api.family == "contrib":
                    self._add_site(self._normalizer_site(fact, api, name))
        for key, (fact, api, qualname) in constructions.items():
            if api.family == "keras":
                # Keras layers never write UPDATE_OPS; the construction is what BNU006/BNU008 need.
                if key not in used_constructions:
                    self.result.keras_sites.append(
                        BatchNormSite(fact, api, qualname, Flag("unknown"), None, "construction"))
            elif key not in used_constructions:
                # Built but applied where we cannot see: its updates still go to UPDATE_OPS.
                self._add_site(BatchNormSite(fact, api, qualname, Flag("unknown"), tf_api.UPDATE_OPS,
                                             "construction"))

    def _is_update_ops_subclass(self, value: Value) -> bool:
        return value.binding is not None and id(value.binding.value) in self._update_ops_subclasses

    def _add_site(self, site: BatchNormSite):
        (self.result.keras_sites if site.api.family == "keras" else self.result.sites).append(site)

    def _normalizer_site(self, fact: CallFact, api, qualname: str) -> BatchNormSite:
        params = call_keyword(fact.node, tf_api.NORMALIZER_PARAMS_KEYWORD)
        entries, complete = self.dict_entries(params.value, fact) if params is not None else ({}, True)
        flag_node = entries.get(api.flag)
        if flag_node is not None:
            flag = self.flag_from_node(flag_node, fact, "normalizer_params")
        elif not complete:
            flag = Flag("unknown")
        else:
            flag = self._arg_scope_flag(api, qualname, fact) or Flag("missing")
        collection_node = entries.get(api.collection_arg)
        if collection_node is not None:
            collection = self.collection_value(collection_node, fact)
        else:
            collection = self._arg_scope_collection(api, qualname, fact)
        keeps = tf_api.VARIABLES_COLLECTIONS_KEYWORD in entries
        return BatchNormSite(fact, api, qualname, flag, collection, "normalizer_fn", keeps)

    def dict_entries(self, expr, fact: CallFact, depth: int = 0):
        """String-keyed entries of a dict the module shows, and whether that is all of it."""
        if depth > 5:
            return {}, False
        if isinstance(expr, cst.Name):
            binding = self.resolver.lookup(expr.value, fact.scope, fact.seq)
            if binding is not None and binding.kind == "assign" and binding.value is not None:
                return self.dict_entries(binding.value, fact, depth + 1)
            return {}, False
        if isinstance(expr, cst.Dict):
            entries, complete = {}, True
            for element in expr.elements:
                if isinstance(element, cst.StarredDictElement):
                    # ``{**BN_PARAMS, "is_training": t}``: follow a dict the module shows
                    spread, spread_complete = self.dict_entries(element.value, fact, depth + 1)
                    entries.update(spread)
                    complete = complete and spread_complete
                    continue
                key = string_value(element.key)
                if key is None:
                    complete = False
                else:
                    entries[key] = element.value
            return entries, complete
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "dict":
            entries = {arg.keyword.value: arg.value for arg in expr.args if arg.keyword is not None}
            return entries, not any(arg.keyword is None for arg in expr.args)
        return {}, False

    def flag_of(self, api, qualname: str, fact: CallFact, args, partial_args) -> Flag:
        position = api.flag_position
        arg = argument(args, api.flag, position)
        if arg is not None:
            return self.flag_from_node(arg.value, fact, "call")
        arg = argument(partial_args, api.flag, None)
        if arg is not None:
            return self.flag_from_node(arg.value, fact, "partial")
        if has_star_kwargs(args) or has_star_kwargs(partial_args) or (position is not None and has_star_args(args)):
            return Flag("unknown")
        scoped = self._arg_scope_flag(api, qualname, fact)
        if scoped is not None:
            return scoped
        return Flag("missing")

    def _arg_scope_flag(self, api, qualname: str, fact: CallFact) -> Optional[Flag]:
        for keyword in self._arg_scope_defaults.get(qualname, ()):
            if keyword.keyword.value == api.flag:
                return self.flag_from_node(keyword.value, fact, "arg_scope")
        if qualname in self._arg_scope_unknown:
            return Flag("unknown")
        return None

    def scope_of_argument(self, node) -> Optional[Scope]:
        """The scope of the call that takes ``node`` as an argument (a partial, an arg_scope)."""
        for fact in self.facts.calls:
            if any(arg.value is node for arg in fact.node.args):
                return fact.scope
        return None

    def flag_from_node(self, node, fact: CallFact, origin: str) -> Flag:
        literal = is_literal_bool(node)
        if literal is None and isinstance(node, cst.Name):
            literal = self.module_constant(node.value)
        return Flag("given", node, literal, origin)

    def module_constant(self, name: str) -> Optional[bool]:
        bindings = self.facts.module_scope.bindings.get(name, [])
        if len(bindings) == 1 and bindings[0].kind == "assign":
            return is_literal_bool(bindings[0].value)
        return None

    def collection_of(self, api, qualname: str, fact: CallFact, args, partial_args) -> Optional[str]:
        if api.collection_arg is None:
            return tf_api.UPDATE_OPS
        arg = argument(args, api.collection_arg, api.collection_position) or argument(
            partial_args, api.collection_arg, None)
        if arg is not None:
            return self.collection_value(arg.value, fact)
        return self._arg_scope_collection(api, qualname, fact)

    def _arg_scope_collection(self, api, qualname: str, fact: CallFact) -> Optional[str]:
        for keyword in self._arg_scope_defaults.get(qualname, ()):
            if keyword.keyword.value == api.collection_arg:
                return self.collection_value(keyword.value, fact)
        return tf_api.UPDATE_OPS

    def collection_value(self, node, fact: CallFact) -> Optional[str]:
        if isinstance(node, cst.Name) and node.value == "None":
            return None
        if isinstance(node, cst.Name):
            binding = self.resolver.lookup(node.value, fact.scope, fact.seq)
            if binding is not None and binding.kind == "assign" and isinstance(binding.value, cst.Name) \
                    and binding.value.value == "None":
                return None
        if isinstance(node, (cst.List, cst.Tuple)) and node.elements:
            node = node.elements[0].value
        return self.collection_key(node, fact) or tf_api.UPDATE_OPS

    def collection_key(self, node, fact: CallFact) -> Optional[str]:
        text = string_value(node)
        if text is not None:
            return text
        name = self.qualname(node, fact.scope, fact.seq)
        if name is not None:
            return tf_api.GRAPH_KEYS.get(name)
        return None

    def keeps_moving_in_trainable(self, args, qualname: str) -> bool:
        if call_keyword_args(args, tf_api.VARIABLES_COLLECTIONS_KEYWORD) is not None:
            return True
        return any(keyword.keyword.value == tf_api.VARIABLES_COLLECTIONS_KEYWORD
                   for keyword in self._arg_scope_defaults.get(qualname, ()))

    # -- builders -------------------------------------------------------------------------------

    def _scan_builders(self):
        """Functions and classes of this module whose bodies build UPDATE_OPS batch norm, and
        the calls of them (transitively: a function calling a builder is one too)."""
        builder_defs: Set[int] = set()
        for site in self.result.sites:
            if site.writes_update_ops:
                builder_defs.update(self._defining_nodes(site.call.scope))
        changed = True
        calls: Dict[int, CallFact] = {}
        while changed:
            changed = False
            for fact in self.facts.calls:
                target = self._local_target(fact)
                if target is not None and id(target) in builder_defs and id(fact.node) not in calls:
                    calls[id(fact.node)] = fact
                    for node_id in self._defining_nodes(fact.scope):
                        if node_id not in builder_defs:
                            builder_defs.add(node_id)
                            changed = True
        if self.external is not None:
            for fact in self.facts.calls:
                value = self.callee(fact)
                if value is not None and value.kind in ("external_builder",) and id(fact.node) not in calls:
                    calls[id(fact.node)] = fact
        self.result.builder_scopes = builder_defs
        self.result.builder_calls = sorted(calls.values(), key=lambda fact: fact.seq)

    def _defining_nodes(self, scope: Scope) -> List[int]:
        """The def and class nodes whose bodies contain ``scope``."""
        nodes = []
        while scope is not None and scope.kind != "module":
            if scope.kind in ("function", "class"):
                nodes.append(id(scope.node))
            scope = scope.parent
        return nodes

    def _local_target(self, fact: CallFact) -> Optional[cst.CSTNode]:
        """The local def/class a call runs: ``build(x)``, ``Net()``, ``net(x)``, ``self.block(x)``."""
        value = self.callee(fact)
        if value is not None and value.kind == "local" and value.binding is not None:
            return value.binding.value
        if value is not None and value.kind == "local_result" and value.binding is not None:
            return value.binding.value  # calling an instance runs its class's methods
        func = fact.node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            scope = fact.scope
            while scope is not None and scope.kind != "class":
                scope = scope.parent
            if scope is not None:
                bindings = scope.bindings.get(func.attr.value)
                if bindings and bindings[-1].kind == "def":
                    return bindings[-1].value
        return None

    def builder_info(self) -> Dict[int, dict]:
        """For each def/class of this module that builds batch norm: what a caller in another
        module needs to know (the fields of ``project.Export``)."""
        result = self.result
        info: Dict[int, dict] = {}
        defs = [scope.node for scope in self.facts.scopes.values() if scope.kind in ("function", "class")]
        builder_calls = list(result.builder_calls)
        for node in defs:
            inside = [site for site in result.sites if node in site.call.parents]
            keras_inside = [site for site in result.keras_sites if node in site.call.parents]
            exports = [self.callee(fact).export for fact in builder_calls
                       if node in fact.parents and self.callee(fact) is not None
                       and getattr(self.callee(fact), "export", None) is not None]
            local_calls = [fact for fact in builder_calls if node in fact.parents]
            if not (inside or keras_inside or exports or local_calls):
                continue
            collections = {site.collection for site in inside if site.writes_update_ops}
            builds = bool(collections) or id(node) in result.builder_scopes
            for export in exports:
                collections |= set(export.collections)
                builds = builds or export.builds_update_ops
            keras = bool(keras_inside) or any(export.keras for export in exports)
            entry = dict(collections=frozenset(collections or ({tf_api.UPDATE_OPS} if builds else set())),
                         builds_update_ops=builds, keras=keras,
                         keras2=all(site.qualname.startswith(tf_api.KERAS2_ROOTS) for site in keras_inside),
                         display=(inside[0].api.display if inside else keras_inside[0].api.display
                                  if keras_inside else "batch-norm builder"))
            entry.update(self._wrapper_flag(node, inside))
            info[id(node)] = entry
        return info

    def _wrapper_flag(self, node, sites) -> dict:
        """A function whose batch-norm flag is one of its parameters: that parameter's name,
        position and literal default (real projects hid ``is_training=True`` there)."""
        if not isinstance(node, cst.FunctionDef):
            return {}
        positional = list(node.params.posonly_params) + list(node.params.params)
        every = positional + list(node.params.kwonly_params)
        for site in sites:
            flag = site.flag
            if flag.state == "given" and isinstance(flag.node, cst.Name):
                for param in every:
                    if param.name.value == flag.node.value:
                        position = positional.index(param) if param in positional else None
                        default = is_literal_bool(param.default) if param.default is not None else None
                        return dict(flag_param=param.name.value, flag_position=position, flag_default=default)
        return {}

    def wrapper_flag_at_call(self, fact: CallFact, flag_param, flag_position, flag_default):
        """(given?, literal) for a call of a wrapper: whether the call passes the flag, and the
        literal it ends up with (None when not a literal)."""
        arg = argument(fact.node.args, flag_param, flag_position)
        if arg is not None:
            return True, self.flag_from_node(arg.value, fact, "call").literal
        if has_star_kwargs(fact.node.args) or (flag_position is not None and has_star_args(fact.node.args)):
            return True, None
        return False, flag_default

    def external_flag_effective(self, fact: CallFact, export) -> Optional[bool]:
        if export.flag_param is None:
            return None
        return self.wrapper_flag_at_call(fact, export.flag_param, export.flag_position, export.flag_default)[1]

    def wrapper_calls(self):
        """Calls of wrappers (local or imported) that do not pass the flag, so the wrapper's
        literal default decides it: (call, display, parameter, literal default)."""
        local = {}
        for key, entry in self.builder_info().items():
            if entry.get("flag_param"):
                local[key] = entry
        for fact in self.facts.calls:
            value = self.callee(fact)
            if value is None:
                continue
            entry = None
            if value.kind == "local" and value.binding is not None:
                entry = local.get(id(value.binding.value))
            elif value.kind == "external_builder" and value.export is not None and value.export.flag_param:
                export = value.export
                entry = dict(flag_param=export.flag_param, flag_position=export.flag_position,
                             flag_default=export.flag_default, display=export.display)
            if entry is None:
                continue
            given, literal = self.wrapper_flag_at_call(fact, entry["flag_param"], entry["flag_position"],
                                                       entry["flag_default"])
            if not given and literal is not None:
                yield fact, entry["display"], entry["flag_param"], literal

    # -- train ops ------------------------------------------------------------------------------

    def _scan_train_ops(self):
        for fact in self.facts.calls:
            op = self._train_op(fact)
            if op is not None:
                self.result.train_ops.append(op)
                self._train_op_calls.add(id(fact.node))

    def _train_op(self, fact: CallFact) -> Optional[TrainOp]:
        call = fact.node
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in tf_api.TRAIN_OP_METHODS:
            receiver = self.resolver.value_of(func.value, fact.scope, fact.seq)
            if receiver is not None and receiver.kind == "api" and receiver.imported \
                    and receiver.qualname.split(".", 1)[0] not in tf_api.TRAIN_OP_ROOTS:
                return None  # scipy.optimize.minimize and friends
            if self._inside_configured_helper(fact):
                return None
            loss = argument(call.args, "loss", 0)
            return TrainOp(fact, func.attr.value, loss.value if loss is not None else None, self._result_of(fact))
        name = self.call_qualname(fact)
        if name in tf_api.UPDATE_RUNNING_HELPERS:
            arg = argument(call.args, tf_api.UPDATE_RUNNING_HELPERS[name],
                           tf_api.UPDATE_RUNNING_HELPER_POSITION.get(name))
            if arg is not None and self.is_empty_collection(arg.value, fact):
                loss = argument(call.args, "total_loss", 0) or argument(call.args, "loss", 0)
                return TrainOp(fact, name.rsplit(".", 1)[-1], loss.value if loss is not None else None,
                               self._result_of(fact))
        return None

    def _inside_configured_helper(self, fact: CallFact) -> bool:
        helpers = {helper.rsplit(".", 1)[-1] for helper in self.settings.train_op_helpers}
        scope = fact.scope
        while scope is not None:
            if scope.kind == "function" and scope.name in helpers:
                return True
            scope = scope.parent
        return False

    def is_empty_collection(self, expr, fact: CallFact, depth: int = 0) -> bool:
        if isinstance(expr, (cst.List, cst.Tuple)) and not expr.elements:
            return True
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in ("set", "list", "tuple") \
                and not expr.args:
            return True
        if isinstance(expr, cst.Name) and depth < 5:
            binding = self.resolver.lookup(expr.value, fact.scope, fact.seq)
            if binding is not None and binding.kind == "assign":
                return self.is_empty_collection(binding.value, fact, depth + 1)
        return False

    def _result_of(self, fact: CallFact) -> Optional[Binding]:
        parent = fact.parents[-1] if fact.parents else None
        if isinstance(parent, cst.Assign) and parent.value is fact.node and len(parent.targets) == 1:
            target = parent.targets[0].target
            if isinstance(target, cst.Name):
                for binding in fact.scope.bindings.get(target.value, ()):
                    if binding.value is fact.node:
                        return binding
            if isinstance(target, cst.Attribute):
                key = f"{getattr(target.value, 'value', '')}.{target.attr.value}"
                for binding in self.facts.attribute_assignments.get(key, ()):
                    if binding.value is fact.node:
                        return binding
        return None

    def is_train_op_call(self, node) -> bool:
        return id(node) in self._train_op_calls

    # -- modes ----------------------------------------------------------------------------------

    def _scan_modes(self):
        result = self.result
        for fact in self.facts.calls:
            name = self.call_qualname(fact)
            if name == tf_api.GRADIENT_TAPE:
                result.eager_scopes.add(id(fact.scope.function()))
        for fact in self.facts.calls:
            name = self.call_qualname(fact)
            if name in tf_api.GRAPH_MODE_CALLS:
                result.graph_mode = True
            elif name in tf_api.LEARNING_PHASE_SETTERS and fact.node.args and \
                    isinstance(fact.node.args[0].value, cst.Integer) and fact.node.args[0].value.value == "1":
                result.learning_phase_set = True
            elif name == tf_api.LEARNING_PHASE and self._inside_feed(fact):
                result.learning_phase_set = True
            if any(arg.keyword is not None and arg.keyword.value in tf_api.GRAPH_MODE_KEYWORDS
                   for arg in fact.node.args):
                result.graph_mode = True
        for op in result.train_ops:
            if op.method != "minimize" or id(op.call.scope.function()) in result.eager_scopes:
                continue
            receiver = self.resolver.value_of(op.call.node.func.value, op.call.scope, op.call.seq)
            if receiver is not None and receiver.kind == "instance" and \
                    receiver.qualname.startswith(tf_api.TF1_OPTIMIZER_PREFIX):
                result.graph_mode = True

    def _inside_feed(self, fact: CallFact) -> bool:
        return any(isinstance(node, cst.Dict) for node in fact.parents) or any(
            isinstance(node, cst.Arg) and node.keyword is not None and node.keyword.value == tf_api.FEED_KEYWORD
            for node in fact.parents)

    def in_eager_function(self, fact: CallFact) -> bool:
        return id(fact.scope.function()) in self.result.eager_scopes

    # -- Keras models that contain batch norm ---------------------------------------------------

    def _scan_keras_models(self):
        for scope in [self.facts.module_scope] + list(self.facts.scopes.values()):
            for bindings in scope.bindings.values():
                for binding in bindings:
                    keras2 = self.keras_with_batch_norm(binding.value, binding.scope, binding.seq) \
                        if binding.kind == "assign" else None
                    if keras2 is not None:
                        self.result.keras_models.append(KerasModel(binding, keras2))
        for bindings in self.facts.attribute_assignments.values():
            for binding in bindings:
                keras2 = self.keras_with_batch_norm(binding.value, binding.scope, binding.seq)
                if keras2 is not None:
                    self.result.keras_models.append(KerasModel(binding, keras2))

    def keras_with_batch_norm(self, expr, scope: Scope, seq: int, depth: int = 0) -> Optional[bool]:
        """None unless ``expr`` builds a Keras model or layer containing batch norm; then whether
        it is Keras 2 (``tf.keras``/``tf_keras``, which has ``.updates``)."""
        if depth > 4 or not isinstance(expr, cst.Call):
            return None
        value = self.resolver.value_of(expr.func, scope, seq)
        if value is None:
            return None
        if value.kind == "api":
            name = value.qualname
            keras2 = name.startswith(tf_api.KERAS2_ROOTS)
            api = tf_api.BATCH_NORM_APIS.get(name)
            if api is not None and api.family == "keras":
                return keras2
            if name.startswith(tf_api.KERAS_APPLICATION_PREFIXES) and \
                    name.rsplit(".", 1)[-1] in tf_api.KERAS_APPLICATIONS_WITH_BATCH_NORM:
                return keras2
            if name in tf_api.KERAS_MODEL_CLASSES:
                if name.endswith("Sequential"):
                    return keras2 if self._args_build_keras_bn(expr, scope, seq, depth) else None
                # A functional model: it contains batch norm if its scope applies a Keras one.
                if any(site.call.scope.function() is scope.function() for site in self.result.keras_sites):
                    return keras2
            return None
        if value.kind == "external_builder" and value.export is not None:
            return value.export.keras2 if value.export.keras else None
        if value.kind == "local" and value.binding is not None:
            node = value.binding.value
            if isinstance(node, cst.ClassDef):
                bases = [self.qualname(base.value, value.binding.scope, 10 ** 9) or "" for base in node.bases]
                if any(base in tf_api.KERAS_MODEL_CLASSES or base.startswith("tensorflow.keras.") or
                       base.startswith("keras.") for base in bases) and self._defines_keras_bn(node):
                    return all(base.startswith(tf_api.KERAS2_ROOTS) for base in bases if base)
            if isinstance(node, cst.FunctionDef) and self._defines_keras_bn(node):
                return True
        return None

    def _args_build_keras_bn(self, expr: cst.Call, scope, seq, depth) -> bool:
        for arg in expr.args:
            values = arg.value.elements if isinstance(arg.value, (cst.List, cst.Tuple)) else [arg.value]
            for element in values:
                node = element.value if isinstance(element, cst.BaseElement) else element
                if self.keras_with_batch_norm(node, scope, seq, depth + 1) is not None:
                    return True
        return False

    def _defines_keras_bn(self, node: cst.CSTNode) -> bool:
        return any(node in site.call.parents for site in self.result.keras_sites)

    # -- update-op carriers ---------------------------------------------------------------------

    def carried(self, expr, scope: Scope, seq: int, *, with_ops: bool, reads: Optional[list] = None,
                visiting: Optional[Set[int]] = None, depth: int = 0) -> Set[str]:
        """The collections whose ops running ``expr`` runs (RULES: "Carries update ops")."""
        if expr is None or depth > _MAX_DEPTH:
            return set()
        visiting = visiting if visiting is not None else set()
        if isinstance(expr, cst.Call):
            fact = self.fact_of(expr)
            attr = func_attr_name(expr)
            if attr in tf_api.COLLECTION_READERS and expr.args and fact is not None:
                key = self.collection_key(expr.args[0].value, fact)
                if key is None:
                    return set()
                if reads is not None and key == tf_api.UPDATE_OPS:
                    reads.append(UpdateOpsRead(fact, attr == tf_api.LIVE_COLLECTION_READER))
                keys = {key}
                if with_ops and key not in (tf_api.UPDATE_OPS,):
                    keys |= self._collection_members(key, with_ops, reads, visiting, depth)
                return keys
            if attr in tf_api.KERAS_UPDATE_METHODS:
                return {tf_api.KERAS_UPDATES}
            if self.is_train_op_call(expr):
                return set()
            if with_ops and fact is not None and self.call_qualname(fact) == tf_api.SUMMARY_MERGE_ALL:
                keys = set()
                for other in self.facts.calls:
                    if self.call_qualname(other) in tf_api.SUMMARY_CALLS and other.node is not expr:
                        for arg in other.node.args:
                            keys |= self.carried(arg.value, other.scope, other.seq, with_ops=True,
                                                 reads=reads, visiting=visiting, depth=depth + 1)
                return keys
        if isinstance(expr, cst.Attribute):
            if expr.attr.value in tf_api.KERAS_UPDATE_ATTRIBUTES:
                return {tf_api.KERAS_UPDATES}
            bindings = self.resolver.attribute_bindings(expr, scope, seq)
            if bindings:
                return self._carried_by_bindings(bindings, with_ops, reads, visiting, depth)
            if tf_api.UPDATE_NAME_HEURISTIC.search(expr.attr.value):
                return {tf_api.ANY_UPDATES}
            return self.carried(expr.value, scope, seq, with_ops=with_ops, reads=reads, visiting=visiting,
                                depth=depth + 1) if isinstance(expr.value, cst.Subscript) else set()
        if isinstance(expr, cst.Name):
            bindings = self.resolver.all_bindings(expr.value, scope)
            keys = self._carried_by_bindings(bindings, with_ops, reads, visiting, depth)
            shown = [binding for binding in bindings if binding.kind == "assign"]
            if not shown and tf_api.UPDATE_NAME_HEURISTIC.search(expr.value):
                keys.add(tf_api.ANY_UPDATES)
            for mutation in self.facts.mutations:
                if mutation.name == expr.value and mutation.scope.function() is scope.function() \
                        and id(mutation.node) not in visiting:
                    visiting.add(id(mutation.node))
                    keys |= self.carried(mutation.value, mutation.scope, mutation.seq, with_ops=with_ops,
                                         reads=reads, visiting=visiting, depth=depth + 1)
            return keys
        if isinstance(expr, (cst.Lambda, cst.SimpleString, cst.Integer, cst.Float)):
            return set()
        keys: Set[str] = set()
        for field in _walked_fields(type(expr)):
            child = getattr(expr, field)
            children = child if isinstance(child, (tuple, list)) else (child,)
            for item in children:
                if isinstance(item, cst.Arg):
                    item = item.value
                if isinstance(item, cst.CSTNode):
                    keys |= self.carried(item, scope, seq, with_ops=with_ops, reads=reads, visiting=visiting,
                                         depth=depth + 1)
        return keys

    def _carried_by_bindings(self, bindings: Iterable[Binding], with_ops, reads, visiting, depth) -> Set[str]:
        keys: Set[str] = set()
        for binding in bindings:
            if id(binding) in visiting:
                continue
            visiting.add(id(binding))
            if binding.kind != "assign" or binding.value is None:
                continue
            if self.is_train_op_call(binding.value):
                continue  # a name bound to a train op never carries update ops
            keys |= self.carried(binding.value, binding.scope, binding.seq, with_ops=with_ops, reads=reads,
                                 visiting=visiting, depth=depth + 1)
            if with_ops:
                keys |= self.dependency_keys(binding.parents, binding.scope, reads=reads, visiting=visiting,
                                             depth=depth + 1)
        return keys

    def _collection_members(self, key: str, with_ops, reads, visiting, depth) -> Set[str]:
        """``tf.add_to_collection("loss", loss)`` then ``tf.get_collection("loss")``."""
        keys: Set[str] = set()
        for fact in self.facts.calls:
            if func_attr_name(fact.node) == "add_to_collection" and len(fact.node.args) >= 2 \
                    and string_value(fact.node.args[0].value) == key:
                keys |= self.carried(fact.node.args[1].value, fact.scope, fact.seq, with_ops=with_ops,
                                     reads=reads, visiting=visiting, depth=depth + 1)
        return keys

    def dependency_keys(self, parents, scope: Scope, *, reads=None, visiting=None, depth: int = 0,
                        consumers: Optional[list] = None) -> Set[str]:
        """What the ``with ...control_dependencies(D)`` blocks around a node (same function) carry."""
        keys: Set[str] = set()
        for node in function_parents(parents):
            if not isinstance(node, cst.With):
                continue
            for item in node.items:
                call = item.item
                if isinstance(call, cst.Call) and func_attr_name(call) == tf_api.CONTROL_DEPENDENCIES and call.args:
                    fact = self.fact_of(call)
                    if fact is None:
                        continue
                    found: list = []
                    keys |= self.carried(call.args[0].value, fact.scope, fact.seq, with_ops=True, reads=found,
                                         visiting=set(visiting or ()), depth=depth + 1)
                    if reads is not None:
                        reads.extend(found)
                    if consumers is not None:
                        consumers.extend((read, fact.seq) for read in found)
        return keys

    # -- handling -------------------------------------------------------------------------------

    def handling(self, op: TrainOp) -> Handling:
        key = id(op.call.node)
        if key not in self._handling:
            self._handling[key] = self._compute_handling(op)
        return self._handling[key]

    def _compute_handling(self, op: TrainOp) -> Handling:
        handling = Handling()
        consumers: list = []
        # 1. lexically inside control_dependencies(D), D carrying update ops, same function
        handling.keys |= self.dependency_keys(op.call.parents, op.call.scope, consumers=consumers)
        handling.keys |= self._callers_dependency_keys(op.call.scope.function(), consumers, set())
        # 2. combined with update ops into one op; 3. fetched by a run with them
        for fact in self.facts.calls:
            node = fact.node
            name = self.call_qualname(fact)
            attr = func_attr_name(node)
            if name in tf_api.GROUPING_CALLS or attr == tf_api.CONTROL_DEPENDENCIES:
                if any(self.references_op(arg.value, op, fact) for arg in node.args):
                    found: list = []
                    for arg in node.args:
                        handling.keys |= self.carried(arg.value, fact.scope, fact.seq, with_ops=True, reads=found)
                    if attr == tf_api.CONTROL_DEPENDENCIES:
                        handling.keys |= self._ops_built_in_block(fact, found)
                    consumers.extend((read, fact.seq) for read in found)
            elif attr in tf_api.RUN_METHODS and not self._is_evaluation_run(fact):
                fetch = argument(node.args, tf_api.FETCH_KEYWORD, 0)
                if fetch is None:
                    continue
                found = []
                fetches_op = self.references_op(fetch.value, op, fact)
                handling.keys |= self.carried(fetch.value, fact.scope, fact.seq, with_ops=fetches_op, reads=found)
                consumers.extend((read, fact.seq) for read in found)
        handling.reads = consumers
        return handling

    def _ops_built_in_block(self, dependency_call: CallFact, reads: list) -> Set[str]:
        """``with tf.control_dependencies([train_op]): train_op = tf.group(*update_ops)``."""
        keys: Set[str] = set()
        for fact in self.facts.calls:
            with_node = enclosing(fact.parents, cst.With)
            if with_node is not None and any(item.item is dependency_call.node for item in with_node.items) \
                    and fact.node is not dependency_call.node:
                keys |= self.carried(fact.node, fact.scope, fact.seq, with_ops=False, reads=reads)
        return keys

    def _callers_dependency_keys(self, function: Scope, consumers: list, seen: Set[int]) -> Set[str]:
        """A train op built in a function whose every call in the module sits in a carrying
        ``control_dependencies`` block (TensorFlow applies open dependencies to ops built in
        callees: measured)."""
        if function.kind != "function" or id(function) in seen:
            return set()
        seen.add(id(function))
        callers = [fact for fact in self.facts.calls if self._local_target(fact) is function.node]
        if not callers:
            return set()
        common: Optional[Set[str]] = None
        for caller in callers:
            found: list = []
            keys = self.dependency_keys(caller.parents, caller.scope, consumers=found)
            keys |= self._callers_dependency_keys(caller.scope.function(), found, seen)
            common = keys if common is None else common & keys
            consumers.extend(found)
        return common or set()

    def _is_evaluation_run(self, fact: CallFact) -> bool:
        """A run that feeds the training flag False changes no statistics (measured)."""
        feed = argument(fact.node.args, tf_api.FEED_KEYWORD, 1)
        if feed is None:
            return False
        entries = feed.value
        if isinstance(entries, cst.Name):
            binding = self.resolver.lookup(entries.value, fact.scope, fact.seq)
            entries = binding.value if binding is not None and binding.kind == "assign" else None
        if not isinstance(entries, cst.Dict):
            return False
        for element in entries.elements:
            if isinstance(element, cst.DictElement) and is_literal_bool(element.value) is False \
                    and self.is_flag_expression(element.key):
                return True
        return False

    def flag_names(self) -> Tuple[str, ...]:
        return tf_api.SAFE_FLAG_NAMES + tf_api.UNSAFE_FLAG_NAMES + tuple(self.settings.training_names)

    def is_flag_expression(self, expr) -> bool:
        """A training-flag name, attribute, or a test built from one (``mode == TRAIN``)."""
        names = self.flag_names()
        if isinstance(expr, cst.Name):
            return expr.value in names or expr.value == tf_api.MODE_PARAMETER
        if isinstance(expr, cst.Attribute):
            return expr.attr.value in names or expr.attr.value in ("TRAIN",) or self.is_flag_expression(expr.value)
        if isinstance(expr, cst.UnaryOperation):
            return self.is_flag_expression(expr.expression)
        if isinstance(expr, cst.Comparison):
            return self.is_flag_expression(expr.left) or any(
                self.is_flag_expression(target.comparator) for target in expr.comparisons)
        if isinstance(expr, cst.BooleanOperation):
            return self.is_flag_expression(expr.left) or self.is_flag_expression(expr.right)
        if isinstance(expr, cst.Call):
            return self.is_flag_expression(expr.func) or any(self.is_flag_expression(arg.value) for arg in expr.args)
        return False

    def references_op(self, expr, op: TrainOp, fact: CallFact, depth: int = 0) -> bool:
        """Whether ``expr`` is, contains, or names the train op's result."""
        if expr is None or depth > 12:
            return False
        if expr is op.call.node:
            return True
        if isinstance(expr, cst.Name):
            if op.result is not None and expr.value == op.result.name:
                binding = self.resolver.lookup(expr.value, fact.scope, fact.seq)
                if binding is op.result or (binding is not None and binding.value is op.call.node):
                    return True
            for mutation in self.facts.mutations:
                if mutation.name == expr.value and mutation.scope.function() is fact.scope.function() and \
                        self.references_op(mutation.value, op, fact, depth + 1):
                    return True
            binding = self.resolver.lookup(expr.value, fact.scope, fact.seq)
            if binding is not None and binding.kind == "assign" and binding.value is not op.call.node \
                    and binding is not op.result:
                return self.references_op(binding.value, op, fact, depth + 1)
            return False
        if isinstance(expr, cst.Attribute):
            if op.result is None or "." not in op.result.name:
                return False
            return any(binding is op.result
                       for binding in self.resolver.attribute_bindings(expr, fact.scope, fact.seq))
        if isinstance(expr, cst.Lambda):
            return False
        for field in _walked_fields(type(expr)):
            child = getattr(expr, field)
            children = child if isinstance(child, (tuple, list)) else (child,)
            for item in children:
                if isinstance(item, cst.Arg):
                    item = item.value
                if isinstance(item, cst.CSTNode) and self.references_op(item, op, fact, depth + 1):
                    return True
        return False

    # -- losses ---------------------------------------------------------------------------------

    def loss_binding(self, op: TrainOp) -> Optional[Binding]:
        """The binding of the loss a train op minimizes (through compute_gradients for
        apply_gradients)."""
        loss = op.loss
        fact = op.call
        if op.method == "apply_gradients":
            loss = self._loss_behind_gradients(loss, fact)
        if isinstance(loss, cst.Name):
            binding = self.resolver.lookup(loss.value, fact.scope, fact.seq)
            if binding is not None and binding.kind == "assign":
                return binding
        return None

    def _loss_behind_gradients(self, expr, fact: CallFact, depth: int = 0):
        if expr is None or depth > 6:
            return None
        if isinstance(expr, cst.Call):
            if func_attr_name(expr) in tf_api.GRADIENT_CALLS and expr.args:
                return expr.args[0].value
            for arg in expr.args:
                found = self._loss_behind_gradients(arg.value, fact, depth + 1)
                if found is not None:
                    return found
            return None
        if isinstance(expr, cst.Name):
            binding = self.resolver.lookup(expr.value, fact.scope, fact.seq)
            if binding is not None and binding.value is not None and binding.kind == "assign":
                return self._loss_behind_gradients(binding.value, fact, depth + 1)
            if binding is not None and binding.kind == "target":
                # ``grads, variables = zip(*opt.compute_gradients(loss))``: look at the assignment
                statement = enclosing(binding.parents, (cst.Assign,))
                if statement is not None:
                    return self._loss_behind_gradients(statement.value, fact, depth + 1)
            return None
        if isinstance(expr, (cst.ListComp, cst.GeneratorExp)):
            return self._loss_behind_gradients(expr.for_in.iter, fact, depth + 1)
        if isinstance(expr, (cst.List, cst.Tuple)):
            for element in expr.elements:
                found = self._loss_behind_gradients(element.value, fact, depth + 1)
                if found is not None:
                    return found
        return None

    def is_scalar_loss(self, expr, scope: Scope, seq: int, depth: int = 0) -> Optional[bool]:
        """True for reduce_*/losses.*/add_n results through names; False for another TF op;
        None when the module does not show it."""
        if depth > 10:
            return None
        if isinstance(expr, cst.Name):
            binding = self.resolver.lookup(expr.value, scope, seq)
            if binding is not None and binding.kind == "assign":
                return self.is_scalar_loss(binding.value, binding.scope, binding.seq, depth + 1)
            return None
        if isinstance(expr, cst.BinaryOperation):
            sides = [self.is_scalar_loss(expr.left, scope, seq, depth + 1),
                     self.is_scalar_loss(expr.right, scope, seq, depth + 1)]
            if False in sides:
                return False
            return True if True in sides else None
        if isinstance(expr, cst.Call):
            name = self.qualname(expr.func, scope, seq)
            if name is None:
                return None
            if name in tf_api.PASS_THROUGH_CALLS and expr.args:
                return self.is_scalar_loss(expr.args[0].value, scope, seq, depth + 1)
            if name.startswith(tf_api.SCALAR_LOSS_PREFIXES):
                return True
            if name.startswith("tensorflow."):
                return False
        return None


def call_keyword_args(args, keyword: str):
    for arg in args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    return None
