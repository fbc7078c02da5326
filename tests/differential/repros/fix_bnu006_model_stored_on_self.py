# expect: BNU006 26:25
# expect-fix: (unsafe) wrap the train op in `with tf.control_dependencies(self.model.updates):`: the model,
#   built in a method and stored on `self`, is the one Keras model in the train op's scope (RULES.md BNU006
#   fix; Vocabulary: `self.x` set in a method). The finding has no fix. TensorFlow 2.21: moving_mean stays
#   0.0 after 10 steps; with that fix written by hand, 0.41.
import numpy as np
import tensorflow.compat.v1 as tf
import tf_keras

tf.disable_eager_execution()


class Trainer(object):
    def __init__(self):
        self.x = tf.placeholder(tf.float32, [None, 4])
        self.training = tf.placeholder(tf.bool, [])
        self._build_model()
        out = self.model(self.x, training=self.training)
        self.loss = tf.reduce_mean(tf.square(out - 1.0))
        self._build_train_op()

    def _build_model(self):
        self.model = tf_keras.Sequential([tf_keras.layers.Dense(8), tf_keras.layers.BatchNormalization()])

    def _build_train_op(self):
        self.train_op = tf.train.AdamOptimizer(1e-2).minimize(self.loss)


trainer = Trainer()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
    for _ in range(10):
        sess.run(trainer.train_op, {trainer.x: data, trainer.training: True})
