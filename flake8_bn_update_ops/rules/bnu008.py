"""BNU008: the checkpoint leaves out the batch-norm moving statistics.

Moving mean and variance are not trainable, so a Saver over trainable variables only never
saves them (measured, TF 2.21: trained moving_mean 1.18 restores as 0.0). ``tf.layers``
registers them only in GLOBAL_VARIABLES (measured: not in MOVING_AVERAGE_VARIABLES nor
model_variables()).
"""
from __future__ import annotations

from typing import Iterable, Optional

import libcst as cst

from .. import tf_api
from ..findings import UNSAFE
from ..fixes import ReplaceNode
from ..planning import tf_spelling
from ..resolve import argument, func_attr_name
from .base import Report, Rule


def check(context) -> Iterable[Report]:
    analyzer, analysis = context.analyzer, context.analysis
    if not (analysis.builds_any_batch_norm or analysis.keras_models or context.external_collections
            or context.external_keras):
        return
    if any(site.keeps_moving_in_trainable for site in analysis.sites):
        return
    for fact in analyzer.facts.calls:
        if analyzer.call_qualname(fact) not in tf_api.SAVERS:
            continue
        var_list = argument(fact.node.args, "var_list", 0)
        if var_list is None:
            continue
        shape = _trainable_only(analyzer, var_list.value, fact)
        if shape is None:
            continue
        yield Report(var_list.value, "BNU008",
                     "BNU008 Saver is given only trainable variables: the batch-norm moving mean and "
                     "variance are not trainable, so they are never saved and a restored model "
                     "normalizes with 0 and 1", _fix(context, var_list.value, shape))


def _trainable_only(analyzer, expr, fact, depth: int = 0) -> Optional[str]:
    """"list" or "dict" when ``expr`` holds trainable variables only; None otherwise."""
    if depth > 6:
        return None
    if isinstance(expr, cst.Call):
        if func_attr_name(expr) in tf_api.COLLECTION_READERS and expr.args:
            key = analyzer.collection_key(expr.args[0].value, fact)
            return "list" if key == tf_api.TRAINABLE_COLLECTION else None
        name = analyzer.qualname(expr.func, fact.scope, fact.seq)
        if name in tf_api.TRAINABLE_ONLY_CALLS:
            return "list"
        if isinstance(expr.func, cst.Name) and expr.func.value in ("list", "tuple") and len(expr.args) == 1:
            return _trainable_only(analyzer, expr.args[0].value, fact, depth + 1)
        return None
    if isinstance(expr, cst.Name):
        binding = analyzer.resolver.lookup(expr.value, fact.scope, fact.seq)
        if binding is not None and binding.kind == "assign" and \
                not any(mutation.name == expr.value for mutation in analyzer.facts.mutations):
            return _trainable_only(analyzer, binding.value, fact, depth + 1)
        return None
    if isinstance(expr, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return "list" if _trainable_only(analyzer, expr.for_in.iter, fact, depth + 1) else None
    if isinstance(expr, cst.DictComp):
        return "dict" if _trainable_only(analyzer, expr.for_in.iter, fact, depth + 1) else None
    return None


_MOVING = ('[v for v in {tf}.global_variables() if "moving_mean" in v.name or "moving_variance" in v.name]')
_MOVING_DICT = ('{{v.op.name: v for v in {tf}.global_variables() if "moving_mean" in v.name '
                'or "moving_variance" in v.name}}')


def _fix(context, node, shape: str) -> Optional[ReplaceNode]:
    """Unsafe: checkpoints written before the fix lack these variables."""
    spelling = tf_spelling(context.analyzer)
    if spelling.add_import is not None:
        return None
    if shape == "list":
        extra = cst.parse_expression(_MOVING.format(tf=spelling.prefix))
        return ReplaceNode(node, lambda updated: cst.BinaryOperation(
            left=updated, operator=cst.Add(), right=extra), UNSAFE)
    extra = cst.parse_expression(_MOVING_DICT.format(tf=spelling.prefix))
    return ReplaceNode(node, lambda updated: cst.Dict([
        cst.StarredDictElement(updated), cst.StarredDictElement(extra)]), UNSAFE)


RULE = Rule(
    code="BNU008",
    title="checkpoint leaves out the batch-norm moving statistics",
    effect=(
        "Moving mean and variance are not trainable variables, so a `tf.train.Saver` given only "
        "`tf.trainable_variables()` (or the `TRAINABLE_VARIABLES` collection, or a comprehension over them) never "
        "saves them (measured, TensorFlow 2.21: trained moving_mean 1.18 restores as 0.0; or "
        "`FailedPreconditionError` when nothing initializes them), and the restored model normalizes with 0 and "
        "1. Silent when the list also holds the moving statistics (`tf.global_variables()`, an added list of "
        "`moving_mean`/`moving_variance` variables; for contrib/slim also `tf.model_variables()`), or when the "
        "layers put their moving variables in the trainable collection (`variables_collections`)."),
    fix=(
        "Adds the moving statistics to the list: `+ [v for v in tf.global_variables() if \"moving_mean\" in "
        "v.name or \"moving_variance\" in v.name]`, or the dict form for a dict. Unsafe: checkpoints written "
        "before the fix lack these variables, so restoring an old checkpoint with the new Saver fails."),
    fix_safety="unsafe",
    flagged=(
        """\
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def make_saver():
    return tf.train.Saver(tf.trainable_variables())  # expect: BNU008:27
""",
    ),
    silent=(
        """\
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def make_saver():
    return tf.train.Saver(tf.global_variables())
""",
        """\
import tensorflow as tf


def network(images):
    return tf.layers.dense(images, 10)


def make_saver():
    return tf.train.Saver(tf.trainable_variables())
""",
    ),
    check=check,
)
