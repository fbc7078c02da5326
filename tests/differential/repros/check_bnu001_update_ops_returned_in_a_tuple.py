# expect: silent
# A helper returns the train op and the update ops together; the caller unpacks the tuple into
# `train_op, deps` and runs both in one call (RULES.md "Values, not spellings": "tuple unpacking
# (`train_op, update_ops = build(...)`), a function's `return` value (also a tuple)"; Handled 3). TensorFlow
# 2.21 agrees: moving_mean 0.0 -> 0.25 after 10 steps (max |value|). The checker reports BNU001 at 16:12: it
# does not follow the tuple (the same program with the name `update_ops` instead of `deps` is silent,
# through the name heuristic that RULES.md keeps for names whose value the module does not show).
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


def build_train(loss, learning_rate):
    ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    step = tf.train.AdamOptimizer(learning_rate).minimize(loss)
    return step, ops


x = tf.placeholder(tf.float32, [None, 4])
is_training = tf.placeholder(tf.bool, [])
h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=is_training)
loss = tf.reduce_mean(tf.square(h - 1.0))
train_op, deps = build_train(loss, 1e-2)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
    for _ in range(10):
        sess.run([train_op, deps], {x: data, is_training: True})
