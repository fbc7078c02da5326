"""Mode flow for the PyTorch codes: where a module with batch norm is run for evaluation
(BNU101) and where an ``.eval()`` reaches a training step (BNU102). The facts (batch-norm
containment, events, summaries) are ``core.torch_flow``'s; this module decides what is an
evaluation and which mode reaches it."""
from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple

from .. import torch_api
from ..core.index import IF, LOOP, MATCH, TRY, WITH, CallSite, Scope, contexts
from ..core.kinds import BindingKind, EventKind, ScopeKind
from ..core.torch_flow import EVAL, UNSURE, Event, TorchFlow, loops_of, span_of, withs_of
from ..core.values import Api, ApiCall, Const, InstanceCall, options

EXPORTED = "exported or traced"


class Evaluation:
    """A call that runs ``key`` for evaluation: ``why`` says how we know, ``before`` is the
    statement a fix puts ``key.eval()`` in front of."""

    __slots__ = ("call", "key", "why", "before", "node")

    def __init__(self, call: CallSite, key: str, why: str, before, node):
        self.call = call
        self.key = key
        self.why = why
        self.before = before
        self.node = node


def evaluations(flow: TorchFlow) -> Iterator[Evaluation]:
    evaluator = flow.evaluator
    drawn_batches = _evaluation_batches(flow)
    for call in evaluator.index.calls:
        node = call.node
        scope = call.scope.function()
        if flow.framework_managed(scope):
            continue
        exported = _exported(flow, call)
        if exported is not None:
            yield exported
            continue
        key = flow.key(node.func)
        if key is None or not flow.contains_bn(evaluator.callee(call)):
            continue
        why, before = _why_evaluation(flow, call, scope, drawn_batches.get(id(scope), ()))
        if why is not None:
            yield Evaluation(call, key, why, before, node)


def _exported(flow: TorchFlow, call: CallSite) -> Optional[Evaluation]:
    if not any(type(option) is Api and option.name in torch_api.EXPORTS
               for option in options(flow.evaluator.callee(call))):
        return None
    node = call.node
    first = node.args[0] if node.args else next(
        (keyword.value for keyword in node.keywords if keyword.arg in torch_api.EXPORTED_KEYWORDS), None)
    key = flow.key(first) if first is not None else None
    if key is None or not flow.contains_bn(flow.value_at(first, call)):
        return None
    return Evaluation(call, key, EXPORTED, call.statement.node, node)


def _why_evaluation(flow: TorchFlow, call: CallSite, scope: Scope,
                    drawn_batches: Sequence[CallSite]) -> Tuple[Optional[str], object]:
    loops = loops_of(call)
    # A no-grad forward in the same training step as a backward (in the same innermost loop, or
    # later in a loop-less step function) computes a teacher's or target's output: that is not
    # evaluation. Validation in an epoch loop whose batches train in an inner loop is.
    position = (call.node.lineno, call.node.col_offset)
    trains_here = _in_training_step(flow, call, scope)
    no_grad = _no_grad_block(flow, call)
    if no_grad is not None and not trains_here:
        return "under `torch.no_grad()`", no_grad
    if scope.kind == ScopeKind.FUNCTION and _no_grad_decorated(flow, scope) and not flow.trains(scope):
        return "in a `@torch.no_grad()` function", _first_statement(scope.node)
    if scope.kind == ScopeKind.FUNCTION and _evaluation_name(scope.name) and not flow.trains(scope) and \
            not any(_in_training_step(flow, caller, caller.scope.function())
                    for caller in flow.evaluator.callers(scope)):
        return f"in `{scope.name}()`", _first_statement(scope.node)
    for loop in loops:
        if type(loop) is ast.For and _evaluation_iterable(flow, call, loop.iter) and \
                not flow.step_within(scope, span_of(loop)):
            return "in an evaluation loop", loop
    drawn = _evaluation_batch_block(flow, call, scope, drawn_batches)
    if drawn is not None:
        return "on a batch drawn from an evaluation iterable", drawn
    key = flow.key(call.node.func)
    if key is not None and flow.loads_weights(scope, key, position) and not flow.trains(scope) and \
            not flow.step_within(scope, ((0, 0), (1 << 30, 0))):
        return "after loading its weights, in code that does not train", call.statement.node
    return None, None


def _evaluation_batches(flow: TorchFlow) -> Dict[int, List[CallSite]]:
    """id() of each function -> the calls in it that draw one batch from an evaluation iterable
    by hand (``next(enumerate(testloader))``, ``next(iter(val_loader))``), in source order; read
    once per module."""
    found: Dict[int, List[CallSite]] = {}
    for call in flow.index.calls:
        if call.node.args and any(type(option) is Api and option.name in torch_api.NEXT_BATCH_FUNCTIONS
                                  for option in options(flow.evaluator.callee(call))) \
                and _evaluation_iterable(flow, call, call.node.args[0]):
            found.setdefault(id(call.scope.function()), []).append(call)
    return found


