# expect: BNU003 23:14
# expect-fix: (unsafe) a class-shaped graph (issue 25): `Model.__init__` creates the placeholders on `self`,
#   `build_head` (called from the subclass) builds the batch norm with no flag, `train` runs the train op. The
#   fix creates `self.training = tf.placeholder_with_default(False, ...)` beside the placeholders, passes it at
#   the site and feeds it True in `train`'s run. TensorFlow 2.21 (tests/differential/runner.py): before,
#   the moving mean stays 0.0 after 10 training runs (frozen: the layer's `training` defaults to False);
#   after the fix, 0.31 and 0.45 in two runs (trains; the dense layer is not seeded), and the prediction
#   run still uses the moving statistics (evaluation: moving).
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


class Model(object):
    def __init__(self, width):
        with tf.name_scope("inputs"):
            self.x_ph = tf.placeholder(tf.float32, [None, width], name="x")
            self.y_ph = tf.placeholder(tf.float32, [None, 1], name="y")
        self.hidden = tf.layers.dense(self.x_ph, 16)

    def build_head(self, inp):
        bn = tf.layers.batch_normalization(inputs=inp, name="bn1")
        self.y_hat = tf.layers.dense(bn, 1)
        self.loss = tf.reduce_mean(tf.square(self.y_hat - self.y_ph))
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            self.optimizer = tf.train.AdamOptimizer(1e-2).minimize(self.loss)

    def train(self, sess, x, y):
        return sess.run([self.loss, self.optimizer], feed_dict={self.x_ph: x, self.y_ph: y})

    def predict(self, sess, x):
        return sess.run(self.y_hat, feed_dict={self.x_ph: x})


class Wide(Model):
    def __init__(self, width):
        super(Wide, self).__init__(width)
        self.build_head(self.hidden)


model = Wide(4)
data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4)).astype(np.float32)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(10):
        model.train(sess, data, np.ones((32, 1), np.float32))
    print(model.predict(sess, data[:4]))
