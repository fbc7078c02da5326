"""From facts to the domain: batch-norm sites, train ops, and how each train op is handled.

Every question here is answered from the calls and bindings ``facts.collect`` recorded; no
function in this module walks the tree again.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from . import tf_api
from .facts import Binding, CallFact, ModuleFacts, Scope
from .model import BatchNormSite, Flag, Handling, ModuleAnalysis, TrainOp
from .resolve import (Resolver, Value, argument, call_keyword, func_attr_name, has_star_args,
                      has_star_kwargs, is_literal_bool, string_value)
from .settings import Settings
from .analysis_common import enclosing, function_parents  # noqa: F401  (re-exported)
from .builders import BuildersMixin
from .handling import HandlingMixin
from .keras_models import KerasModelsMixin


class Analyzer(BuildersMixin, HandlingMixin, KerasModelsMixin):
    """Derives sites, train ops and modes; the mixins answer builder, handling and Keras
    questions from the same facts."""

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
        if argument(args, tf_api.VARIABLES_COLLECTIONS_KEYWORD, None) is not None:
            return True
        return any(keyword.keyword.value == tf_api.VARIABLES_COLLECTIONS_KEYWORD
                   for keyword in self._arg_scope_defaults.get(qualname, ()))

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
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) \
                and expr.func.value in ("set", "list", "tuple") \
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
