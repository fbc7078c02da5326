# fix: --unsafe-fixes
# No training flag anywhere: one is created where the train op runs (a placeholder that defaults
# to False, so the evaluation run uses the moving statistics), fed True in every run of the
# train op (a dict literal, a multi-line dict, no feed at all), and threaded down to the site.
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


def block(x, training=False):
    h = tf.layers.dense(x, 16, use_bias=False)
    return tf.layers.batch_normalization(h, training=training)


def main():
    x = tf.placeholder(tf.float32, [None, 8])
    # the network
    training = tf.placeholder_with_default(False, shape=(), name="training")
    features = block(x, training=training)
    loss = tf.reduce_mean(tf.square(features))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(20):
            sess.run(train_op, {x: np.ones((4, 8)), training: True})
        sess.run([train_op, loss], feed_dict={
            x: np.ones((4, 8)),
            training: True,
        })
        sess.run(train_op, feed_dict={training: True})
        print(sess.run(features, {x: np.ones((4, 8))}))
