# fix: --unsafe-fixes
# A contrib.learn model function without `mode` (issue 25): the Estimator passes `mode` to a
# model function that names it (its documented signatures include `(features, targets, mode)`),
# so the fix adds `mode=None` to it and passes `mode == tf.contrib.learn.ModeKeys.TRAIN` to the
# builder, whose new parameter defaults to what the site does today.
import tensorflow as tf


def network(x, y, training=True):
    net = tf.contrib.layers.convolution2d(
            x, 16, 3, normalizer_fn=tf.contrib.layers.batch_norm,
            normalizer_params={"is_training": training})
    logits = tf.contrib.layers.fully_connected(tf.contrib.layers.flatten(net), 10, activation_fn=None)
    return logits, tf.losses.softmax_cross_entropy(tf.one_hot(y, 10), logits)


def model(x, y, mode=None):
    logits, loss = network(x, y,
                           training=(mode == tf.contrib.learn.ModeKeys.TRAIN))
    train_op = tf.contrib.layers.optimize_loss(loss, tf.contrib.framework.get_global_step(),
                                               optimizer="Adagrad", learning_rate=0.01)
    return tf.argmax(logits, 1), loss, train_op


classifier = tf.contrib.learn.Estimator(model_fn=model)
