"""BNU006: Keras batch normalization trained by a graph-mode train op that ignores its updates.

Keras layers never put their updates into UPDATE_OPS (measured: the collection stays empty),
so the textbook ``control_dependencies(get_collection(UPDATE_OPS))`` does nothing for them;
only ``layer.updates`` / ``model.updates`` (Keras 2) run them.
"""
from __future__ import annotations

import ast
from dataclasses import replace
from typing import Iterable, Optional

from .. import tf_api
from ..core.facts.module import ModuleFacts
from ..core.index import WITH, within_function
from ..core.kinds import ScopeKind
from ..tf_api import ANY_UPDATES, KERAS_UPDATES, UPDATE_OPS
from ..core.evaluate import argument_for
from ..core.resolver import At
from ..core.values import ApiCall, Instance, ParamValue, options
from ..fixes.planning import fresh_name, plan_wrap, tf_spelling
from ..fixes.plans import UNSAFE, InsertBefore
from .base import Report, Rule
from .keras_calls import keras_model_calls
from ..findings import FixSafety


def builds_keras_batch_norm(facts: ModuleFacts) -> bool:
    """Keras batch norm that can reach a train op of the module: not one whose model provably
    stays inside a function that trains it by itself (a Keras baseline fitted beside TF1 code)."""
    kept_inside = facts.evaluator.kept_inside

    def may_reach(call, chain=()) -> bool:
        return not kept_inside((chain[0] if chain else call).scope.function(), {id(link.node) for link in chain})

    return any(may_reach(site.call) for site in facts.keras_sites) or \
        any(may_reach(reached.site.call, reached.chain) for reached in facts.reached if reached.site.keras) or \
        any(may_reach(call) for call, _ in keras_model_calls(facts))


def check(facts: ModuleFacts) -> Iterable[Report]:
    if not facts.graph_mode or not facts.train_ops or not builds_keras_batch_norm(facts):
        return
    for op in facts.train_ops:
        if facts.in_eager_function(op.call):
            continue
        keys = facts.handling(op).keys
        if KERAS_UPDATES in keys or ANY_UPDATES in keys:
            continue
        if facts.keras_updates_in_update_ops and UPDATE_OPS in keys:
            continue  # the module itself adds the Keras updates to UPDATE_OPS
        yield Report(op.call.node, "BNU006",
                     f"BNU006 `{op.method}` trains Keras BatchNormalization in graph mode without its "
                     "`.updates`: Keras never adds them to UPDATE_OPS, so the moving statistics never update",
                     _fix(facts, op), _no_fix(facts, op))


def keras_models_in_scope(facts: ModuleFacts, op):
    return facts.evaluator.keras_models_in_scope(op.call)


def _fix(facts: ModuleFacts, op):
    """Unsafe: depend on ``<model>.get_updates_for(<its training input>)``.

    RULES.md says ``<model>.updates``; TensorFlow 2.21 disagrees for a model already built on
    its own input (``input_shape=`` or a functional model on ``tf.keras.Input``): ``.updates``
    then also holds the updates of that build call, and running the train op demands a value
    for the build's placeholder (measured: InvalidArgumentError). ``get_updates_for(x)`` holds
    only the updates of the call on ``x`` and works for every model (measured: 0.284).
    """
    candidates = keras_models_in_scope(facts, op)
    if len(candidates) > 1:
        candidates = _on_the_loss(facts, op, candidates)
    if not candidates:
        return _updates_into_the_collection(facts, op)
    if len(candidates) != 1:
        return None
    (name, (keras2, value)), = candidates.items()
    if not keras2:
        return None
    spelling = tf_spelling(facts)
    training_input = _training_input(facts, value, op.call)
    if training_input is not None:
        updates = f"{name}.get_updates_for({training_input})"
    elif not _built_on_its_own_input(facts, value):
        updates = f"{name}.updates"   # called where we cannot see (a helper)
    else:
        return _wrap_the_caller(facts, op, name, value, spelling)
    dependency = f"{spelling.prefix}.control_dependencies({updates})"
    ineffective = _ineffective_wrapper(facts, op)
    wrap = plan_wrap(facts, op.call, dependency, None if ineffective else spelling.add_import, ineffective,
                     updates if ineffective else None)
    return replace(wrap, safety=UNSAFE) if wrap is not None else None


