# expect: BNU005 22:12
# The loss is summarised, then rebound to tf.identity(loss) inside control_dependencies(update_ops); the
# train op minimises the identity, and the training run fetches the train op and the merged summaries.
# The summary reads the earlier binding, not the identity, so fetching it does not run the update ops
# (RULES.md BNU005: it works only while "that loss tensor, or anything computed from it, is fetched").
# TensorFlow 2.21: moving_mean stays 0.0 after 10 steps. The checker is silent (it takes the summary
# for a summary of the identity loss).
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()

x = tf.placeholder(tf.float32, [None, 4])
is_training = tf.placeholder(tf.bool, [])
h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=is_training)
loss = tf.reduce_mean(tf.square(h - 1.0))
tf.summary.scalar("loss", loss)
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.control_dependencies(update_ops):
    loss = tf.identity(loss)
merged = tf.summary.merge_all()
train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
    for _ in range(10):
        sess.run([train_op, merged], {x: data, is_training: True})