def _evaluation_batch_block(flow: TorchFlow, call: CallSite, scope: Scope, batches: Sequence[CallSite]):
    """The statement that draws an evaluation batch before the call, in the innermost block
    around it that draws one (an ``if i % 10 == 0:`` body inside the training loop, or the
    function), when no training step follows the draw in that block: the pointnet-style
    periodic test forward, or a test batch after an epoch's training. None otherwise."""
    if not batches:
        return None
    position = (call.node.lineno, call.node.col_offset)
    blocks = [entry.node for entry in contexts(call.context) if entry.kind in (IF, LOOP, WITH, TRY, MATCH)]
    if scope.kind == ScopeKind.FUNCTION:
        blocks.append(scope.node)
    for block in blocks:
        span = span_of(block)
        inside = [batch for batch in batches
                  if span[0] <= (batch.node.lineno, batch.node.col_offset) < position <= span[1]]
        if not inside:
            continue
        first = inside[0]
        if flow.step_within(scope, ((first.node.lineno, first.node.col_offset), span[1])):
            return None         # a step follows in the block: the drawn batch trains
        return first.statement.node
    return None


def _in_training_step(flow: TorchFlow, call: CallSite, scope: Scope) -> bool:
    """A training step follows the call in the same pass: a backward later in the same innermost
    loop's body, or later in a loop-less step function (a teacher's forward, a loss helper's
    call). A no-grad forward after the iteration's last step (GLCIC's periodic test completion
    after ``opt.step()``) feeds no backward: that is evaluation."""
    loops = loops_of(call)
    innermost = loops[0] if loops else None
    position = (call.node.lineno, call.node.col_offset)
    return any(event.kind == EventKind.STEP and (loops_of(event.call)[:1] or [None])[0] is innermost
               and event.pos > position
               for event in flow.events(scope))


def _no_grad_block(flow: TorchFlow, call: CallSite):
    found = None
    for with_node in withs_of(call):
        statement = call.scope.index.statement_of_node.get(id(with_node))
        for item in with_node.items:
            value = flow.resolver.value(item.context_expr, _at(call, statement))
            for option in options(value):
                if type(option) is ApiCall and option.name in torch_api.NO_GRAD_CONTEXTS:
                    if option.name.endswith(torch_api.GRAD_MODE_SETTER_SUFFIX):
                        argument = option.args.positional[0] if option.args.positional else None
                        flag = flow.resolver.arg_value(argument) if argument is not None else None
                        if type(flag) is not Const or flag.value is not False:
                            continue
                    found = with_node      # the outermost one wins
    return found


def _at(call: CallSite, statement):
    from ..core.resolver import At
    return At(call.scope, statement if statement is not None else call.statement)


def _no_grad_decorated(flow: TorchFlow, scope: Scope) -> bool:
    for decorator in getattr(scope.node, "decorator_list", ()):
        target = decorator.func if type(decorator) is ast.Call else decorator
        statement = scope.parent.index.statement_of_node.get(id(scope.node)) if scope.parent is not None else None
        from ..core.resolver import At
        value = flow.resolver.value(target, At(scope.parent, statement))
        if any(type(option) is Api and option.name in torch_api.NO_GRAD_DECORATORS
               for option in options(value)):
            return True
    return False


def _evaluation_name(name: str) -> bool:
    lowered = name.lower()
    if lowered.startswith(torch_api.TEST_FUNCTION_PREFIXES):
        return False        # a pytest test, not an evaluation
    return any(word in lowered for word in torch_api.EVALUATION_FUNCTION_WORDS)


def _evaluation_iterable(flow: TorchFlow, call: CallSite, node) -> bool:
    """``for x in val_loader``, ``for x in tqdm(test_loader)``, or a name bound to such a call."""
    text = ast.unparse(node).lower()
    statement = call.scope.index.statement_of_node.get(id(node))
    for option in options(flow.resolver.value(node, _at(call, statement))):
        if type(option) in (ApiCall, InstanceCall) and option.node is not None:
            text += " " + ast.unparse(option.node).lower()
    return any(word in text for word in torch_api.EVALUATION_ITERABLE_WORDS) and \
        torch_api.TRAINING_ITERABLE_WORD not in text


def _first_statement(function_node):
    body = function_node.body
    if len(body) > 1 and type(body[0]) is ast.Expr and type(getattr(body[0], "value", None)) is ast.Constant \
            and isinstance(body[0].value.value, str):
        return body[1]
    return body[0]


# ----------------------------------------------------------------------------------------------
# Which mode reaches a call


