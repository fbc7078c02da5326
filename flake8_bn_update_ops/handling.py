"""How a train op is handled: what update ops an expression carries (RULES: "Carries update
ops"), the four handled forms, and the loss a train op minimizes (BNU005)."""
from __future__ import annotations

from typing import Iterable, Optional, Set

import libcst as cst

from . import tf_api
from .facts import Binding, CallFact, Scope
from .model import Handling, TrainOp, UpdateOpsRead
from .resolve import argument, func_attr_name, is_literal_bool, string_value
from .analysis_common import child_expressions, enclosing, function_parents

_MAX_DEPTH = 30


class HandlingMixin:
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
        for item in child_expressions(expr):
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
        return any(self.references_op(item, op, fact, depth + 1) for item in child_expressions(expr))

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
        if isinstance(loss, cst.Attribute):   # ``self.loss = tf.identity(self.loss)``
            bindings = [binding for binding in self.resolver.attribute_bindings(loss, fact.scope, fact.seq)
                        if binding.kind == "assign" and binding.seq < fact.seq]
            if bindings:
                return max(bindings, key=lambda binding: binding.seq)
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
        if isinstance(expr, cst.Attribute):
            earlier = [binding for binding in self.resolver.attribute_bindings(expr, scope, seq)
                       if binding.kind == "assign" and binding.seq < seq]
            if earlier:
                binding = max(earlier, key=lambda binding: binding.seq)
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
