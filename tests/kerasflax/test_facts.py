"""What Keras 3 (JAX backend) and Flax really do: the measured fact behind each BNU2xx/BNU3xx
code, run again. Each test owns a small script: the checker must flag it (or stay silent on the
correct twin), the script runs for real, and where the code has a fix, the checker's own fix is
applied and the fixed script's statistics are checked too. If a test fails after a Keras or
Flax upgrade, a rule's premise has changed.
"""
from __future__ import annotations

import os
import textwrap
from typing import Dict, List, Tuple

import pytest

from flake8_bn_update_ops.engine import analyze_source, fix_source
from requires import require


@pytest.fixture(autouse=True)
def frameworks():
    """Imported here, not at collection: the other tox envs collect this module and deselect it
    (and must not inherit a JAX backend choice: the tf env runs Keras on TensorFlow)."""
    # Keras reads its backend once, at import (tox's jax env sets the same).
    os.environ.setdefault("KERAS_BACKEND", "jax")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    try:
        import flax  # noqa: F401
        import jax  # noqa: F401
        import keras
    except ImportError:
        keras = None
    require(keras is not None and keras.__version__ >= "3",
            "Keras 3, JAX and Flax are not installed (tox -e jax installs them)")


DATA = '''
import numpy as np

rng = np.random.default_rng(0)


def batch(n=32, d=4, loc=3.0):
    """A batch whose feature means are exactly ``loc``."""
    x = rng.normal(0.0, 1.0, size=(n, d)).astype("float32")
    return x - x.mean(axis=0) + np.float32(loc)
'''


def run(source: str) -> Dict[str, float]:
    """Execute a script; it leaves its measurements in ``result``."""
    namespace: Dict[str, object] = {}
    exec(compile(textwrap.dedent(DATA) + textwrap.dedent(source), "<fact>", "exec"), namespace)
    return namespace["result"]


# The Keras/Flax families: the scripts also hard-code ``training=True`` where the TF codes look.
FAMILIES = ("BNU2", "BNU3")


def findings(source: str) -> List[Tuple[int, str]]:
    full = textwrap.dedent(DATA) + textwrap.dedent(source)
    return [(finding.line, finding.code) for finding in analyze_source(full, select=FAMILIES)]


def fixed(source: str) -> str:
    full = textwrap.dedent(DATA) + textwrap.dedent(source)
    result = fix_source(full, unsafe=True, select=FAMILIES)
    assert result.fixed >= 1 and not result.remaining
    assert fix_source(result.source, unsafe=True, select=FAMILIES).source == result.source     # idempotent
    compile(result.source, "<fixed>", "exec")
    return result.source[len(textwrap.dedent(DATA)):]


def codes(source: str) -> set:
    return {code for _, code in findings(source)}


# ----------------------------------------------------------------------------------------------
# BNU201: frozen base called without training=False, unfrozen and fitted

FINETUNE = '''
import keras

base = keras.Sequential([keras.Input((4,)), keras.layers.BatchNormalization()])
base.trainable = False
inputs = keras.Input((4,))
features = base(inputs)
model = keras.Model(inputs, keras.layers.Dense(1)(features))
model.compile("sgd", "mse")
x_train, y_train = batch(64), np.zeros((64, 1), "float32")
model.fit(x_train, y_train, epochs=1, batch_size=16, verbose=0)
frozen = float(np.abs(base.layers[0].moving_mean.numpy()).mean())
base.trainable = True
model.compile("sgd", "mse")
model.fit(x_train, y_train, epochs=1, batch_size=16, verbose=0)
result = {"frozen": frozen, "unfrozen": float(np.abs(base.layers[0].moving_mean.numpy()).mean())}
'''


def test_bnu201_unfrozen_base_called_without_training_false_overwrites_its_moving_statistics():
    assert findings(FINETUNE) == [(17, "BNU201")]
    measured = run(FINETUNE)
    assert measured["frozen"] == 0.0            # frozen: inference mode, nothing moves
    # unfrozen: training mode under fit, four steps at momentum 0.99 toward the data's 3.0
    assert measured["unfrozen"] == pytest.approx(3 * (1 - 0.99 ** 4), rel=1e-3)


