# Every alias form of RULES.md builds a batch-norm site; each section is its own module.
import tensorflow.compat.v1 as tf

x = tf.placeholder(tf.float32, [None, 8])
is_training = tf.placeholder(tf.bool, [])
h = tf.layers.batch_normalization(x, training=is_training)
train_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))  # expect: BNU001:12

# --- tf.compat.v1 through the plain alias
import tensorflow as tf

def net(x, training):
    return tf.compat.v1.layers.batch_normalization(x, training=training)

def train(loss):
    return tf.compat.v1.train.AdamOptimizer().minimize(loss)  # expect: BNU001:12

# --- from-import of contrib's batch_norm
import tensorflow as tf
from tensorflow.contrib.layers import batch_norm

def net(x, is_training):
    return batch_norm(x, is_training=is_training)

def train(loss):
    return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:12

# --- the python.layers path of contrib
import tensorflow as tf
from tensorflow.contrib.layers.python.layers import batch_norm as bn

def net(x, is_training):
    return bn(x, is_training=is_training)

def train(loss):
    return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:12

# --- contrib's python module imported as a name
import tensorflow as tf
from tensorflow.contrib.layers.python import layers as tf_layers

def net(x, is_training):
    return tf_layers.batch_norm(x, is_training=is_training)

def train(loss):
    return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:12

# --- slim imported from contrib
import tensorflow as tf
import tensorflow.contrib.slim as slim

def net(x, is_training):
    return slim.batch_norm(x, is_training=is_training)

def train(loss):
    return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:12

# --- tf_slim
import tensorflow as tf
import tf_slim as slim

def net(x, is_training):
    return slim.batch_norm(x, is_training=is_training)

def train(loss):
    return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:12

# --- module-level alias assignments
import tensorflow as tf
slim = tf.contrib.slim
batch_norm = tf.contrib.layers.batch_norm

def net(x, is_training):
    return batch_norm(slim.conv2d(x, 8, 3), is_training=is_training)

def train(loss):
    return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:12

# --- function-level alias and functools.partial
import functools
import tensorflow as tf

def net(x, training):
    bn = functools.partial(tf.layers.batch_normalization, training=training)
    return bn(bn(x))

def train(loss):
    return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:12

# --- the BatchNormalization class, called on its instance
import tensorflow as tf

class Block(object):
    def __init__(self):
        self.norm = tf.layers.BatchNormalization()

    def __call__(self, x, training):
        return self.norm(x, training=training)

def train(loss):
    return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:12

# --- slim layers with normalizer_fn
import tensorflow as tf
slim = tf.contrib.slim

def net(x, is_training):
    return slim.conv2d(x, 8, 3, normalizer_fn=slim.batch_norm,
                       normalizer_params={"is_training": is_training, "decay": 0.9})

def train(loss):
    return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:12

# --- in place updates (updates_collections=None) need no dependency
import tensorflow as tf
slim = tf.contrib.slim

def net(x, is_training):
    with slim.arg_scope([slim.batch_norm], is_training=is_training, updates_collections=None):
        return slim.batch_norm(x)

def train(loss):
    return tf.train.AdamOptimizer().minimize(loss)

# --- in place through normalizer_params
import tensorflow as tf
from tensorflow.contrib import slim

BN_PARAMS = {"decay": 0.997, "updates_collections": None}

def net(x, is_training):
    params = dict(BN_PARAMS)
    return slim.conv2d(x, 8, 3, normalizer_fn=slim.batch_norm, normalizer_params={**BN_PARAMS, "is_training": is_training})

def train(loss):
    return tf.train.AdamOptimizer().minimize(loss)

# --- a custom collection that is read and attached
import tensorflow as tf

def net(x, is_training):
    return tf.contrib.layers.batch_norm(x, is_training=is_training, updates_collections="bn_updates")

def train(loss):
    with tf.control_dependencies(tf.get_collection("bn_updates")):
        return tf.train.AdamOptimizer().minimize(loss)

# --- a custom collection attached, but UPDATE_OPS read instead
import tensorflow as tf

def net(x, is_training):
    return tf.contrib.layers.batch_norm(x, is_training=is_training, updates_collections="bn_updates")

def train(loss):
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:16

# --- look-alikes that are not batch-norm sites: tf.nn and a local function of the same name
import tensorflow as tf

def batch_normalization(x, training):
    return x

def net(x, is_training):
    mean, variance = tf.nn.moments(x, [0])
    y = tf.nn.batch_normalization(x, mean, variance, None, None, 1e-3)
    return batch_normalization(tf.nn.fused_batch_norm(y, 1.0, 0.0)[0], training=is_training)

def train(loss):
    return tf.train.AdamOptimizer().minimize(loss)

# --- scipy's minimize is not a train op
import tensorflow as tf
from scipy import optimize

def net(x, is_training):
    return tf.layers.batch_normalization(x, training=is_training)

def fit(f, x0):
    return optimize.minimize(f, x0)

# --- the only batch norm has training=False: no update ops exist (BNU002 says so instead)
import tensorflow as tf

def net(x):
    return tf.layers.batch_normalization(x, training=False)  # expect: BNU002:54

def train(loss):
    return tf.train.AdamOptimizer().minimize(loss)

# --- slim's create_train_op runs the update ops, unless given an empty list
import tensorflow as tf
import tensorflow.contrib.slim as slim

def net(x, is_training):
    return slim.batch_norm(x, is_training=is_training)

def train(loss, optimizer):
    good = slim.learning.create_train_op(loss, optimizer)
    bad = slim.learning.create_train_op(loss, optimizer, update_ops=[])  # expect: BNU001:11
    return good, bad
