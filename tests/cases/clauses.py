# RULES.md's clauses, each with a flagged case and a silent look-alike: a literal True at every
# site silences BNU001/BNU004/BNU005 (BNU002 reports it); exclusive branches; a literal False in
# a frozen layer or in a module that trains nothing; contrib's default flag is not a literal;
# BNU003 in a unit-test fixture; BNU008 for a network the module cannot see.

# --- every site hard-codes training=True: BNU002 reports the literals, BNU001 stays silent
import tensorflow as tf


def generator(z):
    h = tf.layers.batch_normalization(tf.layers.dense(z, 64), training=True)  # expect: BNU002:72
    return tf.layers.dense(tf.nn.relu(h), 8)


def discriminator(x):
    h = tf.layers.batch_normalization(tf.layers.dense(x, 64), training=True)  # expect: BNU002:72
    return tf.layers.dense(tf.nn.leaky_relu(h), 1)


def train(d_loss, g_loss):
    d_op = tf.train.AdamOptimizer(2e-4).minimize(d_loss)
    g_op = tf.train.AdamOptimizer(2e-4).minimize(g_loss)
    return d_op, g_op

# --- one site takes the flag: the moving statistics are read, so BNU001 applies
import tensorflow as tf


def generator(z, is_training):
    h = tf.layers.batch_normalization(tf.layers.dense(z, 64), training=is_training)
    return tf.layers.dense(tf.nn.relu(h), 8)


def discriminator(x):
    h = tf.layers.batch_normalization(tf.layers.dense(x, 64), training=True)  # expect: BNU002:72
    return tf.layers.dense(tf.nn.leaky_relu(h), 1)


def train(d_loss, g_loss):
    d_op = tf.train.AdamOptimizer(2e-4).minimize(d_loss)  # expect: BNU001:12
    g_op = tf.train.AdamOptimizer(2e-4).minimize(g_loss)  # expect: BNU001:12
    return d_op, g_op

# --- every site takes a module constant bound to True: BNU004 stays silent
import tensorflow as tf

TRAINING = True


def train(x):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    h = tf.layers.batch_normalization(x, training=TRAINING)  # expect: BNU002:51
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))

# --- the same read before a site whose flag is a placeholder: BNU004
import tensorflow as tf

TRAINING = tf.placeholder_with_default(True, [])


def train(x):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:18
    h = tf.layers.batch_normalization(x, training=TRAINING)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))

# --- every site hard-codes True: update ops attached to the loss (BNU005) stay silent
import tensorflow as tf


def train(x):
    loss = tf.reduce_mean(tf.layers.batch_normalization(x, training=True))  # expect: BNU002:69
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
    return tf.train.AdamOptimizer().minimize(loss)

# --- the same attachment to the loss with a flag variable: BNU005
import tensorflow as tf


def train(x, is_training):
    loss = tf.reduce_mean(tf.layers.batch_normalization(x, training=is_training))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
    return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU005:12

# --- contrib's default is_training=True is not a literal: BNU003 and BNU001 both apply
import tensorflow as tf


def inner_model(x):
    return tf.contrib.layers.batch_norm(tf.layers.dense(x, 32), activation_fn=tf.nn.relu)  # expect: BNU003:12


def meta_train(loss):
    return tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU001:12

# --- the same model with a literal is_training=True: only BNU002
import tensorflow as tf


def inner_model(x):
    return tf.contrib.layers.batch_norm(tf.layers.dense(x, 32), activation_fn=tf.nn.relu, is_training=True)  # expect: BNU002:103


def meta_train(loss):
    return tf.train.AdamOptimizer(1e-3).minimize(loss)

# --- exclusive branches: every site under `if C:`, the bare train op under its `else`
import tensorflow as tf


def model_fn(images, params, is_training):
    net = tf.layers.conv2d(images, 8, 3)
    if params.use_batch_norm:
        net = tf.layers.batch_normalization(net, training=is_training)
    return tf.layers.dense(tf.layers.flatten(net), 10)


def train_op_fn(loss, params):
    optimizer = tf.train.AdamOptimizer(params.learning_rate)
    if params.use_batch_norm:
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = optimizer.minimize(loss)
    else:
        train_op = optimizer.minimize(loss)
    return train_op

# --- one site outside the `if C:`: the `else` train op meets it
import tensorflow as tf


