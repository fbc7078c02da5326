# fix: --unsafe-fixes
# A literal True in a class-shaped graph (issue 25): the class creates its placeholders on
# `self` and runs the train op in another method, so the literal becomes `self.training`, a
# placeholder created beside the others that defaults to False (the evaluation run uses the
# moving statistics) and is fed True where the class trains.
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


class Classifier(object):
    def __init__(self):
        self.images = tf.placeholder(tf.float32, [None, 8], name="images")
        self.labels = tf.placeholder(tf.int32, [None], name="labels")
        self.build()

    def build(self):
        h = tf.layers.batch_normalization(tf.layers.dense(self.images, 16), training=True)
        logits = tf.layers.dense(h, 10)
        self.accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1, output_type=tf.int32), self.labels),
                                               tf.float32))
        loss = tf.losses.sparse_softmax_cross_entropy(self.labels, logits)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            self.train_op = tf.train.AdamOptimizer().minimize(loss)

    def fit(self, sess, batches):
        for images, labels in batches:
            feed = {self.images: images, self.labels: labels}
            sess.run(self.train_op, feed_dict=feed)

    def evaluate(self, sess, images, labels):
        return sess.run(self.accuracy, {self.images: images, self.labels: labels})
