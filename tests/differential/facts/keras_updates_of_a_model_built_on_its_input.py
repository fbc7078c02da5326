"""TensorFlow vs RULES.md (BNU006's fix): `<model>.updates` breaks a model already built on its own Input.

RULES.md: "Fix (unsafe): wrap the train op in `control_dependencies(<model>.updates)` when exactly one
Keras model or layer variable in scope can be named".  For a functional model (or a Sequential given
`input_shape=`) that is then called on a placeholder, `.updates` also holds the update ops of the build
call on the model's own `Input`; a train op that depends on them needs a value for that Input and every
`run` fails (InvalidArgumentError: "You must feed a value for placeholder tensor ...").
`model.get_updates_for(x)`, with `x` the tensor of the training call, holds only that call's updates and
works.  Where the train op is built in a helper that is handed the model but not its input
(`def get_train_op(model, loss, lr)`, seen in the differential test, for example seed 23 of the default
run), RULES.md defines the fix but neither spelling can be written there.

Run: `python keras_updates_of_a_model_built_on_its_input.py`; exit status 0 when TensorFlow behaves as
described.  Measured on TensorFlow 2.21 / tf_keras 2.21: `.updates`: InvalidArgumentError for both
models; `get_updates_for(x)`: moving_mean between 0.26 and 0.60 over runs, for both (weights are not seeded).
"""
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

tf.compat.v1.disable_eager_execution()
v1 = tf.compat.v1


def functional():
    inputs = keras.Input(shape=(4,))
    outputs = keras.layers.BatchNormalization()(keras.layers.Dense(8)(inputs))
    return keras.Model(inputs, outputs)


def sequential_with_input_shape():
    return keras.Sequential([keras.layers.Dense(8, input_shape=(4,)), keras.layers.BatchNormalization()])


def train(build, which):
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 4])
        flag = v1.placeholder(tf.bool, [])
        model = build()
        loss = tf.reduce_mean(tf.square(model(x, training=flag) - 1.0))
        updates = model.updates if which == "updates" else model.get_updates_for(x)
        with tf.control_dependencies(updates):
            step = v1.train.GradientDescentOptimizer(0.01).minimize(loss)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
            try:
                for _ in range(10):
                    sess.run(step, {x: data, flag: True})
            except tf.errors.InvalidArgumentError as exc:
                cause = [line for line in exc.message.splitlines() if "must feed" in line] or [exc.message]
                return "InvalidArgumentError: " + cause[0].strip()
            means = [v for v in v1.global_variables() if "moving_mean" in v.name]
            return float(np.abs(sess.run(means[0])).max())


if __name__ == "__main__":
    ok = True
    for build in (functional, sequential_with_input_shape):
        broken = train(build, "updates")
        works = train(build, "get_updates_for")
        print(f"{build.__name__}: control_dependencies(model.updates): {broken}")
        print(f"{build.__name__}: control_dependencies(model.get_updates_for(x)): moving_mean {works}")
        ok = ok and isinstance(broken, str) and isinstance(works, float) and works > 0.01
    raise SystemExit(0 if ok else 1)
