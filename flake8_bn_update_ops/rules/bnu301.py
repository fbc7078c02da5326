"""BNU301: a Flax ``apply(..., mutable=["batch_stats"])`` whose returned statistics are thrown
away (google/flax#1489).

Measured (Flax linen): ``apply`` never changes the variables it is given; the updated running
averages exist only in the second value it returns. Dropped, the next step (and evaluation)
normalizes with the statistics the model was initialised with.
"""
from __future__ import annotations

import ast
from typing import Iterable, Optional

from .. import keras_flax_api
from ..core.facts.module import ModuleFacts
from ..core.index import LOOP, CallSite, within_function
from ..core.kinds import ScopeKind
from .base import Report, Rule
from .steps import inside
from ..findings import FixSafety


def check(facts: ModuleFacts) -> Iterable[Report]:
    applies = facts.batch_stats_applies
    if not applies:
        return
    discarded = [(call, _discarded(facts, call)) for call in applies]
    keeping = {id(call.scope.function()) for call, node in discarded
               if node is None and call.scope.function().kind != ScopeKind.MODULE}
    for call, node in discarded:
        if node is None or not _steps_repeatedly(facts, call):
            continue
        # A second forward in a step function that keeps the first one's statistics (a perturbed
        # or regularising pass) drops its own on purpose. Module-level code is a script or
        # notebook: its applies are separate steps.
        if id(call.scope.function()) in keeping:
            continue
        yield Report(node, "BNU301",
                     "BNU301 the updated `batch_stats` this `apply(..., mutable=...)` returns are thrown away: the "
                     "variables passed in never change, so the next step and evaluation normalize with the old "
                     "running averages")


def _steps_repeatedly(facts: ModuleFacts, call: CallSite) -> bool:
    """Where dropped statistics matter: a training step (a function handed to a gradient
    transform, or one the module calls in a loop), a loop, or a script's or notebook's top
    level. A helper that only wants the output (a kernel computation, a shape check) drops
    them on purpose."""
    if call.scope.function().kind == ScopeKind.MODULE:
        return True
    if inside(call.scope, facts.differentiated_scopes):
        return True
    if _in_loop(call):
        return True
    # A step function the module calls in a loop (``for batch in data: train_step(...)``).
    return any(_in_loop(caller) for caller in facts.callers(call.scope.function()))


def _in_loop(call: CallSite) -> bool:
    return any(entry.kind == LOOP for entry in within_function(call.context))


def _discarded(facts: ModuleFacts, call: CallSite) -> Optional[ast.AST]:
    """Where the updates are dropped (the node to report), or None when they may be kept."""
    statement = call.statement.node
    node = call.node
    if type(statement) is ast.Expr and statement.value is node:
        return node
    if type(statement) in (ast.Assign, ast.AnnAssign) and statement.value is node:
        targets = statement.targets if type(statement) is ast.Assign else [statement.target]
        if len(targets) != 1:
            return None
        target = targets[0]
        if type(target) in (ast.Tuple, ast.List) and len(target.elts) == 2:
            updates = target.elts[1]
            if type(updates) is ast.Name:
                if updates.id in keras_flax_api.DISCARD_NAMES or not _read_after(facts, call, updates.id):
                    return updates
        return None
    parent = _subscript_of(statement, node)
    if parent is not None and type(parent.slice) is ast.Constant and parent.slice.value == 0:
        return node     # ``apply(...)[0]``: the output only
    return None


def _subscript_of(statement, node) -> Optional[ast.Subscript]:
    for candidate in ast.walk(statement):
        if type(candidate) is ast.Subscript and candidate.value is node:
            return candidate
    return None


