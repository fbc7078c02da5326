"""BNU201's premise on TensorFlow's own Keras, both generations (each in its own process: the
Keras generation is chosen at import by ``TF_USE_LEGACY_KERAS``).

A frozen base called without ``training=False`` and later unfrozen trains its batch norm under
``fit`` in both. The guide's ``training=False`` protects it only in Keras 2 (``tf_keras``, the
``tf.keras`` of TensorFlow <= 2.15): in Keras 3 (``tf.keras`` from TensorFlow 2.16) ``fit``
overrides it (keras-team/keras#20285), which is why BNU201's message names the other remedy.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from requires import require

SCRIPT = r'''
import json
import numpy as np
import tensorflow as tf

keras = tf.keras
rng = np.random.default_rng(0)


def batch(n=64, d=4, loc=3.0):
    x = rng.normal(0.0, 1.0, size=(n, d)).astype("float32")
    return x - x.mean(axis=0) + np.float32(loc)


result = {}
for flag in (None, False):
    inputs = keras.Input((4,))
    base = keras.Model(inputs, keras.layers.BatchNormalization()(inputs))
    norm = base.layers[-1]
    base.trainable = False
    outer = keras.Input((4,))
    features = base(outer) if flag is None else base(outer, training=flag)
    model = keras.Model(outer, keras.layers.Dense(1)(features))
    x, y = batch(), np.zeros((64, 1), "float32")
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    frozen = float(np.abs(norm.moving_mean.numpy()).mean())
    base.trainable = True
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    result[str(flag)] = {"frozen": frozen, "unfrozen": float(np.abs(norm.moving_mean.numpy()).mean())}
print(json.dumps(result))
'''

MOVED = pytest.approx(3 * (1 - 0.99 ** 4), rel=1e-3)    # four fit steps at momentum 0.99 toward 3.0


def _measure(legacy: bool):
    require(importlib.util.find_spec("tensorflow") is not None, "TensorFlow is not installed")
    if legacy:
        require(importlib.util.find_spec("tf_keras") is not None, "tf-keras is not installed")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="", KERAS_BACKEND="tensorflow",
               TF_USE_LEGACY_KERAS="1" if legacy else "0")
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_keras2_training_false_keeps_the_unfrozen_base_statistics():
    measured = _measure(legacy=True)
    assert measured["None"]["frozen"] == 0.0 and measured["None"]["unfrozen"] == MOVED
    assert measured["False"]["unfrozen"] == 0.0


def test_rules_md_disagrees_keras3_fit_overrides_training_false():
    measured = _measure(legacy=False)
    assert measured["None"]["frozen"] == 0.0 and measured["None"]["unfrozen"] == MOVED
    assert measured["False"]["unfrozen"] == MOVED
