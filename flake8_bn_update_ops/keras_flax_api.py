"""What we know about Keras fine-tuning, Keras 3 custom steps and Flax batch norm, as data
(codes BNU2xx and BNU3xx). The TF1/Keras-2 facts these build on stay in ``tf_api``.

Names are canonical dotted paths as ``tf_api.canonical`` folds them. A new API is a new row
here, not a new ``if`` in a rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import FrozenSet, Mapping, Optional, Tuple

from . import tf_api

# ----------------------------------------------------------------------------------------------
# Momentum (BNU203, BNU303): in these APIs the momentum (or decay) is the weight of the OLD
# moving value, default 0.99 or 0.999; PyTorch's ``momentum=0.1`` is the weight of the NEW
# batch. A value at or under MOMENTUM_SUSPECT_AT most likely carries PyTorch's meaning.


@dataclass(frozen=True)
class MomentumParameter:
    keyword: str
    position: Optional[int]     # its positional index in the call that takes it (None: keyword-only)
    default: float
    code: str                   # the rule that reports it: its framework family


_KERAS_LAYER = MomentumParameter("momentum", 1, 0.99, "BNU203")
MOMENTUM_PARAMETERS: Mapping[str, MomentumParameter] = MappingProxyType({
    "tensorflow.keras.layers.BatchNormalization": _KERAS_LAYER,
    "tensorflow.keras.layers.experimental.SyncBatchNormalization": _KERAS_LAYER,
    "keras.layers.BatchNormalization": _KERAS_LAYER,
    # tf.layers.batch_normalization(inputs, axis=-1, momentum=0.99, ...)
    "tensorflow.layers.batch_normalization": MomentumParameter("momentum", 2, 0.99, "BNU203"),
    "tensorflow.layers.BatchNormalization": _KERAS_LAYER,
    # batch_norm(inputs, decay=0.999, ...)
    "tensorflow.contrib.layers.batch_norm": MomentumParameter("decay", 1, 0.999, "BNU203"),
    "tensorflow.contrib.slim.batch_norm": MomentumParameter("decay", 1, 0.999, "BNU203"),
    "tf_slim.batch_norm": MomentumParameter("decay", 1, 0.999, "BNU203"),
    # Flax linen's dataclass fields: BatchNorm(use_running_average, axis, momentum, ...)
    "flax.linen.BatchNorm": MomentumParameter("momentum", 2, 0.99, "BNU303"),
    "flax.linen.normalization.BatchNorm": MomentumParameter("momentum", 2, 0.99, "BNU303"),
    # nnx.BatchNorm(num_features, *, use_running_average, axis, momentum=0.99, ...)
    "flax.nnx.BatchNorm": MomentumParameter("momentum", None, 0.99, "BNU303"),
    "flax.nnx.nn.normalization.BatchNorm": MomentumParameter("momentum", None, 0.99, "BNU303"),
    # hk.BatchNorm(create_scale, create_offset, decay_rate, ...)
    "haiku.BatchNorm": MomentumParameter("decay_rate", 2, 0.999, "BNU303"),
})
MOMENTUM_SUSPECT_AT = 0.5

# ----------------------------------------------------------------------------------------------
# Keras fine-tuning (BNU201): ``base.trainable = False`` ... ``base(x)`` ... ``base.trainable =
# True`` ... fit. Setting ``trainable`` on a model sets it on its layers; ``.layers`` lists them.

FREEZE_ATTRIBUTE = "trainable"
LAYERS_ATTRIBUTE = "layers"
# ``keras.Model(inputs=base.input, ...)`` reuses the base's own graph (no call to pass `training` to).
GRAPH_INPUT_ATTRIBUTES: FrozenSet[str] = frozenset({"input", "inputs"})
# ``keras.Model(inputs, outputs)``: the keyword (else the first argument) naming the graph's input.
MODEL_INPUTS_KEYWORD = "inputs"
TRAINING_KEYWORD = "training"
# Calls that train a compiled Keras model (tf_api's, which BNU003 reads, are the same calls).
KERAS_FIT_METHODS: FrozenSet[str] = tf_api.KERAS_TRAINING_METHODS

# ----------------------------------------------------------------------------------------------
# Keras 3 custom steps (BNU202): ``model.stateless_call(trainable_vars, non_trainable_vars, x)``
# runs in inference mode unless ``training=True`` is passed (keras-team/keras#20378).

STATELESS_CALL = "stateless_call"
# A function handed to one of these is differentiated: it is a training step's loss.
GRADIENT_TRANSFORMS: FrozenSet[str] = frozenset({
    "jax.grad", "jax.value_and_grad", "jax.vjp",
    "torch.func.grad", "torch.func.grad_and_value", "torch.func.vjp",
})

# ----------------------------------------------------------------------------------------------
# Flax (BNU301): ``apply(variables, x, mutable=["batch_stats"])`` returns ``(out, updates)``;
# the updated statistics exist only in ``updates``.

FLAX_APPLY_METHODS: FrozenSet[str] = frozenset({"apply", "apply_fn"})
MUTABLE_KEYWORD = "mutable"
BATCH_STATS_COLLECTION = "batch_stats"
# A placeholder name: its value is thrown away on purpose.
DISCARD_NAMES: FrozenSet[str] = frozenset({"_", "__"})

# Flax mode arguments (BNU302), and the value of each that means "training: use and update the
# batch statistics". ``deterministic`` is left out: it is dropout's switch as often as batch norm's.
FLAX_MODE_KEYWORDS: Mapping[str, bool] = MappingProxyType({
    "train": True, "training": True, "is_training": True, "use_running_average": False,
})
# Words in a function's name that say it evaluates (matched against its ``_``-separated parts).
EVALUATION_NAME_WORDS: FrozenSet[str] = frozenset({
    "eval", "evaluate", "evaluation", "test", "predict", "prediction", "inference", "infer", "val",
    "valid", "validate", "validation",
})


# ----------------------------------------------------------------------------------------------
# Pre-check: the words without which none of these codes can fire (added to tf_api's).


def _trigger_words() -> FrozenSet[str]:
    words = {name.rsplit(".", 1)[-1] for name in MOMENTUM_PARAMETERS}
    # Not ``mutable``: "immutable" is common prose, and a Flax module with batch norm names its
    # ``batch_stats`` collection somewhere (``mutable=True`` alone is not enough to fire).
    words.update({FREEZE_ATTRIBUTE, STATELESS_CALL, BATCH_STATS_COLLECTION})
    return frozenset(words)


TRIGGER_WORDS: FrozenSet[str] = _trigger_words()

# ----------------------------------------------------------------------------------------------
# Added with the third torchreal round (issue 27).

# BNU201: ``keras.Sequential(layers=[...])``: the keyword (else the first argument) listing its layers, and
# the method that appends one; a frozen base there is called with no ``training`` argument.
SEQUENTIAL_LAYERS_KEYWORD = "layers"
SEQUENTIAL_ADD_METHOD = "add"
# BNU302: a function whose name says it evaluates (EVALUATION_NAME_WORDS) is no evaluation step when it is a
# pytest test (``test_bn_stats``): a test of the code, not an evaluation of the model.
PYTEST_FUNCTION_PREFIXES: Tuple[str, ...] = ("test_",)