def _loss_provenance(facts: ModuleFacts, op):
    """id() of the calls the op's loss is computed through (None when it cannot be followed)."""
    expr = op.loss if op.loss is not None else (op.call.node.args[0] if op.call.node.args else None)
    if expr is None:
        return None
    return facts.evaluator.loss_provenance([(expr, facts.evaluator.at(op.call))]) or None


def _updates_into_the_collection(facts: ModuleFacts, op):
    """Unsafe: put the model's updates into ``UPDATE_OPS`` right after its training call, where
    the train op cannot name the model (a local of the helper that builds and calls it, such as
    a ``build_model`` nested in an Estimator ``model_fn`` that binds ``model = Net()`` and
    ``logits = model(x, training=True)``, then returns ``logits``) but already sits in a
    ``control_dependencies`` on ``UPDATE_OPS`` that holds nothing for Keras. RULES.md (BNU006):
    a project that puts the Keras updates into ``UPDATE_OPS`` itself is silent; that is the fix
    the project's own dependency needs (seen in real code: google/automl's efficientnetv2 once
    re-added each layer's ``updates`` there).
    TensorFlow 2.21 (``tests/differential/repros/fix_bnu006_helper_model_into_update_ops.py``):
    the moving mean stays 0.0 before, 0.33 to 0.57 after.

    Offered only for one Keras 2 model call on the way to this op's loss (through a
    call of the op's own function, the reach walk's chain), bound to a name of the calling
    function, called on a name its statement does not rebind, with a statement after it in its
    block; and only when every ``UPDATE_OPS`` read the op depends on is made in the op's
    function after that call (a read made before would miss the additions)."""
    evaluator = facts.evaluator
    spelling = tf_spelling(facts)
    if spelling.add_import is not None or UPDATE_OPS not in facts.handling(op).keys:
        return None
    reads: list = []
    evaluator.dependency_keys(op.call.node, evaluator.at(op.call), None, reads)
    provenance = _loss_provenance(facts, op)
    if not reads or provenance is None:
        return None
    function = op.call.scope.function()
    found = {}
    for call, called in keras_model_calls(facts):
        if call.scope.function() is function or _evaluation_call(call) or evaluator.keras_bn(called) is not True:
            continue
        links = [link for before in _calls_before(facts, call.scope.function()) for link in before
                 if link.scope.function() is function and id(link.node) in provenance]
        if links:
            found[id(call.node)] = (call, links)
    if len(found) != 1:
        return None
    (call, links), = found.values()
    for read in reads:
        if read.at is None or read.at.statement is None or read.at.scope.function() is not function or \
                any(link.statement.seq >= read.at.statement.seq for link in links):
            return None
    node = call.node
    statement = call.statement.node if call.statement is not None else None
    if type(node.func) is not ast.Name or not node.args or type(node.args[0]) is not ast.Name or statement is None:
        return None
    rebound = {target.id for target in ast.walk(statement)
               if type(target) is ast.Name and type(target.ctx) is ast.Store}
    if node.func.id in rebound or node.args[0].id in rebound:
        return None     # ``x = model(x)``: the name no longer holds the model's input after it
    following = _statement_after(call.scope.node, statement)
    if following is None or following.lineno <= statement.end_lineno:
        return None     # nothing after it, or ``logits = model(x); return logits`` on one line
    name = fresh_name(call.scope, "update")
    text = (f"for {name} in {node.func.id}.get_updates_for({node.args[0].id}):\n"
            f"    {spelling.prefix}.add_to_collection({spelling.prefix}.GraphKeys.UPDATE_OPS, {name})")
    return InsertBefore((following.lineno, following.col_offset), text, UNSAFE)


