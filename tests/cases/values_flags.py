# "Is this flag given, and is it a literal?", answered by following values (RULES.md, "Values,
# not spellings"): dict literals and subscripts, ** spreads, a helper that returns the params
# dict, partials of partials, lambdas, a local wrapper of arg_scope, **kwargs pass-through,
# batch norm passed as activation_fn=, self attributes set in __init__ or a base class, and a
# wrapper's literal default left by a call (a __call__, an @add_arg_scope block). Each form has
# a flagged case and a silent look-alike.

# --- normalizer_params read by subscript from a nested dict literal with a literal flag
import tensorflow as tf
slim = tf.contrib.slim

CONFIG = {"bn": {"decay": 0.99, "is_training": True}, "weight_decay": 1e-4}  # expect: BNU002:48


def net(images):
    return slim.conv2d(images, 8, 3, normalizer_fn=slim.batch_norm, normalizer_params=CONFIG["bn"])

# --- the subscripted dict spread into a literal that adds the flag
import tensorflow as tf
slim = tf.contrib.slim

CONFIG = {"bn": {"decay": 0.99}, "weight_decay": 1e-4}


def net(images, is_training):
    return slim.conv2d(images, 8, 3, normalizer_fn=slim.batch_norm,
                       normalizer_params={**CONFIG["bn"], "is_training": is_training})

# --- a literal False spread from a dict into arg_scope, in a module that trains
import tensorflow as tf
slim = tf.contrib.slim


def net(images):
    batch_norm_params = {"is_training": False, "decay": 0.997}  # expect: BNU002:41
    with slim.arg_scope([slim.batch_norm], **batch_norm_params):
        return slim.batch_norm(images)


def train(loss, optimizer):
    return slim.learning.create_train_op(loss, optimizer)

# --- the flag parameter spread from a dict into arg_scope
import tensorflow as tf
slim = tf.contrib.slim


def net(images, is_training):
    batch_norm_params = {"is_training": is_training, "decay": 0.997}
    with slim.arg_scope([slim.batch_norm], **batch_norm_params):
        return slim.batch_norm(images)


def train(loss, optimizer):
    return slim.learning.create_train_op(loss, optimizer)

# --- normalizer_params=dict(PARAMS): a copy of a dict that has no flag
import tensorflow as tf
slim = tf.contrib.slim

BN_PARAMS = {"decay": 0.997, "epsilon": 1e-5}


def net(images, is_training):
    return slim.conv2d(images, 8, 3, normalizer_fn=slim.batch_norm, normalizer_params=dict(BN_PARAMS))  # expect: BNU003:12

# --- normalizer_params=dict(PARAMS, is_training=...): the copy adds the flag
import tensorflow as tf
slim = tf.contrib.slim

BN_PARAMS = {"decay": 0.997, "epsilon": 1e-5}


def net(images, is_training):
    return slim.conv2d(images, 8, 3, normalizer_fn=slim.batch_norm,
                       normalizer_params=dict(BN_PARAMS, is_training=is_training))

# --- a helper returns a copy of the params dict, extended by item assignment, without the flag
import tensorflow as tf
slim = tf.contrib.slim

BN_PARAMS = {"decay": 0.997, "epsilon": 1e-3}


def bn_params():
    params = BN_PARAMS.copy()
    params["scale"] = True
    return params


def net(images, is_training):
    return slim.conv2d(images, 8, 3, normalizer_fn=slim.batch_norm, normalizer_params=bn_params())  # expect: BNU003:12

# --- the same helper sets the flag by item assignment
import tensorflow as tf
slim = tf.contrib.slim

BN_PARAMS = {"decay": 0.997, "epsilon": 1e-3}


def bn_params(is_training):
    params = BN_PARAMS.copy()
    params["is_training"] = is_training
    return params


def net(images, is_training):
    return slim.conv2d(images, 8, 3, normalizer_fn=slim.batch_norm, normalizer_params=bn_params(is_training))

# --- normalizer_fn= a partial of a partial that binds the flag
import functools
import tensorflow as tf
slim = tf.contrib.slim

batch_norm = functools.partial(slim.batch_norm, decay=0.9, scale=True, updates_collections=None)


def generator(z, training):
    bn = functools.partial(batch_norm, is_training=training)
    h = slim.fully_connected(z, 256, normalizer_fn=bn, activation_fn=tf.nn.relu)
    return slim.fully_connected(h, 784, activation_fn=tf.tanh)

# --- normalizer_fn= a partial of a partial where neither binds the flag
import functools
import tensorflow as tf
slim = tf.contrib.slim