def reaching_modes(flow: TorchFlow, scope: Scope, key: str, pos, loops, seen: Set[tuple],
                   export: bool = False) -> Set[str]:
    marker = (id(scope), key, pos)
    if marker in seen:
        return {UNSURE}
    seen.add(marker)
    modes: Set[str] = set()
    found = flow.last_mode(scope, key, before=pos)
    if found is not None:
        modes.add(found)
    else:
        modes |= _start_modes(flow, scope, key, seen, export)
    events = flow.events(scope)
    for loop in loops:
        low, high = span_of(loop)
        # The mode the loop's next pass brings back, unless a switch earlier in the body (the
        # ``model.eval()`` that opens a periodic validation) sets it again before ``pos``.
        if any(low <= event.pos < pos and flow.event_mode(event, key, set()) is not None for event in events):
            break
        for event in reversed(events):
            if pos < event.pos <= high:
                later = flow.event_mode(event, key, set())
                if later is not None:
                    modes.add(later)
                    break
    return modes


def _start_modes(flow: TorchFlow, scope: Scope, key: str, seen, export: bool) -> Set[str]:
    root = key.split(".", 1)[0]
    bindings = scope.bindings.get(root, ())
    if key == root and bindings and all(binding.kind == BindingKind.ASSIGN and type(binding.value) is ast.Call
                                        and not binding.unpack for binding in bindings):
        # Built here: modules start in training mode. A module built and run without training
        # or loading weights is a smoke test of its shapes, not an evaluation (an export is
        # meant for use whatever the weights).
        if not (export or flow.step_within(scope, ((0, 0), (1 << 30, 0)))
                or flow.loads_weights(scope, key, (1 << 30, 0))):
            return {UNSURE}
        return {flow.built_mode(binding.value, scope, binding.statement) for binding in bindings}
    if scope.kind != ScopeKind.FUNCTION or bindings and scope.param(root) is None:
        return {UNSURE}
    callers = flow.evaluator.callers(scope)
    if not callers:
        return {UNSURE}
    modes: Set[str] = set()
    for caller in callers:
        event = Event(EventKind.CALL, caller, callees=(scope,), renames=flow._renames(caller, scope))
        outer = flow.into_caller(key, event, scope)
        if outer is None:
            return {UNSURE}
        modes |= reaching_modes(flow, caller.scope.function(), outer, event.pos, loops_of(caller), seen, export)
    return modes


def continuation(flow: TorchFlow, scope: Scope, key: str, pos, loops, seen: Set[tuple]):
    """What the receiver meets first after ``pos`` (wrapping around loops, then returning to
    the callers): (effect, event, loop wrapped around or None, scope, key at that level)."""
    marker = (id(scope), key)
    if marker in seen:
        return None
    seen.add(marker)
    events = flow.events(scope)

    def scan(test):
        for event in events:
            if test(event.pos):
                found = flow.event_effect(event, key, set())
                if found is not None:
                    return found
        return None

    low_done, high_done = pos, pos
    for loop in loops:
        low, high = span_of(loop)
        found = scan(lambda p, h=high, d=high_done: d < p <= h)
        if found is not None:
            return found + (None, scope, key)
        found = scan(lambda p, lo=low, d=low_done: lo <= p < d)
        if found is not None:
            return found + (loop, scope, key)
        low_done, high_done = low, high
    found = scan(lambda p, d=high_done: p > d)
    if found is not None:
        return found + (None, scope, key)
    if scope.kind != ScopeKind.FUNCTION:
        return None
    for caller in flow.evaluator.callers(scope):
        event = Event(EventKind.CALL, caller, callees=(scope,), renames=flow._renames(caller, scope))
        outer = flow.into_caller(key, event, scope)
        if outer is None:
            continue
        found = continuation(flow, caller.scope.function(), outer, event.pos, loops_of(caller), seen)
        if found is not None and found[0] == EventKind.STEP:
            return found
    return None


def eval_events(flow: TorchFlow) -> Iterator[Event]:
    for scope in flow.evaluator.index.scopes:
        if scope.kind not in (ScopeKind.MODULE, ScopeKind.FUNCTION):
            continue
        for event in flow.events(scope):
            if event.kind == EventKind.MODE and event.mode == EVAL and event.call.scope.function() is scope:
                yield event


def statement_on_own_line(source, node) -> bool:
    """A fix inserts a statement before ``node`` only where it starts its own line (not in a
    one-line ``if x: y`` suite)."""
    line = source.line(node.lineno)
    return line[:source.column(node.lineno, node.col_offset)].strip() == ""


def loop_body_start(loop) -> List:
    return loop.body[0]


def call_named(source, call: CallSite) -> str:
    """How a message names a call another finding's text points to: its source text (short,
    on one line) and the function it is in. Not its line number: a notebook's findings are
    placed by cell and line, and a line number inside a message would be the module's."""
    func = call.node.func
    text = source.segment(func)
    if len(text) > 40 or "\n" in text:
        text = f".{func.attr}" if type(func) is ast.Attribute else ""
    named = f"`{text}()`" if text else "a call"
    function = call.scope.function()
    if function is not None and function.kind == ScopeKind.FUNCTION:
        named += f" in `{function.name}()`"
    return named
