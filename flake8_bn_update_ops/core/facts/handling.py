"""How each train op is handled (RULES.md "Handled"): the update-op collections it depends on
and the reads it relies on. A train op is handled when it is built inside a
``control_dependencies`` block that carries the update ops (in its own function, or around
every call of that function), combined with them into one op (``tf.group``) that is what runs,
or fetched by a ``run`` together with them.

Also the questions that weigh a train op against the sites that reach it: whether a site and
the op sit in opposite branches of the same test (``exclusive``), which collections the op
needs (``required_collections``), and whether every flag is the literal True
(``all_literal_true``).
"""
from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set, Tuple

from ... import tf_api
from ..evaluate import LAYER_UPDATES, Evaluator, is_control_dependencies, layer_updates_key
from ..index import WITH, CallSite, ModuleIndex, Scope, argument_node, within_function
from ..kinds import ScopeKind
from ..resolver import At
from ..values import ApiCall, Const, Mapping, TrainOp, options
from .flags import is_flag_expression
from .records import Handling, Reached, TrainOpInfo

ANY_UPDATES = tf_api.ANY_UPDATES


# -- exclusive branches -----------------------------------------------------------------------

def exclusive_guards(evaluator: Evaluator, index: ModuleIndex, reached: Reached, guards) -> bool:
    """The site is built under the opposite branch of one of ``guards`` (same test text)."""
    if not guards:
        return False
    site_guards = _site_guards(evaluator, index, reached)
    return any((text, 1 - branch) in site_guards for text, branch in guards)


def _site_guards(evaluator: Evaluator, index: ModuleIndex, reached: Reached) -> set:
    """The branch conditions a site is built under, a wrapper's parameter read as its
    caller's argument (``if use_bn:`` in a wrapper called with ``use_bn=self.batch_norm``
    is ``if self.batch_norm:``)."""
    site = reached.site
    found = set(evaluator.guards(site.call.context, site.frame))
    frame = site.frame
    while frame is not None:
        frame_index = frame.caller.scope.index if frame.caller is not None else index
        call = frame_index.call_site(frame.node) if frame.node is not None else None
        if call is not None:
            found |= set(evaluator.guards(call.context, frame.caller))
        frame = frame.caller
    return found


def exclusive(evaluator: Evaluator, index: ModuleIndex, reached: Reached, op: TrainOpInfo) -> bool:
    """The site and the train op never meet: they sit in opposite branches of tests with the
    same text, or the evaluator shows it (graphs apart, a builder that is never called)."""
    return exclusive_guards(evaluator, index, reached, evaluator.guards(op.call.context, None)) or \
        evaluator.never_meet(reached.chain, op)


# -- handling ---------------------------------------------------------------------------------

def handling_of(evaluator: Evaluator, index: ModuleIndex, train_ops: List[TrainOpInfo],
                counting: Tuple[Reached, ...], flag_names) -> Dict[int, Handling]:
    """id() of each train op's call node -> its Handling (nothing to read for a module that
    builds no train op)."""
    if not train_ops:
        return {}
    scan = _HandlingScan(evaluator, index, train_ops, counting, flag_names)
    return {id(op.call.node): scan.handling(op) for op in train_ops}