batch_norm = functools.partial(slim.batch_norm, decay=0.9, scale=True, updates_collections=None)


def generator(z, training):
    bn = functools.partial(batch_norm, epsilon=1e-5)
    h = slim.fully_connected(z, 256, normalizer_fn=bn, activation_fn=tf.nn.relu)  # expect: BNU003:9
    return slim.fully_connected(h, 784, activation_fn=tf.tanh)

# --- normalizer_fn= a single partial that binds the flag to a parameter
import functools
import tensorflow as tf
slim = tf.contrib.slim


def discriminator(x, training):
    bn = functools.partial(slim.batch_norm, is_training=training, updates_collections=None)
    return slim.conv2d(x, 64, 4, stride=2, normalizer_fn=bn)

# --- normalizer_fn= a single partial that binds the flag to a literal
import functools
import tensorflow as tf
slim = tf.contrib.slim


def discriminator(x, training):
    bn = functools.partial(slim.batch_norm, is_training=True, updates_collections=None)  # expect: BNU002:57
    return slim.conv2d(x, 64, 4, stride=2, normalizer_fn=bn)

# --- normalizer_fn= a lambda that passes the flag
import tensorflow as tf
slim = tf.contrib.slim


def discriminator(x, training):
    return slim.conv2d(x, 64, 4, normalizer_fn=lambda h: slim.batch_norm(h, is_training=training))

# --- normalizer_fn= a lambda that leaves the flag out
import tensorflow as tf
slim = tf.contrib.slim


def discriminator(x, training):
    return slim.conv2d(x, 64, 4, normalizer_fn=lambda h: slim.batch_norm(h, decay=0.9))  # expect: BNU003:58

# --- a lambda alias whose parameter becomes the flag, called with the training flag
import tensorflow as tf

norm = lambda x, flag: tf.layers.batch_normalization(x, training=flag)


def net(images, is_training):
    return norm(tf.layers.conv2d(images, 8, 3), is_training)

# --- the same lambda alias called with a literal
import tensorflow as tf

norm = lambda x, flag: tf.layers.batch_normalization(x, training=flag)


def net(images, is_training):
    return norm(tf.layers.conv2d(images, 8, 3), True)  # expect: BNU002:49

# --- a local wrapper of arg_scope given the flag through ** params
import tensorflow as tf
slim = tf.contrib.slim


def safe_arg_scope(funcs, **kwargs):
    return slim.arg_scope(funcs, **kwargs)


def mobilenet_base(images, is_training):
    batch_norm_params = {"is_training": is_training, "decay": 0.997}
    with safe_arg_scope([slim.batch_norm], **batch_norm_params):
        return slim.batch_norm(slim.conv2d(images, 32, 3))

# --- the same local wrapper of arg_scope given params without the flag
import tensorflow as tf
slim = tf.contrib.slim


def safe_arg_scope(funcs, **kwargs):
    return slim.arg_scope(funcs, **kwargs)


def mobilenet_base(images, is_training):
    batch_norm_params = {"decay": 0.997, "center": True}
    with safe_arg_scope([slim.batch_norm], **batch_norm_params):
        return slim.batch_norm(slim.conv2d(images, 32, 3))  # expect: BNU003:16

# --- **kwargs passed through to a builder: the call gives the training flag
import tensorflow as tf


def conv_bn(x, **kwargs):
    return tf.layers.batch_normalization(tf.layers.conv2d(x, 8, 3), **kwargs)


def net(images, is_training):
    return conv_bn(conv_bn(images, training=is_training), training=is_training, momentum=0.9)


def train(loss):
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer().minimize(loss)

# --- **kwargs passed through to a builder: the call gives a literal True, in a module that trains
import tensorflow as tf


def conv_bn(x, **kwargs):
    return tf.layers.batch_normalization(tf.layers.conv2d(x, 8, 3), **kwargs)


def net(images, is_training):
    return conv_bn(conv_bn(images, training=is_training), training=True, momentum=0.9)  # expect: BNU002:68


def train(loss):
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer().minimize(loss)

# --- the same wrapper given False for an inference tower that reuses the training tower: the caller's choice
import tensorflow as tf


def conv_bn(x, **kwargs):
    return tf.layers.batch_normalization(tf.layers.conv2d(x, 8, 3), **kwargs)


def towers(images, is_training):
    train_out = conv_bn(images, training=is_training, name="bn")
    eval_out = conv_bn(images, training=False, name="bn", reuse=True)
    return train_out, eval_out


def train(loss):
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer().minimize(loss)

