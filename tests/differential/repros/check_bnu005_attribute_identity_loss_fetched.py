# expect: silent
# The loss attribute is rebound to tf.identity(...) inside control_dependencies(update_ops) and the
# training run fetches it together with the train op, so the update ops run (RULES.md BNU005: "Such a
# run call makes the train op handled"). TensorFlow 2.21 agrees: moving_mean 0.0 -> 0.37 after 10 steps (max |value|).
# The checker reports BNU001 at 21:25 (attribute bindings are not followed as names are).
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


class Model(object):
    def __init__(self):
        self.x = tf.placeholder(tf.float32, [None, 4])
        self.training = tf.placeholder(tf.bool, [])
        h = tf.layers.batch_normalization(tf.layers.dense(self.x, 8), training=self.training)
        self.loss = tf.reduce_mean(tf.square(h - 1.0))
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            self.loss = tf.identity(self.loss)
        self.train_op = tf.train.AdamOptimizer(1e-2).minimize(self.loss)


model = Model()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
    for _ in range(10):
        sess.run([model.train_op, model.loss], {model.x: data, model.training: True})