def model_fn(images, params, is_training):
    net = tf.layers.conv2d(images, 8, 3)
    if params.use_batch_norm:
        net = tf.layers.batch_normalization(net, training=is_training)
    net = tf.layers.batch_normalization(tf.layers.conv2d(net, 8, 3), training=is_training)
    return tf.layers.dense(tf.layers.flatten(net), 10)


def train_op_fn(loss, params):
    optimizer = tf.train.AdamOptimizer(params.learning_rate)
    if params.use_batch_norm:
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = optimizer.minimize(loss)
    else:
        train_op = optimizer.minimize(loss)  # expect: BNU001:20
    return train_op

# --- exclusive branches: the site under `if C:`, the bare train op under `if not C:` in another function
import tensorflow as tf


def body(x, config, is_training):
    if config.batch_norm:
        x = tf.layers.batch_normalization(x, training=is_training)
    return tf.layers.dense(x, 1)


def plain_train_op(loss, config):
    if not config.batch_norm:
        return tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    return None

# --- the site under `if C:`, the bare train op under a test of other text
import tensorflow as tf


def body(x, config, is_training):
    if config.batch_norm:
        x = tf.layers.batch_normalization(x, training=is_training)
    return tf.layers.dense(x, 1)


def plain_train_op(loss, config):
    if not config.dropout:
        return tf.train.GradientDescentOptimizer(0.1).minimize(loss)  # expect: BNU001:16
    return None

# --- a literal False beside trainable=False in the same call: a frozen layer, silent
import tensorflow as tf
slim = tf.contrib.slim


def backbone(images):
    return slim.batch_norm(slim.conv2d(images, 8, 3), is_training=False, trainable=False)


def train(loss):
    return tf.train.MomentumOptimizer(1e-3, 0.9).minimize(loss)

# --- a literal False with trainable=False given to another call: reported in a module that trains
import tensorflow as tf
slim = tf.contrib.slim


def backbone(images):
    return slim.batch_norm(slim.conv2d(images, 8, 3, trainable=False), is_training=False)  # expect: BNU002:84


def train(loss):
    return tf.train.MomentumOptimizer(1e-3, 0.9).minimize(loss)

# --- a literal False beside trainable=False in the same normalizer_params dict: silent
import tensorflow as tf
slim = tf.contrib.slim


def backbone(images):
    batch_norm_params = {"is_training": False, "trainable": False, "decay": 0.997}
    return slim.conv2d(images, 8, 3, normalizer_fn=slim.batch_norm, normalizer_params=batch_norm_params)


def train(loss):
    return tf.train.MomentumOptimizer(1e-3, 0.9).minimize(loss)

# --- a literal False in a normalizer_params dict without trainable=False: reported
import tensorflow as tf
slim = tf.contrib.slim


def backbone(images):
    batch_norm_params = {"is_training": False, "decay": 0.997}  # expect: BNU002:41
    return slim.conv2d(images, 8, 3, normalizer_fn=slim.batch_norm, normalizer_params=batch_norm_params)


def train(loss):
    return tf.train.MomentumOptimizer(1e-3, 0.9).minimize(loss)

# --- a literal False beside trainable=False in the same arg_scope: silent
import tensorflow as tf
slim = tf.contrib.slim


def backbone(images):
    with slim.arg_scope([slim.batch_norm], is_training=False, trainable=False):
        return slim.batch_norm(slim.conv2d(images, 8, 3))


def train(loss):
    return tf.train.MomentumOptimizer(1e-3, 0.9).minimize(loss)

# --- a literal False in an arg_scope, trainable=False in a scope for other functions: reported
import tensorflow as tf
slim = tf.contrib.slim


def backbone(images):
    with slim.arg_scope([slim.conv2d], trainable=False):
        with slim.arg_scope([slim.batch_norm], is_training=False):  # expect: BNU002:60
            return slim.batch_norm(slim.conv2d(images, 8, 3))


def train(loss):
    return tf.train.MomentumOptimizer(1e-3, 0.9).minimize(loss)

# --- a freeze script trains nothing: a literal False is right there
import tensorflow as tf
slim = tf.contrib.slim


def build_inference_graph(images):
    with slim.arg_scope([slim.batch_norm, slim.dropout], is_training=False):
        net = slim.conv2d(images, 8, 3, normalizer_fn=slim.batch_norm)
        return slim.dropout(net)


def freeze(checkpoint):
    images = tf.placeholder(tf.float32, [None, 32, 32, 3], name="images")
    build_inference_graph(images)
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, checkpoint)
        tf.train.write_graph(sess.graph_def, "/tmp", "frozen.pbtxt")