# --- batch norm passed as activation_fn= builds a site: no flag, and a bare train op
import tensorflow as tf
import tensorflow.contrib.layers as tcl


def discriminator(x):
    h = tcl.fully_connected(x, 64, activation_fn=tcl.batch_norm)  # expect: BNU003:9
    return tcl.fully_connected(h, 1, activation_fn=None)


def train(loss):
    return tf.train.RMSPropOptimizer(5e-5).minimize(loss)  # expect: BNU001:12

# --- batch norm passed as activation_fn= through a partial with the flag, updated in place
import functools
import tensorflow as tf
import tensorflow.contrib.layers as tcl


def discriminator(x, is_training):
    bn = functools.partial(tcl.batch_norm, is_training=is_training, updates_collections=None)
    h = tcl.fully_connected(x, 64, activation_fn=bn)
    return tcl.fully_connected(h, 1, activation_fn=None)


def train(loss):
    return tf.train.RMSPropOptimizer(5e-5).minimize(loss)

# --- normalizer_params from self, set in __init__ with the flag
import tensorflow as tf
slim = tf.contrib.slim


class Net(object):
    def __init__(self, is_training):
        self.bn_params = {"is_training": is_training, "decay": 0.99}

    def conv(self, x):
        return slim.conv2d(x, 8, 3, normalizer_fn=slim.batch_norm, normalizer_params=self.bn_params)

# --- normalizer_params from self, set in __init__ without the flag
import tensorflow as tf
slim = tf.contrib.slim


class Net(object):
    def __init__(self, is_training):
        self.bn_params = {"decay": 0.99}

    def conv(self, x):
        return slim.conv2d(x, 8, 3, normalizer_fn=slim.batch_norm, normalizer_params=self.bn_params)  # expect: BNU003:16

# --- normalizer_params from self, set in a base class with the flag
import tensorflow as tf
slim = tf.contrib.slim


class Base(object):
    def __init__(self, is_training):
        self.bn_params = {"is_training": is_training, "decay": 0.99}


class Net(Base):
    def conv(self, x):
        return slim.conv2d(x, 8, 3, normalizer_fn=slim.batch_norm, normalizer_params=self.bn_params)

# --- normalizer_params from self, set in a base class with a literal flag
import tensorflow as tf
slim = tf.contrib.slim


class Base(object):
    def __init__(self):
        self.bn_params = {"is_training": True, "decay": 0.99}  # expect: BNU002:42


class Net(Base):
    def conv(self, x):
        return slim.conv2d(x, 8, 3, normalizer_fn=slim.batch_norm, normalizer_params=self.bn_params)

# --- a class wrapper's __call__ default: the call passes the flag it has at hand
import tensorflow as tf


class BatchNorm(object):
    def __init__(self, name):
        self.name = name

    def __call__(self, x, train=True):
        return tf.contrib.layers.batch_norm(x, decay=0.9, is_training=train, scope=self.name)


def generator(z, is_training):
    g_bn0 = BatchNorm("g_bn0")
    return g_bn0(tf.layers.dense(z, 64), train=is_training)

# --- a class wrapper's __call__ default: the call leaves it while the flag is at hand
import tensorflow as tf


class BatchNorm(object):
    def __init__(self, name):
        self.name = name

    def __call__(self, x, train=True):
        return tf.contrib.layers.batch_norm(x, decay=0.9, is_training=train, scope=self.name)


def generator(z, is_training):
    g_bn0 = BatchNorm("g_bn0")
    return g_bn0(tf.layers.dense(z, 64))  # expect: BNU002:12

# --- arg_scope over the project's own @add_arg_scope blocks supplies their flag
import tensorflow as tf
slim = tf.contrib.slim


@slim.add_arg_scope
def bottleneck(x, is_training=True, scope=None):
    net = slim.conv2d(x, 8, 3, scope=scope)
    return slim.batch_norm(net, is_training=is_training)


def enet(images, is_training):
    with slim.arg_scope([bottleneck], is_training=is_training):
        net = bottleneck(images, scope="b1")
        return bottleneck(net, scope="b2")

# --- the same @add_arg_scope blocks called without the scope leave their default True
import tensorflow as tf
slim = tf.contrib.slim


@slim.add_arg_scope
def bottleneck(x, is_training=True, scope=None):
    net = slim.conv2d(x, 8, 3, scope=scope)
    return slim.batch_norm(net, is_training=is_training)


def enet(images, is_training):
    net = bottleneck(images, scope="b1")  # expect: BNU002:11
    return bottleneck(net, scope="b2")  # expect: BNU002:12