def _calls_before(facts: ModuleFacts, function):
    """For each chain of the reach walk (outermost call first, ending at a Keras batch-norm
    site) that enters ``function``: the calls made before it enters."""
    for reached in facts.reached:
        if not reached.site.keras:
            continue
        path = reached.chain + (reached.site.call,)
        for position, link in enumerate(path):
            if link.scope.function() is function:
                yield path[:position]
                break


def _statement_after(scope_node, statement):
    """The statement right after ``statement`` in its block (None when it is the block's last)."""
    for node in ast.walk(scope_node):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if type(body) is list and statement in body:
                position = body.index(statement)
                return body[position + 1] if position + 1 < len(body) else None
    return None


def _no_fix(facts: ModuleFacts, op) -> Optional[str]:
    """Why no fix, where this op's form says more than the rule's general reason."""
    if keras_models_in_scope(facts, op):
        return None
    calls = [call for call, _ in keras_model_calls(facts)]
    if calls and all(type(call.node.func) is ast.Call for call in calls):
        return ("its Keras batch norm layers are created and called in one expression (`BatchNormalization()(x)`): "
                "no name holds their `.updates` for the train op to depend on")
    return None


def _on_the_loss(facts: ModuleFacts, op, candidates: dict) -> dict:
    """The candidates called on the way to this train op's loss (the evaluator's loss
    provenance: a discriminator in scope whose output the generator's loss never reads is not
    the model this op trains). All of them when the loss cannot be followed."""
    provenance = _loss_provenance(facts, op)
    if provenance is None:
        return candidates
    # A call with ``training=False`` makes no updates: reaching the loss through it (a teacher's
    # fixed outputs) does not make its model the one this op trains.
    calls = [(call, called) for call, called in keras_model_calls(facts)
             if id(call.node) in provenance and not _evaluation_call(call)]
    return {name: entry for name, entry in candidates.items()
            if any(_same_model(facts, called, entry[1]) for _, called in calls)}


def _wrap_the_caller(facts: ModuleFacts, op, name: str, value, spelling):
    """A train op built in a helper that sees the model but not its input
    (``build_optimizer(model, loss)``): the helper's one call is wrapped instead, where both can
    be named (RULES.md, handled form 1: a train op built in a function whose every call sits in
    a carrying ``control_dependencies`` block is handled; TensorFlow applies the open dependency
    to ops built in callees, measured)."""
    function = op.call.scope.function()
    if function.kind != ScopeKind.FUNCTION:
        return None
    callers = facts.callers(function)
    if len(callers) != 1:
        return None
    caller = callers[0]
    model_text = name
    param = function.param(name)
    if param is not None:
        argument = argument_for(caller.node, param)
        model_text = facts.evaluator.portable(argument, caller, caller) if argument is not None else None
    elif "." not in name and not facts.evaluator.same_binding(name, caller, op.call):
        return None
    training_input = _training_input(facts, value, caller)
    if model_text is None or training_input is None:
        return None
    dependency = f"{spelling.prefix}.control_dependencies({model_text}.get_updates_for({training_input}))"
    wrap = plan_wrap(facts, caller, dependency, spelling.add_import)
    return replace(wrap, safety=UNSAFE) if wrap is not None else None


