import tensorflow as tf
import tensorflow.contrib.slim as slim

IS_TRAINING = True


def hard_coded(x):
    x = tf.layers.batch_normalization(x, training=True)  # expect: BNU002:51
    x = slim.batch_norm(x, is_training=False)  # expect: BNU002:40
    x = tf.contrib.layers.batch_norm(x, 0.9, True, True, 1e-3, None, None, None, None, True)  # expect: BNU002:88
    return tf.layers.batch_normalization(x, training=IS_TRAINING)  # expect: BNU002:54


def missing(x):
    x = tf.layers.batch_normalization(x)  # expect: BNU003:9
    return slim.batch_norm(x, decay=0.9)  # expect: BNU003:12


def chosen_by_a_training_flag(x, is_training):
    if is_training:
        y = tf.layers.batch_normalization(x, training=True, name="bn")
    else:
        y = tf.layers.batch_normalization(x, training=False, name="bn", reuse=True)
    z = tf.cond(is_training,
                lambda: slim.batch_norm(y, is_training=True, scope="bn2"),
                lambda: slim.batch_norm(y, is_training=False, scope="bn2", reuse=True))
    return slim.batch_norm(z, is_training=True) if is_training else z


def given_properly(x, training, kwargs):
    x = tf.layers.batch_normalization(x, training=training)
    x = tf.layers.batch_normalization(x, **kwargs)
    return slim.batch_norm(x, is_training=training)


def train(loss):
    # A module that trains: a literal False above is reported (in one that trains nothing,
    # an export or inference script, it is the right value and stays silent).
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer().minimize(loss)

# --- arg_scope and partial supply the flag (or hard-code it)
import functools
import tensorflow as tf
slim = tf.contrib.slim


def supplied(x, is_training):
    with slim.arg_scope([slim.batch_norm], is_training=is_training):
        x = slim.batch_norm(x)
    bn = functools.partial(tf.layers.batch_normalization, training=is_training)
    return bn(x)

# --- arg_scope keywords apply module-wide, so this module has none for batch_norm
import functools
import tensorflow as tf
slim = tf.contrib.slim


def literal_in_scope_and_partial(x):
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,  # expect: BNU003:10
                        normalizer_params={"decay": 0.9}):
        x = slim.conv2d(x, 8, 3)
    bn = functools.partial(tf.layers.batch_normalization, training=False)  # expect: BNU002:68
    return bn(x)


def train(loss):
    return slim.learning.create_train_op(loss, tf.train.AdamOptimizer())

# --- normalizer_params given through a name, with a literal flag
import tensorflow as tf
slim = tf.contrib.slim

batch_norm_params = {"decay": 0.997, "is_training": True}  # expect: BNU002:53


def net(x):
    return slim.conv2d(x, 8, 3, normalizer_fn=slim.batch_norm, normalizer_params=batch_norm_params)

# --- the class form: the flag goes to the instance call
import tensorflow as tf


class Net(object):
    def __init__(self):
        self.bn = tf.layers.BatchNormalization(momentum=0.9)

    def __call__(self, x, training):
        y = self.bn(x)  # expect: BNU003:13
        return self.bn(y, training=training)
