"""The update ops are collected at the top of the graph-building function, before the model exists."""
import json

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


def model(x, is_training):
    h = tf.layers.dense(x, 16, use_bias=False)
    h = tf.layers.batch_normalization(h, training=is_training, name="bn1")
    return tf.layers.dense(tf.nn.relu(h), 1)


def build_training_graph(x, y, is_training):
    update_ops = tf.get_collection_ref(tf.GraphKeys.UPDATE_OPS)
    pred = model(x, is_training)
    loss = tf.reduce_mean(tf.square(pred - y))
    optimizer = tf.train.MomentumOptimizer(0.01, 0.9)
    with tf.control_dependencies(update_ops):
        train_op = optimizer.minimize(loss)
    return loss, train_op


def main():
    tf.set_random_seed(3)
    rng = np.random.RandomState(3)
    x = tf.placeholder(tf.float32, [None, 8])
    y = tf.placeholder(tf.float32, [None, 1])
    is_training = tf.placeholder(tf.bool, [])
    loss, train_op = build_training_graph(x, y, is_training)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(20):
            xb = rng.normal(3.0, 1.0, size=(32, 8)).astype(np.float32)
            sess.run(train_op, {x: xb, y: xb[:, :1], is_training: True})
        value = sess.run(tf.global_variables("bn1/moving_mean")[0])
    print(json.dumps({"moving_mean_abs": float(np.abs(value).mean()), "moving_mean": value.tolist()}))


if __name__ == "__main__":
    main()