def _ineffective_wrapper(facts: ModuleFacts, op):
    """The ``with control_dependencies(<UPDATE_OPS>)`` item around the train op, which holds
    nothing for Keras: the fix replaces its expression instead of nesting a second block. Only
    where the collection is empty (no UPDATE_OPS batch norm anywhere in the graph) and the
    block holds nothing but the train op: otherwise replacing it would stop the other layers
    updating (measured: a tf.layers moving mean 0.28 -> 0.0), or make other statements of the
    block (an evaluation metric) run the Keras updates."""
    if facts.counting_sites():
        return None
    for entry in within_function(op.call.context):
        if entry.kind != WITH:
            continue
        items = entry.node.items if entry.part == -1 else entry.node.items[:entry.part]
        statement = op.call.scope.index.statement_of_node.get(id(entry.node))
        for item in items:
            expr = item.context_expr
            if type(expr) is not ast.Call or not expr.args:
                continue
            func = expr.func
            if (func.attr if type(func) is ast.Attribute else getattr(func, "id", None)) != tf_api.CONTROL_DEPENDENCIES:
                continue
            keys = facts.evaluator.carried_expression(expr.args[0], At(op.call.scope, statement))
            if keys == {UPDATE_OPS} and item.optional_vars is None and len(entry.node.items) == 1 and \
                    len(entry.node.body) == 1 and entry.node.body[0] is op.call.statement.node:
                return facts.source.span(expr.args[0])
    return None


def _training_input(facts: ModuleFacts, value, target) -> Optional[str]:
    """The input of the model's training call(s), written as it can be read at ``target`` (the
    train op's call, or the call of the helper that builds it): one expression, or None. A
    parameter is followed to what its callers pass (``forward(model, x)`` called with
    ``images``), so the text is valid there."""
    inputs = set()
    for call, called in keras_model_calls(facts):
        if not _same_model(facts, called, value):
            continue
        if call.scope.function() is target.scope.function() and call.statement.seq > target.statement.seq:
            continue
        if not call.node.args:
            continue
        if _evaluation_call(call):
            continue
        text = facts.evaluator.portable(call.node.args[0], call, target)
        if text is None:
            return None
        inputs.add(text)
    return inputs.pop() if len(inputs) == 1 else None


def _evaluation_call(call) -> bool:
    """``model(x, training=False)``."""
    training = [keyword for keyword in call.node.keywords if keyword.arg == tf_api.KERAS_TRAINING_ARGUMENT]
    return bool(training) and type(training[0].value) is ast.Constant and training[0].value.value is False


def _expanded(facts: ModuleFacts, value) -> list:
    """A value's alternatives, a parameter standing for what its callers pass."""
    found = []
    for option in options(value):
        if type(option) is ParamValue:
            for passed in facts.evaluator.arguments_passed(option.param):
                found.extend(options(passed))
        else:
            found.append(option)
    return found


def _same_model(facts: ModuleFacts, called, value) -> bool:
    wanted = {id(option) for option in _expanded(facts, value)}
    for option in options(called):
        if id(option) in wanted:
            return True
        if type(option) is ParamValue and any(id(passed) in wanted or any(id(o) in wanted for o in options(passed))
                                              for passed in facts.evaluator.arguments_passed(option.param)):
            return True
    return False


def _built_on_its_own_input(facts: ModuleFacts, value) -> bool:
    """A functional model, an application, or a Sequential given its input: Keras already
    called it on its own placeholder, whose updates ``.updates`` would also hold. A subclassed
    model is built by its first call; a Sequential whose layers the checker sees, none of them
    given an input shape, is not either. Anything else counts as built (no ``.updates``)."""
    expanded = _expanded(facts, value)
    if not expanded:
        return True
    for option in expanded:
        if type(option) is Instance:
            continue
        if type(option) is not ApiCall:
            return True
        if not option.name.endswith(tf_api.KERAS_SEQUENTIAL_SUFFIX):
            if option.name in tf_api.KERAS_MODEL_CLASSES or option.name.startswith(tf_api.KERAS_APPLICATION_PREFIXES):
                return True     # a functional model or an application: built on its own input
            if option.args.spreads or any(key in tf_api.KERAS_INPUT_SHAPE_KEYWORDS for key, _ in option.args.keywords):
                return True     # a layer given its input shape
            continue
        layers = facts.evaluator.sequential_layers(option)
        if layers is None:
            return True
        for layer in layers:
            for item in options(layer):
                if type(item) is not ApiCall:
                    return True
                if item.name.endswith(tf_api.KERAS_INPUT_LAYER_SUFFIXES) or item.args.spreads or \
                        any(key in tf_api.KERAS_INPUT_SHAPE_KEYWORDS for key, _ in item.args.keywords):
                    return True
    return False


