"""The update ops are attached to the loss (loss = tf.identity(loss)) instead of to the train op."""
import json

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


def network(x, is_training):
    h = tf.layers.dense(x, 16, use_bias=False)
    h = tf.layers.batch_normalization(h, training=is_training, name="bn")
    return tf.layers.dense(tf.nn.relu(h), 1)


def main():
    tf.set_random_seed(4)
    rng = np.random.RandomState(4)
    x = tf.placeholder(tf.float32, [None, 8])
    y = tf.placeholder(tf.float32, [None, 1])
    is_training = tf.placeholder(tf.bool, [])

    pred = network(x, is_training)
    loss = tf.reduce_mean(tf.square(pred - y))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        loss = tf.identity(loss)
    with tf.control_dependencies(update_ops):
        train_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(20):
            xb = rng.normal(3.0, 1.0, size=(32, 8)).astype(np.float32)
            sess.run(train_op, {x: xb, y: xb[:, :1], is_training: True})
        value = sess.run(tf.global_variables("bn/moving_mean")[0])
    print(json.dumps({"moving_mean_abs": float(np.abs(value).mean()), "moving_mean": value.tolist()}))


if __name__ == "__main__":
    main()