def _read_after(facts: ModuleFacts, call: CallSite, name: str) -> bool:
    """Whether the value bound to ``name`` by the call's statement may be read: in a function,
    any read of the name in it (a loop may read it on the next pass); at module level, a read
    on a later line, or in a function that does not bind the name itself."""
    scope = call.statement.scope
    while scope.kind in (ScopeKind.COMPREHENSION, ScopeKind.CLASS) and scope.parent is not None:
        scope = scope.parent
    line = getattr(call.statement.node, "end_lineno", call.statement.node.lineno)
    stack = [(child, False) for child in ast.iter_child_nodes(scope.node)]
    while stack:
        node, in_function = stack.pop()
        kind = type(node)
        if kind is ast.Name and node.id == name and type(node.ctx) is ast.Load:
            if scope.kind != ScopeKind.MODULE or in_function or node.lineno > line:
                return True
            continue
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda):
            inner = facts.index.scope_of(node)
            if inner is not None and name in inner.bindings and name not in inner.globals:
                continue        # a local of its own: not this value
            stack.extend((child, True) for child in ast.iter_child_nodes(node))
            continue
        stack.extend((child, in_function) for child in ast.iter_child_nodes(node))
    return False


RULE = Rule(
    code="BNU301",
    title="Flax `batch_stats` updates returned by `apply` are thrown away",
    effect=(
        "`out, updates = model.apply(variables, x, mutable=['batch_stats'])` (or `mutable=True`, or a list holding "
        "`'batch_stats'`) is the only way Flax hands back the updated running averages: `apply` never changes the "
        "variables it is given (measured). When the updates are dropped (`out, _ = ...`, a name never read again, "
        "`apply(...)[0]`, or the call as a bare statement), the next step and evaluation normalize with the "
        "statistics the model was initialised with (google/flax#1489). Only where that matters: in a training step "
        "(a function handed to `jax.grad`/`jax.value_and_grad`, or called in a loop), in a loop, or at a script's "
        "or notebook's top level; a helper that only wants the output (a kernel or shape computation) is left "
        "alone. Silent when the updates are read anywhere after (returned, stored into the train state, passed on: "
        "it does not follow them further), when `mutable=` is not known to include `batch_stats`, and for a second "
        "`apply` in a step that keeps the first one's updates (a perturbed or regularising forward pass). Off by "
        "default (enable with `--select BNU` or `extend-select = BNU301`): torchwild 1 of 2 bug rows caught "
        "(missed: statistics recomputed in a jitted closure over the old state), 0 of 13 correct rows flagged. 10 "
        "public `mutable=['batch_stats'])` hits read: no bug; 1 false alarm (a neural-tangents kernel helper) "
        "removed by the step/loop condition, which was tuned on it. "
        "Off by default (enable with `--select BNU` or `extend-select = BNU301`). Figures on "
        "benchmarks/torchreal (83 repositories, December 2026): no BUG row of its kind exists yet (every Flax "
        "step read threads its `batch_stats`), and it was charged with none of 22 correct look-alikes; on "
        "../shared/torchwild it caught 1 of 2 bug rows with no false alarm on 13 correct ones. Under the bar "
        "(precision >= 90% and recall >= 80%): too few rows."),
    fix="None: where the statistics belong (a train state, a dict, a returned tuple) is the author's design.",
    fix_safety=FixSafety.NONE,
    flagged=(
        """\
import jax
import flax.linen as nn


def train_step(state, x, y):
    def loss_fn(params):
        variables = {"params": params, "batch_stats": state.batch_stats}
        out, _ = state.apply_fn(variables, x, mutable=["batch_stats"])  # expect: BNU301:14
        return ((out - y) ** 2).mean()

    grads = jax.grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads)
""",
    ),
    silent=(
        """\
import jax
import flax.linen as nn


def train_step(state, x, y):
    def loss_fn(params):
        variables = {"params": params, "batch_stats": state.batch_stats}
        out, updates = state.apply_fn(variables, x, mutable=["batch_stats"])
        return ((out - y) ** 2).mean(), updates

    (loss, updates), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params)
    return state.apply_gradients(grads=grads, batch_stats=updates["batch_stats"])
""",
        """\
import flax.linen as nn


def evaluate(model, variables, x):
    out, _ = model.apply(variables, x, mutable=["intermediates"])
    return out
""",
    ),
    check=check,
)
