"""TensorFlow vs RULES.md (BNU003, Keras in graph mode): a layer called without `training` inside a
model's `call` follows the model call, not the learning phase.

RULES.md says "a Keras `BatchNormalization` layer (or a model containing one) called without `training`
in a graph-mode module is also BNU003 [...]: in graph mode Keras reads the learning phase, which defaults
to 0, so the layer runs in inference mode and never updates".  That holds for a layer or model called
at the top level.  Inside a subclassed model's `call(self, inputs, training=None)` (and inside a
functional model's construction on `Input`), Keras hands the outer call's `training` down to inner
calls that omit it: with `model(x, training=flag)` fed True the inner layer trains.  So the inner call
`self.bn(h)` is not a BNU003 site; only the outer call decides.  (Seen in the differential test: the
checker reports BNU003 on such inner calls, for example seed 103.)

Run: `python keras_inner_layer_follows_the_model_call.py`; exit status 0 when TensorFlow behaves as
described, and it prints the moving means.  Measured on TensorFlow 2.21 / tf_keras 2.21:
inner calls under an outer training=flag fed True: moving_mean between 0.23 and 0.47 over runs
(weights are not seeded), for the subclass and the functional model; outer call without training
(learning phase 0): exactly 0.0.
"""
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

tf.compat.v1.disable_eager_execution()
v1 = tf.compat.v1


class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(8)
        self.bn = keras.layers.BatchNormalization()

    def call(self, inputs, training=None):
        # no `training` here: RULES.md's words make this call BNU003; TensorFlow trains it
        return self.bn(self.dense(inputs))  # noqa: BNU003


def functional():
    inputs = keras.Input(shape=(4,))
    outputs = keras.layers.BatchNormalization()(keras.layers.Dense(8)(inputs))   # no `training` here
    return keras.Model(inputs, outputs)


def moving_mean(build, pass_flag):
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 4])
        flag = v1.placeholder(tf.bool, [])
        model = build()
        out = model(x, training=flag) if pass_flag else model(x)
        loss = tf.reduce_mean(tf.square(out - 1.0))
        with tf.control_dependencies(model.get_updates_for(x)):
            train = v1.train.GradientDescentOptimizer(0.01).minimize(loss)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
            for _ in range(10):
                sess.run(train, {x: data, flag: True} if pass_flag else {x: data})
            means = [v for v in v1.global_variables() if "moving_mean" in v.name]
            return float(np.abs(sess.run(means[0])).max())


if __name__ == "__main__":
    inner = moving_mean(Net, True)
    func = moving_mean(functional, True)
    outer_missing = moving_mean(Net, False)
    print(f"subclass, inner call without training, outer training=flag fed True: moving_mean {inner:.3f}")
    print(f"functional built on Input without training, outer training=flag fed True: moving_mean {func:.3f}")
    print(f"subclass, outer call without training (learning phase 0): moving_mean {outer_missing:.3f}")
    raise SystemExit(0 if inner > 0.01 and func > 0.01 and outer_missing == 0.0 else 1)
