import tensorflow as tf


def net(x, is_training):
    return tf.layers.batch_normalization(x, training=is_training)


def savers():
    a = tf.train.Saver(tf.trainable_variables())  # expect: BNU008:24
    b = tf.compat.v1.train.Saver(var_list=tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES))  # expect: BNU008:43
    variables = tf.trainable_variables()
    c = tf.train.Saver(variables)  # expect: BNU008:24
    d = tf.train.Saver({v.op.name: v for v in tf.trainable_variables()})  # expect: BNU008:24
    fine = [
        tf.train.Saver(),
        tf.train.Saver(tf.global_variables()),
        tf.train.Saver(tf.trainable_variables() + [v for v in tf.global_variables() if "moving_mean" in v.name]),
        tf.train.Saver(max_to_keep=5),
    ]
    return a, b, c, d, fine

# --- contrib/slim with model variables: silent
import tensorflow as tf
slim = tf.contrib.slim


def net(x, is_training):
    return slim.batch_norm(x, is_training=is_training)


saver = tf.train.Saver(slim.get_model_variables())

# --- moving variables kept in the trainable collection: silent
import tensorflow as tf


def net(x, is_training):
    return tf.contrib.layers.batch_norm(
        x, is_training=is_training,
        variables_collections=[tf.GraphKeys.TRAINABLE_VARIABLES])


saver = tf.train.Saver(tf.trainable_variables())

# --- a module without batch norm: silent
import tensorflow as tf

w = tf.Variable(1.0)
saver = tf.train.Saver(tf.trainable_variables())