def test_bnu201_offers_no_fix_for_keras3_where_fit_overrides_training_false():
    """The guide's remedy, measured on Keras 3: ``fit`` passes ``training=True`` down the functional
    graph over the ``training=False`` written there (keras#20285), and the statistics move anyway.
    So the checker offers ``training=False`` only for Keras 2 (``tf.keras``) models."""
    assert all(finding.fix is None for finding in analyze_source(textwrap.dedent(DATA) + FINETUNE, select=FAMILIES))
    guarded = FINETUNE.replace("features = base(inputs)", "features = base(inputs, training=False)")
    assert codes(guarded) == set()
    assert run(guarded)["unfrozen"] == pytest.approx(3 * (1 - 0.99 ** 4), rel=1e-3)


def test_bnu201_keeping_batch_norm_layers_frozen_keeps_the_statistics():
    refrozen = FINETUNE.replace("base.trainable = True\n", textwrap.dedent('''\
        base.trainable = True
        for layer in base.layers:
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.trainable = False
        '''))
    assert "isinstance" in refrozen and codes(refrozen) == set()
    measured = run(refrozen)
    assert measured["frozen"] == 0.0 and measured["unfrozen"] == 0.0


# ----------------------------------------------------------------------------------------------
# BNU202: stateless_call in a differentiated step

STATELESS = '''
import jax
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.BatchNormalization(), keras.layers.Dense(1)])
MEAN = [i for i, v in enumerate(model.non_trainable_variables) if "moving_mean" in v.path][0]


def loss_fn(trainable, non_trainable, x, y):
    pred, non_trainable = model.stateless_call(trainable, non_trainable, x)
    return jax.numpy.mean((pred - y) ** 2), non_trainable


grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
trainable = [v.value for v in model.trainable_variables]
non_trainable = [v.value for v in model.non_trainable_variables]
for _ in range(3):
    (loss, non_trainable), grads = grad_fn(trainable, non_trainable, batch(), np.zeros((32, 1), "float32"))
    trainable = [t - 0.01 * g for t, g in zip(trainable, grads)]
result = {"moving_mean": float(np.abs(np.asarray(non_trainable[MEAN])).mean())}
'''


def test_bnu202_stateless_call_without_training_never_moves_the_statistics():
    assert codes(STATELESS) == {"BNU202"}
    assert run(STATELESS)["moving_mean"] == 0.0


def test_bnu202_fix_training_true_moves_them():
    repaired = fixed(STATELESS)
    assert "stateless_call(trainable,non_trainable,x,training=True)" in "".join(repaired.split())
    assert codes(repaired) == set()
    # three steps at Keras' default momentum 0.99 toward 3.0: 3 * (1 - 0.99 ** 3)
    assert run(repaired)["moving_mean"] == pytest.approx(3 * (1 - 0.99 ** 3), rel=1e-3)


# ----------------------------------------------------------------------------------------------
# BNU203 / BNU303: momentum is the weight of the old statistic

KERAS_MOMENTUM = '''
import keras

layer = keras.layers.BatchNormalization(momentum=0.1)
layer(batch(), training=True)
result = {"moving_mean": float(layer.moving_mean.numpy().mean())}
'''

FLAX_MOMENTUM = '''
import jax
import flax.linen as nn


class Net(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        return nn.BatchNorm(use_running_average=not train, momentum=0.1)(x)


variables = Net().init(jax.random.PRNGKey(0), batch(), train=False)
_, updates = Net().apply(variables, batch(), train=True, mutable=["batch_stats"])
result = {"moving_mean": float(updates["batch_stats"]["BatchNorm_0"]["mean"].mean())}
'''


@pytest.mark.parametrize("code,source", [("BNU203", KERAS_MOMENTUM), ("BNU303", FLAX_MOMENTUM)])
def test_momentum_is_the_weight_of_the_old_statistic(code, source):
    assert codes(source) == {code}
    # one step from 0 toward a batch mean of 3.0: 0.1 * 0 + 0.9 * 3, not PyTorch's 0.9 * 0 + 0.1 * 3
    assert run(source)["moving_mean"] == pytest.approx(2.7, rel=1e-4)


