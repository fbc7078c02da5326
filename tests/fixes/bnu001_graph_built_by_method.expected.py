import tensorflow as tf


class Classifier:
    def _build(self, x):
        self._training = tf.placeholder_with_default(False, [])
        h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=self._training)
        loss = tf.reduce_mean(h)
        with tf.control_dependencies(
                tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            self._train_op = tf.train.AdamOptimizer().minimize(loss)

    def fit(self, x, batches):
        self._graph = tf.Graph()
        with self._graph.as_default():
            self._build(x)
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.Session(graph=self._graph) as sess:
            for batch in batches:
                sess.run([self._train_op, update_ops], feed_dict={self._training: True})
