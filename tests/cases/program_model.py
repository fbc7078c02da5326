# "The program model" (RULES.md): what the TensorFlow graph does, not what the module mentions.
# Each clause has a flagged case and a silent look-alike; loops with an `else` must not stop
# the analysis.

# --- a for/else loop in a called helper: the module is still analysed (BNU001 at the bare op)
import tensorflow as tf


def keep_unmatched(names, patterns):
    kept = []
    for name in names:
        for pattern in patterns:
            if name.startswith(pattern):
                break
        else:
            kept.append(name)
    return kept


def build(x, is_training, exclude):
    h = tf.layers.batch_normalization(x, training=is_training)
    loss = tf.reduce_mean(h)
    variables = keep_unmatched(tf.trainable_variables(), exclude)
    return tf.train.AdamOptimizer().minimize(loss, var_list=variables)  # expect: BNU001:12

# --- the same for/else with the train op wrapped: silent
import tensorflow as tf


def keep_unmatched(names, patterns):
    kept = []
    for name in names:
        for pattern in patterns:
            if name.startswith(pattern):
                break
        else:
            kept.append(name)
    return kept


def build(x, is_training, exclude):
    h = tf.layers.batch_normalization(x, training=is_training)
    loss = tf.reduce_mean(h)
    variables = keep_unmatched(tf.trainable_variables(), exclude)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer().minimize(loss, var_list=variables)