RULE = Rule(
    code="BNU006",
    title="Keras batch normalization in graph-mode training",
    effect=(
        "Keras `BatchNormalization` layers never add their update ops to `UPDATE_OPS` (measured: the collection "
        "stays empty), so in graph mode (`Session`, `placeholder`, `disable_eager_execution`, an Estimator "
        "`model_fn`, TF1 optimizers) the textbook `control_dependencies(get_collection(UPDATE_OPS))` does "
        "nothing for them: only `model.updates` / `model.get_updates_for(x)` (Keras 2) run them, and the moving "
        "statistics never update otherwise. A project that adds the Keras updates to `UPDATE_OPS` itself is "
        "silent."),
    fix=(
        "Makes the train op depend on the model's own updates: `with tf.control_dependencies("
        "model.get_updates_for(x)):`, where `x` is the input of the model's training call, or `model.updates` "
        "when the model is called where the checker cannot see. Where the train op already sits in an "
        "ineffective `UPDATE_OPS` block, that block's expression is replaced. Where the train op cannot name the "
        "model (a local of the helper that builds and calls it, as in an Estimator `model_fn`'s `build_model`) "
        "but already depends on `UPDATE_OPS` read after that helper ran, the model's `get_updates_for(x)` are "
        "added to `UPDATE_OPS` right after its training call instead (measured on TensorFlow 2.21: the moving "
        "mean stays 0.0 before, moves after). Unsafe, and only for "
        "`tf.keras`/`tf_keras` with exactly one model or layer that can be named (Keras 3 has no `.updates`); "
        "layers created and called in one expression (`BatchNormalization()(x)`) have no name to read them from. "
        "`get_updates_for(x)` rather than `.updates`: for a model built on its own input, `.updates` also holds "
        "the build call's updates and the train op then demands a value for that placeholder (measured on "
        "TensorFlow 2.21)."),
    fix_safety=FixSafety.UNSAFE,
    fix_title="run the Keras updates before `{method}`",
    no_fix=(
        "not exactly one Keras 2 model or layer can be named as the one the train op trains (Keras 3 has no "
        "`.updates`)"),
    flagged=(
        """\
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
x = tf.compat.v1.placeholder(tf.float32, [None, 4])
loss = tf.reduce_mean(model(x, training=True))
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU006:12
""",
    ),
    silent=(
        """\
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
x = tf.compat.v1.placeholder(tf.float32, [None, 4])
loss = tf.reduce_mean(model(x, training=True))
with tf.control_dependencies(model.get_updates_for(x)):
    train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
optimizer = tf.keras.optimizers.Adam()


def step(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
    ),
    check=check,
    fixed=(
        (
            """\
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
x = tf.compat.v1.placeholder(tf.float32, [None, 4])
loss = tf.reduce_mean(model(x, training=True))
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
""",
            """\
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
x = tf.compat.v1.placeholder(tf.float32, [None, 4])
loss = tf.reduce_mean(model(x, training=True))
with tf.compat.v1.control_dependencies(model.get_updates_for(x)):
    train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
""",
        ),
        (
            """\
import tensorflow.compat.v1 as tf


def train_graph(images, targets):
    def build_model(inputs):
        model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
        outputs = model(inputs, training=True)
        return outputs

    loss = tf.reduce_mean(tf.square(build_model(images) - targets))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
            """\
import tensorflow.compat.v1 as tf


def train_graph(images, targets):
    def build_model(inputs):
        model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
        outputs = model(inputs, training=True)
        for update in model.get_updates_for(inputs):
            tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, update)
        return outputs

    loss = tf.reduce_mean(tf.square(build_model(images) - targets))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
        ),
    ),
)
