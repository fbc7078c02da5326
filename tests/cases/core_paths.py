# Three behaviours of the core that no other case pinned down (issue 23: each one-line revert
# survived the whole non-TensorFlow suite). Each section is its own module.
#
# A builder call whose frame certainly skips the branch that builds batch norm reaches no site:
# block(x, False, ...) never builds the layer, so the bare minimize is right.
import tensorflow as tf


def block(x, use_bn, training):
    if use_bn:
        x = tf.layers.batch_normalization(x, training=training)
    return tf.layers.dense(x, 4)


def train(x, training):
    loss = tf.reduce_mean(block(x, False, training))
    return tf.train.AdamOptimizer().minimize(loss)

# --- a literal default beside a call of the same wrapper that passes the opposite literal
# The training tower leaves conv_bn's default True in place while evaluate() passes False:
# the author chose the mode per tower, so the default is not reported at tower()'s call.
import tensorflow as tf


def conv_bn(x, is_training=True):
    return tf.contrib.layers.batch_norm(tf.layers.conv2d(x, 8, 3), is_training=is_training)


def tower(x, is_training):
    return conv_bn(x)


def evaluate(x):
    return conv_bn(x, is_training=False)


def train(x, is_training):
    loss = tf.reduce_mean(tower(x, is_training))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(loss)

# --- a caller in the branch opposite to every batch-norm site does not need the update ops
# make_train_op's bare call under the else of `if params.use_bn:` never meets a layer; the
# other call is wrapped, so the helper's minimize is handled on every path that builds batch norm.
import tensorflow as tf


def net(x, params, training):
    if params.use_bn:
        x = tf.layers.batch_normalization(x, training=training)
    return tf.layers.dense(x, 1)


def make_train_op(loss):
    return tf.train.AdamOptimizer().minimize(loss)


def model_fn(x, params, training):
    loss = tf.reduce_mean(net(x, params, training))
    if params.use_bn:
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = make_train_op(loss)
    else:
        train_op = make_train_op(loss)
    return train_op

# --- the flagged twin of the first section: the frame takes the branch
import tensorflow as tf


def block(x, use_bn, training):
    if use_bn:
        x = tf.layers.batch_normalization(x, training=training)
    return tf.layers.dense(x, 4)


def train(x, training):
    loss = tf.reduce_mean(block(x, True, training))
    return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:12

# --- the flagged twin of the second section: no tower passes the opposite literal
import tensorflow as tf


def conv_bn(x, is_training=True):
    return tf.contrib.layers.batch_norm(tf.layers.conv2d(x, 8, 3), is_training=is_training)


def tower(x, is_training):
    return conv_bn(x)  # expect: BNU002:12


def train(x, is_training):
    loss = tf.reduce_mean(tower(x, is_training))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(loss)

# --- the flagged twin of the third section: the sites are not guarded by the caller's test
import tensorflow as tf


def net(x, training):
    return tf.layers.dense(tf.layers.batch_normalization(x, training=training), 1)


def make_train_op(loss):
    return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:12


def model_fn(x, params, training):
    loss = tf.reduce_mean(net(x, training))
    if params.use_bn:
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = make_train_op(loss)
    else:
        train_op = make_train_op(loss)
    return train_op