class _HandlingScan:
    def __init__(self, evaluator: Evaluator, index: ModuleIndex, train_ops: List[TrainOpInfo],
                 counting: Tuple[Reached, ...], flag_names):
        self.evaluator = evaluator
        self.resolver = evaluator.resolver
        self.index = index
        self.train_ops = train_ops
        self.counting = counting
        self.flag_names = flag_names
        self.combinations = self._combinations()
        self.runs = self._runs()

    def handling(self, op: TrainOpInfo) -> Handling:
        handled: Set[str] = set()
        consumers: list = []
        at = self.evaluator.at(op.call)
        # 1. lexically inside control_dependencies(D), D carrying update ops, same function; or
        #    built in a function every call of which is (TensorFlow applies the open dependency).
        handled |= self.evaluator.dependency_keys(op.call.node, at, None, consumers=consumers)
        handled |= self._callers_dependency_keys(op.call.scope.function(), consumers, set())
        # 2. combined with update ops into one op; 3. fetched by a run with them.
        bare_returned = self._returns_the_bare_op(op)
        for call, references, keys, reads in self.combinations:
            if op.call.node in references and not bare_returned:
                handled |= keys
                consumers.extend((read, call) for read in reads)
        for call, fetched_ops, keys, reads in self.runs:
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
        if function.kind != ScopeKind.FUNCTION:
            return False
        for node, statement in function.returns:
            value = self.resolver.value(node, At(function, statement))
            if all(type(option) is TrainOp and option.site is op.call for option in options(value)):
                return True
        return False

    def _combinations(self):
        """Grouping and ``control_dependencies`` calls: (call, train-op calls they reference,
        keys they carry, reads)."""
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
                found.append((call, {op.call.node for op in self.train_ops if id(op.call.node) in references},
                              keys, reads))
        return found

    def _runs(self):
        """Run calls (not evaluation runs) and what their fetches carry."""
        found = []
        for call in self.index.calls:
            func = call.node.func
            if type(func) is not ast.Attribute or func.attr not in tf_api.RUN_METHODS:
                continue
            fetch = argument_node(call.node, tf_api.FETCH_KEYWORD, 0)
            if fetch is None or is_evaluation_run(self.evaluator, self.flag_names, call):
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
        if function.kind != ScopeKind.FUNCTION or id(function) in seen:
            return set()
        seen.add(id(function))
        callers = self.evaluator.callers(function)
        if not callers:
            return set()
        common: Optional[Set[str]] = None
        counting = self.counting
        for caller in callers:
            caller_guards = self.evaluator.guards(caller.context, None)
            if counting and all(exclusive_guards(self.evaluator, self.index, reached, caller_guards)
                                for reached in counting):
                continue    # this call path never meets a batch-norm layer (``if use_bn: ... else: ...``)
            found: list = []
            keys = self.evaluator.dependency_keys(caller.node, self.evaluator.at(caller), None, consumers=found)
            keys |= self._callers_dependency_keys(caller.scope.function(), found, seen)
            common = keys if common is None else common & keys
            consumers.extend(found)
        if common is None:
            return {ANY_UPDATES} if counting else set()
        return common


def is_evaluation_run(evaluator: Evaluator, flag_names, call: CallSite) -> bool:
    """A run that feeds the training flag False changes no statistics (measured)."""
    resolver = evaluator.resolver
    feed = argument_node(call.node, tf_api.FEED_KEYWORD, 1)
    if feed is None:
        return False
    value = resolver.value(feed, evaluator.at(call))
    if type(value) is not Mapping and type(feed) is not ast.Dict:
        return False
    node = value.node if type(value) is Mapping else feed
    if type(node) is not ast.Dict:
        return False
    for key, item in zip(node.keys, node.values):
        if key is None:
            continue
        if resolver.definite_bool(resolver.value(item, evaluator.at(call))) is False \
                and is_flag_expression(flag_names, key):
            return True
    return False


# -- what a train op needs --------------------------------------------------------------------

def required_collections(facts, op: Optional[TrainOpInfo] = None) -> Set[str]:
    """The collections the counting sites write that ``op`` (or any train op) must depend on:
    not those of sites in the opposite branch, nor of layers whose own ``.updates`` it runs."""
    handled = facts.handling(op).keys if op is not None else ()
    return {reached.site.collection for reached in facts.counting
            if op is None or not (facts.exclusive(reached, op) or _own_updates_run(facts, reached, handled))}


def _own_updates_run(facts, reached: Reached, handled) -> bool:
    """The site is a layer object's call, and the train op depends on that object's
    ``.updates``: its update ops run, whatever the collections hold."""
    if not any(key.startswith(LAYER_UPDATES) for key in handled):
        return False
    site = reached.site
    value = facts.resolver.value(site.call.node.func, At(site.call.scope, site.call.statement), site.frame)
    layers = [option for option in options(value) if type(option) is ApiCall]
    return bool(layers) and all(layer_updates_key(layer.node) in handled for layer in layers)


def all_literal_true(facts, op: Optional[TrainOpInfo] = None) -> bool:
    """Every counting site's flag is the literal True: the moving statistics are never
    read by this graph (RULES: "Effective flag")."""
    # Every layer of the graph, not only those that make update ops: one built with False
    # (an inference tower sharing the variables) does read the moving statistics.
    layers = [reached for reached in facts.reached
              if not reached.site.keras and reached.site.collection is not None
              and (op is None or not facts.exclusive(reached, op))]
    if not (any(reached.site.writes_update_ops for reached in layers) and
            all(reached.site.flag.literal is True for reached in layers)):
        return False
    # Every True only through parameter defaults that the calls leave in place, with no
    # flag at hand to report them with: nothing else would be reported, and a program that
    # trains batch norm without its updates never ends with no finding (RULES.md).
    return not all(_left_default(facts.resolver, reached.site.flag) for reached in layers)


def _left_default(resolver, flag) -> bool:
    return any(type(option) is Const and resolver.default_of(option.node) is not None
               for option in options(flag.value))
