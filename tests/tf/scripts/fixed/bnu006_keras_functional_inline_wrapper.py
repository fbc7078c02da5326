# fix: --unsafe-fixes
"""A functional tf.keras model trained with a TF1 optimizer in a session, under the UPDATE_OPS wrapper
written inline (the collection read in the `with` line itself)."""
import json

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


def build_model():
    inputs = tf.keras.Input(shape=(8,))
    h = tf.keras.layers.Dense(16, use_bias=False)(inputs)
    h = tf.keras.layers.BatchNormalization(name="bn")(h)
    outputs = tf.keras.layers.Dense(1)(tf.nn.relu(h))
    return tf.keras.Model(inputs, outputs)


def main():
    tf.set_random_seed(5)
    rng = np.random.RandomState(5)
    model = build_model()
    x = tf.placeholder(tf.float32, [None, 8])
    y = tf.placeholder(tf.float32, [None, 1])
    loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
    with tf.control_dependencies(model.get_updates_for(x)):
        train_op = tf.train.MomentumOptimizer(1e-2, 0.9).minimize(loss)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(20):
            xb = rng.normal(3.0, 1.0, size=(32, 8)).astype(np.float32)
            sess.run(train_op, {x: xb, y: xb[:, :1]})
        value = sess.run(model.get_layer("bn").moving_mean)
    print(json.dumps({"moving_mean_abs": float(np.abs(value).mean()), "moving_mean": value.tolist()}))


if __name__ == "__main__":
    main()