# --- the same freeze script with a literal True: always reported
import tensorflow as tf
slim = tf.contrib.slim


def build_inference_graph(images):
    with slim.arg_scope([slim.batch_norm, slim.dropout], is_training=True):  # expect: BNU002:70
        net = slim.conv2d(images, 8, 3, normalizer_fn=slim.batch_norm)
        return slim.dropout(net)


def freeze(checkpoint):
    images = tf.placeholder(tf.float32, [None, 32, 32, 3], name="images")
    build_inference_graph(images)
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, checkpoint)
        tf.train.write_graph(sess.graph_def, "/tmp", "frozen.pbtxt")

# --- a literal False in a module that trains with optimize_loss: reported
import tensorflow as tf
slim = tf.contrib.slim


def build_graph(images, labels):
    with slim.arg_scope([slim.batch_norm, slim.dropout], is_training=False):  # expect: BNU002:70
        net = slim.conv2d(images, 8, 3, normalizer_fn=slim.batch_norm)
        logits = slim.fully_connected(slim.flatten(slim.dropout(net)), 10)
    loss = tf.losses.softmax_cross_entropy(labels, logits)
    return tf.contrib.layers.optimize_loss(loss, tf.train.get_global_step(), 1e-3, "Adam")

# --- a unit-test fixture builds contrib batch norm without its flag: BNU003 all the same
import tensorflow as tf
slim = tf.contrib.slim


class DeploymentTest(tf.test.TestCase):
    def test_builds_one_clone(self):
        images = tf.zeros([2, 4, 4, 3])
        net = slim.batch_norm(slim.conv2d(images, 8, 3))  # expect: BNU003:15
        self.assertEqual(net.shape[-1], 8)

# --- the same fixture gives a literal False, in a module that trains nothing
import tensorflow as tf
slim = tf.contrib.slim


class DeploymentTest(tf.test.TestCase):
    def test_builds_one_clone(self):
        images = tf.zeros([2, 4, 4, 3])
        net = slim.batch_norm(slim.conv2d(images, 8, 3), is_training=False)
        self.assertEqual(net.shape[-1], 8)

# --- BNU008: a network chosen with importlib, given a flag variable, saved with trainables only
import importlib
import tensorflow as tf


def main(args):
    network = importlib.import_module(args.model_def)
    images = tf.placeholder(tf.float32, [None, 160, 160, 3])
    phase_train = tf.placeholder(tf.bool, [], name="phase_train")
    prelogits = network.inference(images, keep_probability=0.8, phase_train=phase_train)
    train_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(prelogits))
    saver = tf.train.Saver(tf.trainable_variables(), max_to_keep=3)  # expect: BNU008:28
    return train_op, saver

# --- the same importlib network saved with every global variable
import importlib
import tensorflow as tf


def main(args):
    network = importlib.import_module(args.model_def)
    images = tf.placeholder(tf.float32, [None, 160, 160, 3])
    phase_train = tf.placeholder(tf.bool, [], name="phase_train")
    prelogits = network.inference(images, keep_probability=0.8, phase_train=phase_train)
    train_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(prelogits))
    saver = tf.train.Saver(tf.global_variables(), max_to_keep=3)
    return train_op, saver

# --- BNU008: a network object passed in, given a flag variable
import tensorflow as tf


def build_saver(net, images, is_training):
    logits = net(images, is_training=is_training)
    return logits, tf.train.Saver(var_list=tf.trainable_variables())  # expect: BNU008:44

# --- a network object passed in with no training flag: nothing says it has batch norm
import tensorflow as tf


def build_saver(net, images, keep_prob):
    logits = net(images, keep_prob=keep_prob)
    return logits, tf.train.Saver(var_list=tf.trainable_variables())

# --- BNU008: a network looked up in a registry the module cannot read, given a flag variable
import tensorflow as tf
from nets_factory_unseen import NETWORKS


def export(name, images, is_training):
    network_fn = NETWORKS[name]
    logits = network_fn(images, is_training=is_training)
    saver = tf.train.Saver(tf.trainable_variables())  # expect: BNU008:28
    return logits, saver

# --- the same registry network, saved with its moving statistics added
import tensorflow as tf
from nets_factory_unseen import NETWORKS


def export(name, images, is_training):
    network_fn = NETWORKS[name]
    logits = network_fn(images, is_training=is_training)
    moving = [v for v in tf.global_variables() if "moving_mean" in v.name or "moving_variance" in v.name]
    saver = tf.train.Saver(tf.trainable_variables() + moving)
    return logits, saver
