# fix: --unsafe-fixes
# A class-shaped graph whose placeholders are locals of the building method (issue 25): the
# batch norm is in a block nested in it, and another method runs the train op it returns onto
# `self`. The flag is created on `self` in the building method, just before its call down the
# path (it is called once), threaded into the block, and fed True in the class's training run.
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


class Recognizer(object):
    def __init__(self, width):
        self.session = tf.Session()
        self.inputs, self.logits, self.optimizer = self.build(width)

    def build(self, width):
        def cnn(inputs, training=False):
            conv = tf.layers.conv2d(inputs, 8, 3, padding="same")
            return tf.layers.batch_normalization(conv, training=training)

        inputs = tf.placeholder(tf.float32, [None, width, 8, 1], name="input")
        self.training = tf.placeholder_with_default(False, shape=(), name="training")
        features = cnn(inputs, training=self.training)
        logits = tf.layers.dense(tf.layers.flatten(features), 4)
        loss = tf.reduce_mean(tf.square(logits))
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            optimizer = tf.train.AdamOptimizer(1e-3).minimize(loss)
        return inputs, logits, optimizer

    def train(self, batches):
        for batch in batches:
            self.session.run([self.optimizer, self.logits], feed_dict={
                    self.inputs: batch, self.training: True})

    def test(self, batch):
        return self.session.run(self.logits, feed_dict={self.inputs: batch})
