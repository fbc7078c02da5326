# expect: silent
# The update ops are read through a module constant bound to the string "update_ops" (RULES.md "Values,
# not spellings": "module constants (`KEY = "update_ops"` then `get_collection(KEY)`)"), and the train
# op is built inside control_dependencies on them: handled. TensorFlow 2.21 agrees: moving_mean 0.0 -> 0.28
# after 10 steps (max |value|). The checker reports BNU001 at 19:16 (a constant bound to
# `tf.GraphKeys.UPDATE_OPS` is followed; one bound to the string is not).
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()

UPDATE_KEY = "update_ops"

x = tf.placeholder(tf.float32, [None, 4])
is_training = tf.placeholder(tf.bool, [])
h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=is_training)
loss = tf.reduce_mean(tf.square(h - 1.0))
with tf.control_dependencies(tf.get_collection(UPDATE_KEY)):
    train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
    for _ in range(10):
        sess.run(train_op, {x: data, is_training: True})
