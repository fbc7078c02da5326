# fix: --unsafe-fixes
# A class-shaped graph (issue 25): the base class creates its placeholders on `self`, a method
# builds the batch norm (called from a subclass), and another method runs the train op. No
# function on the path has a flag and none runs the train op, so the flag is created on `self`
# where the other placeholders are (a placeholder that defaults to False: the prediction run
# uses the moving statistics) and fed True in the class's run of the train op; both sites read it.
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


class Model(object):
    def __init__(self, width):
        with tf.name_scope("inputs"):
            self.training = tf.placeholder_with_default(False, shape=(), name="training")
            self.x_ph = tf.placeholder(tf.float32, [None, width], name="x")
            self.y_ph = tf.placeholder(tf.float32, [None, 1], name="y")
        self.hidden = tf.layers.dense(self.x_ph, 16)

    def build_head(self, inp):
        bn = tf.layers.batch_normalization(inputs=inp, name="bn1",
                                           training=self.training)
        self.y_hat = tf.layers.dense(self.auxiliary(bn), 1)
        self.loss = tf.reduce_mean(tf.square(self.y_hat - self.y_ph))
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            self.optimizer = tf.train.AdamOptimizer(1e-2).minimize(self.loss)

    def auxiliary(self, inp):
        return tf.layers.batch_normalization(tf.layers.dense(inp, 8), name="bn2",
                                             training=self.training)

    def train(self, sess, x, y):
        return sess.run([self.loss, self.optimizer], feed_dict={
            self.x_ph: x,
            self.y_ph: y,
            self.training: True,
        })

    def predict(self, sess, x):
        return sess.run(self.y_hat, feed_dict={self.x_ph: x})


class Wide(Model):
    def __init__(self, width):
        super(Wide, self).__init__(width)
        self.build_head(self.hidden)
