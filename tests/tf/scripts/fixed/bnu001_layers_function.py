"""Regression with a batch-normalized hidden layer, TF1 graph mode (tf.compat.v1.layers).

Prints the layer's moving mean after training as one JSON line.
"""
import json

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()

BATCH_SIZE = 32
STEPS = 20


def make_batch(rng, n=BATCH_SIZE):
    # Features centred on 3.0: a working batch norm moves its moving mean clearly away from 0.
    x = rng.normal(loc=3.0, scale=1.0, size=(n, 8)).astype(np.float32)
    y = 0.1 * x.sum(axis=1, keepdims=True)
    return x, y


def model(x, is_training):
    h = tf.layers.dense(x, 16, use_bias=False, name="hidden")
    h = tf.layers.batch_normalization(h, training=is_training, name="bn")
    h = tf.nn.relu(h)
    return tf.layers.dense(h, 1, name="out")


def main():
    tf.set_random_seed(0)
    rng = np.random.RandomState(0)
    x = tf.placeholder(tf.float32, [None, 8], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    is_training = tf.placeholder(tf.bool, [], name="is_training")

    pred = model(x, is_training)
    loss = tf.losses.mean_squared_error(y, pred)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)

    moving_mean = tf.global_variables("bn/moving_mean")[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(STEPS):
            xb, yb = make_batch(rng)
            sess.run(train_op, feed_dict={x: xb, y: yb, is_training: True})
        xe, ye = make_batch(rng)
        eval_loss = sess.run(loss, feed_dict={x: xe, y: ye, is_training: False})
        value = sess.run(moving_mean)
    print(json.dumps({"moving_mean_abs": float(np.abs(value).mean()), "moving_mean": value.tolist(),
                      "eval_loss": float(eval_loss)}))


if __name__ == "__main__":
    main()