@pytest.mark.parametrize("source", [KERAS_MOMENTUM, FLAX_MOMENTUM])
def test_momentum_fix_gives_the_pytorch_value_its_intended_meaning(source):
    repaired = fixed(source)
    assert "momentum=0.9" in repaired and codes(repaired) == set()
    assert run(repaired)["moving_mean"] == pytest.approx(0.3, rel=1e-4)


# ----------------------------------------------------------------------------------------------
# BNU301: apply's returned batch_stats dropped

FLAX_NET = '''
import jax
import flax.linen as nn


class Net(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        return nn.Dense(1)(nn.BatchNorm(use_running_average=not train, momentum=0.9)(x))


model = Net()
variables = model.init(jax.random.PRNGKey(0), batch(), train=False)
'''

DISCARDED = FLAX_NET + '''

def train_step(variables, x):
    out, _ = model.apply(variables, x, train=True, mutable=["batch_stats"])
    return out


for _ in range(5):
    train_step(variables, batch())
result = {"mean": float(variables["batch_stats"]["BatchNorm_0"]["mean"].mean())}
'''

THREADED = FLAX_NET + '''

def train_step(variables, x):
    out, updates = model.apply(variables, x, train=True, mutable=["batch_stats"])
    return out, {**variables, **updates}


for _ in range(5):
    _, variables = train_step(variables, batch())
result = {"mean": float(variables["batch_stats"]["BatchNorm_0"]["mean"].mean())}
'''


def test_bnu301_apply_never_changes_the_variables_it_is_given():
    assert codes(DISCARDED) == {"BNU301"}
    assert run(DISCARDED)["mean"] == 0.0


def test_bnu301_threading_the_returned_updates_moves_the_statistics():
    assert codes(THREADED) == set()
    # five steps at momentum 0.9 toward 3.0: 3 * (1 - 0.9 ** 5)
    assert run(THREADED)["mean"] == pytest.approx(3 * (1 - 0.9 ** 5), rel=1e-4)


# ----------------------------------------------------------------------------------------------
# BNU302: a hard-coded mode that contradicts the step

MODE_NET = '''
import jax
import flax.linen as nn


class Net(nn.Module):
    @nn.compact
    def __call__(self, x, use_running_average: bool):
        return nn.BatchNorm(use_running_average=use_running_average, momentum=0.9)(x)


model = Net()
variables = model.init(jax.random.PRNGKey(0), batch(), use_running_average=True)
'''

INFERENCE_IN_TRAINING = MODE_NET + '''

def loss_fn(params, batch_stats, x):
    out, updates = model.apply({"params": params, "batch_stats": batch_stats}, x,
                               use_running_average=True, mutable=["batch_stats"])
    return out.sum(), updates


(loss, updates), grads = jax.value_and_grad(loss_fn, has_aux=True)(
    variables["params"], variables["batch_stats"], batch())
result = {"mean": float(updates["batch_stats"]["BatchNorm_0"]["mean"].mean())}
'''

TRAINING_IN_EVALUATION = MODE_NET + '''
variables = {**variables, "batch_stats": {"BatchNorm_0": {"mean": np.full(4, 3.0, "float32"),
                                                          "var": np.ones(4, "float32")}}}


def eval_step(variables, x):
    return model.apply(variables, x, use_running_average=False, mutable=["batch_stats"])[0]


shifted = batch(loc=5.0)
result = {"output_mean": float(eval_step(variables, shifted).mean()),
          "running_output_mean": float(model.apply(variables, shifted, use_running_average=True).mean())}
'''


def test_bnu302_inference_mode_in_a_training_step_never_updates_the_statistics():
    assert "BNU302" in codes(INFERENCE_IN_TRAINING)
    assert run(INFERENCE_IN_TRAINING)["mean"] == 0.0


def test_bnu302_training_mode_in_evaluation_normalizes_by_the_batch():
    assert "BNU302" in codes(TRAINING_IN_EVALUATION)
    measured = run(TRAINING_IN_EVALUATION)
    # the batch's own mean (5.0) is removed: the shift the running mean (3.0) would show is gone
    assert measured["output_mean"] == pytest.approx(0.0, abs=1e-4)
    assert measured["running_output_mean"] == pytest.approx(2.0, rel=1e-3)
