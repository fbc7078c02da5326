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

# --- update ops picked by a filtering comprehension and grouped after the train op: handled
import tensorflow as tf


def train_step(net, first, rest, step_ops):
    before = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    loss = tf.reduce_mean(net(first, training=True))
    mine = [op for op in tf.get_collection(tf.GraphKeys.UPDATE_OPS) if op not in before]
    mine.extend(step_ops)
    for batch in rest:
        loss += tf.reduce_mean(net(batch, training=True))
    train_op = tf.train.AdamOptimizer().minimize(loss)
    with tf.control_dependencies([train_op]):
        train_op = tf.group(*mine)
    return train_op


def net(x, training):
    return tf.layers.batch_normalization(tf.layers.dense(x, 8), training=training)

# --- the same shape filtering trainable variables instead of update ops: BNU001
import tensorflow as tf


def train_step(net, first, step_ops):
    loss = tf.reduce_mean(net(first, training=True))
    mine = [v for v in tf.trainable_variables() if "bias" not in v.name]
    train_op = tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:16
    with tf.control_dependencies([train_op]):
        train_op = tf.group(*mine)
    return train_op


def net(x, training):
    return tf.layers.batch_normalization(tf.layers.dense(x, 8), training=training)

# --- an unfiltered comprehension is still a read: layers built after it are missed (BNU004)
import tensorflow as tf


def train_step(x, training):
    update_ops = [op for op in tf.get_collection(tf.GraphKeys.UPDATE_OPS)]  # expect: BNU004:32
    h = tf.layers.batch_normalization(x, training=training)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))

# --- checkpoints out of sight: an exporter hands a literal False to a network it cannot see (BNU008)
import tensorflow as tf


class Exporter(object):
    def __init__(self, network):
        self.network = network

    def build(self, images):
        with tf.Graph().as_default():
            outputs = self.network.create_model(images, is_training=False)
            saver = tf.train.Saver(tf.trainable_variables())  # expect: BNU008:36
        return outputs, saver

# --- the same exporter with a network call that takes no training flag: nothing says it has batch norm
import tensorflow as tf


class Exporter(object):
    def __init__(self, network):
        self.network = network

    def build(self, images):
        with tf.Graph().as_default():
            outputs = self.network.create_model(images, num_classes=10)
            saver = tf.train.Saver(tf.trainable_variables())
        return outputs, saver

# --- Keras tensors through list arguments: a residual Add, a Concatenate and an output list (BNU007)
import tensorflow as tf
from tensorflow.keras import layers


def residual(inputs):
    x = layers.Conv2D(8, 1)(inputs)
    x = layers.BatchNormalization()(x)
    return layers.Add()([inputs, x])


def build():
    inputs = tf.keras.Input((16, 16, 8))
    a = residual(inputs)
    b = layers.Concatenate()([layers.Conv2D(4, 1)(inputs), a])
    return tf.keras.Model(inputs=inputs, outputs=[layers.Conv2D(2, 1)(a), b])


def train_one_step(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        outputs = model(x)  # expect: BNU007:19
        loss = tf.add_n([tf.reduce_mean(tf.square(out - y)) for out in outputs])
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))


def train(x, y):
    model = build()
    train_one_step(model, tf.keras.optimizers.Adam(), x, y)

# --- the same model with layer normalization in the residual branch: silent
import tensorflow as tf
from tensorflow.keras import layers


def residual(inputs):
    x = layers.Conv2D(8, 1)(inputs)
    x = layers.LayerNormalization()(x)
    return layers.Add()([inputs, x])


def build():
    inputs = tf.keras.Input((16, 16, 8))
    a = residual(inputs)
    b = layers.Concatenate()([layers.Conv2D(4, 1)(inputs), a])
    return tf.keras.Model(inputs=inputs, outputs=[layers.Conv2D(2, 1)(a), b])


def train_one_step(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        outputs = model(x)
        loss = tf.add_n([tf.reduce_mean(tf.square(out - y)) for out in outputs])
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))


def train(x, y):
    model = build()
    train_one_step(model, tf.keras.optimizers.Adam(), x, y)

# --- a plain class whose __call__ forwards training=None to Keras batch norm, called without it in a session (BNU003)
import tensorflow as tf


class Norm1D:
    def __init__(self):
        self._norm = tf.keras.layers.BatchNormalization()

    def __call__(self, inputs, training=None):
        return tf.squeeze(self._norm(tf.expand_dims(inputs, 1), training=training), 1)


class Net:
    def __init__(self):
        self.norms = [Norm1D() for _ in range(3)]

    def __call__(self, inputs, training=None):
        for norm in self.norms:
            inputs = norm(inputs, training=training)
        return inputs


def main():
    x = tf.compat.v1.placeholder(tf.float32, [None, 16, 8])
    net = Net()
    logits = net(x)  # expect: BNU003:14
    loss = tf.reduce_mean(logits)
    train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)  # expect: BNU006:16
    with tf.compat.v1.Session() as sess:
        sess.run(train_op)

# --- the same classes called with the flag: BNU003 silent (BNU006 still judges the train op)
import tensorflow as tf


class Norm1D:
    def __init__(self):
        self._norm = tf.keras.layers.BatchNormalization()

    def __call__(self, inputs, training=None):
        return tf.squeeze(self._norm(tf.expand_dims(inputs, 1), training=training), 1)


class Net:
    def __init__(self):
        self.norms = [Norm1D() for _ in range(3)]

    def __call__(self, inputs, training=None):
        for norm in self.norms:
            inputs = norm(inputs, training=training)
        return inputs


def main():
    x = tf.compat.v1.placeholder(tf.float32, [None, 16, 8])
    is_training = tf.compat.v1.placeholder(tf.bool, [])
    net = Net()
    logits = net(x, training=is_training)
    loss = tf.reduce_mean(logits)
    train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)  # expect: BNU006:16
    with tf.compat.v1.Session() as sess:
        sess.run(train_op, {is_training: True})

# --- towers: the Keras model's evaluation call stays off the loss; only the training call is BNU003
import tensorflow as tf


def main(train_x, val_x, labels):
    model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
    train_out = model(train_x)  # expect: BNU003:17
    val_out = model(val_x)
    val_error = tf.reduce_mean(tf.abs(val_out - labels))
    loss = tf.compat.v1.losses.mean_squared_error(labels, train_out)
    train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)  # expect: BNU006:16
    with tf.compat.v1.Session() as sess:
        sess.run(train_op)
        sess.run(val_error)

# --- the same two calls both feeding the loss (a consistency term): both run in training, both BNU003
import tensorflow as tf


def main(train_x, val_x, labels):
    model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
    train_out = model(train_x)  # expect: BNU003:17
    val_out = model(val_x)  # expect: BNU003:15
    loss = tf.compat.v1.losses.mean_squared_error(labels, train_out) + tf.reduce_mean(tf.square(val_out))
    train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)  # expect: BNU006:16
    with tf.compat.v1.Session() as sess:
        sess.run(train_op)

# --- layers and train op built by a method called inside `with graph.as_default():`, update ops read outside
import tensorflow as tf


class Classifier:
    def _build(self, x):
        self._training = tf.placeholder_with_default(False, [])
        h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=self._training)
        loss = tf.reduce_mean(h)
        self._train_op = tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:26

    def fit(self, x, batches):
        self._graph = tf.Graph()
        with self._graph.as_default():
            self._build(x)
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:22
        with tf.Session(graph=self._graph) as sess:
            for batch in batches:
                sess.run([self._train_op, update_ops], feed_dict={self._training: True})

# --- the same class reading the update ops inside the block: silent
import tensorflow as tf


class Classifier:
    def _build(self, x):
        self._training = tf.placeholder_with_default(False, [])
        h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=self._training)
        loss = tf.reduce_mean(h)
        self._train_op = tf.train.AdamOptimizer().minimize(loss)

    def fit(self, x, batches):
        self._graph = tf.Graph()
        with self._graph.as_default():
            self._build(x)
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.Session(graph=self._graph) as sess:
            for batch in batches:
                sess.run([self._train_op, update_ops], feed_dict={self._training: True})

# --- execution order: a notebook-like module rebinds the train op after reset_default_graph(); the earlier run handles only the earlier op
import tensorflow as tf

tf.reset_default_graph()
x = tf.placeholder(tf.float32, [None, 8])
training = tf.placeholder_with_default(False, [])
h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=training)
training_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))

extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.Session() as sess:
    sess.run([training_op, extra_update_ops], feed_dict={training: True})

tf.reset_default_graph()
x = tf.placeholder(tf.float32, [None, 8])
training = tf.placeholder_with_default(False, [])
h = tf.layers.batch_normalization(tf.layers.dense(x, 16), training=training)
training_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))  # expect: BNU001:15

with tf.Session() as sess:
    sess.run(training_op, feed_dict={training: True})

# --- the same notebook whose second model is run with its own read: silent
import tensorflow as tf

tf.reset_default_graph()
x = tf.placeholder(tf.float32, [None, 8])
training = tf.placeholder_with_default(False, [])
h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=training)
training_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))

extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.Session() as sess:
    sess.run([training_op, extra_update_ops], feed_dict={training: True})

tf.reset_default_graph()
x = tf.placeholder(tf.float32, [None, 8])
training = tf.placeholder_with_default(False, [])
h = tf.layers.batch_normalization(tf.layers.dense(x, 16), training=training)
training_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))

extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.Session() as sess:
    sess.run([training_op, extra_update_ops], feed_dict={training: True})

# --- bindings are alternatives: self.train_op bound bare in one method and grouped in another (BNU001 at the bare one)
import tensorflow as tf


class Model:
    def build_plain(self, x, training):
        h = tf.layers.batch_normalization(x, training=training)
        self.train_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))  # expect: BNU001:25

    def build_grouped(self, x, training):
        h = tf.layers.batch_normalization(x, training=training)
        step = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))
        self.train_op = tf.group(step, *tf.get_collection(tf.GraphKeys.UPDATE_OPS))

    def train(self, sess, feed):
        sess.run(self.train_op, feed_dict=feed)

# --- the same attribute bound grouped in both methods: silent
import tensorflow as tf


class Model:
    def build_plain(self, x, training):
        h = tf.layers.batch_normalization(x, training=training)
        step = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))
        self.train_op = tf.group(step, *tf.get_collection(tf.GraphKeys.UPDATE_OPS))

    def build_grouped(self, x, training):
        h = tf.layers.batch_normalization(x, training=training)
        step = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))
        self.train_op = tf.group(step, *tf.get_collection(tf.GraphKeys.UPDATE_OPS))

    def train(self, sess, feed):
        sess.run(self.train_op, feed_dict=feed)

# --- a tf.layers.BatchNormalization object's own .updates carry its update ops: handled
import tensorflow as tf


def build(x, is_training):
    bn = tf.layers.BatchNormalization()
    loss = tf.reduce_mean(bn(tf.layers.dense(x, 8), training=is_training))
    with tf.control_dependencies(bn.updates):
        return tf.train.AdamOptimizer().minimize(loss)

# --- two layer objects, only one's .updates attached: the other's update ops never run (BNU001)
import tensorflow as tf


def build(x, is_training):
    first = tf.layers.BatchNormalization()
    second = tf.layers.BatchNormalization()
    h = second(tf.layers.dense(first(x, training=is_training), 8), training=is_training)
    with tf.control_dependencies(first.updates):
        return tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))  # expect: BNU001:16

# --- a loop back-edge: the read bound late in the loop body is what the next iteration's run fetches (handled)
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 8])
training = tf.placeholder_with_default(False, [])
h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=training)
train_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))
extra = []
with tf.Session() as sess:
    for step in range(100):
        sess.run([train_op] + extra, feed_dict={training: True})
        if step == 0:
            extra = tf.get_collection(tf.GraphKeys.UPDATE_OPS)

# --- the same read made only after the loop: no run ever fetches it (BNU001)
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 8])
training = tf.placeholder_with_default(False, [])
h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=training)
train_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))  # expect: BNU001:12
extra = []
with tf.Session() as sess:
    for step in range(100):
        sess.run([train_op] + extra, feed_dict={training: True})
    extra = tf.get_collection(tf.GraphKeys.UPDATE_OPS)

# --- a literal True given to a network builder that also hands the flag to a backbone out of sight: the caller's tower choice
import tensorflow as tf
import tensorflow.contrib.slim as slim

from backbones import resnet_50


def detector(images, is_training=True):
    features = resnet_50(images, is_training=is_training)
    params = {"is_training": is_training, "decay": 0.997}
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm, normalizer_params=params):
        return slim.conv2d(features, 8, 1)


def tower_loss(images):
    score = detector(images, is_training=True)
    return tf.reduce_mean(score)

# --- the same builder without the backbone: a thin wrapper of one layer, the literal is reported (BNU002)
import tensorflow as tf
import tensorflow.contrib.slim as slim


def detector(images, is_training=True):
    params = {"is_training": is_training, "decay": 0.997}
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm, normalizer_params=params):
        return slim.conv2d(images, 8, 1)


def tower_loss(images):
    score = detector(images, is_training=True)  # expect: BNU002:42
    return tf.reduce_mean(score)

# --- exclusive branches: a site under `if use_bn and act:` never meets a train op under the else of `if use_bn:`
import tensorflow as tf


def layer(x, use_bn, act, is_training):
    if use_bn and act:
        x = tf.layers.batch_normalization(x, training=is_training)
    return x


def train(x, use_bn, is_training):
    loss = tf.reduce_mean(layer(x, use_bn, True, is_training))
    if use_bn:
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            op = tf.train.AdamOptimizer().minimize(loss)
    else:
        op = tf.train.AdamOptimizer().minimize(loss)
    return op

# --- `if use_bn or act:` implies nothing about use_bn: the bare op under its else is BNU001
import tensorflow as tf


def layer(x, use_bn, act, is_training):
    if use_bn or act:
        x = tf.layers.batch_normalization(x, training=is_training)
    return x


def train(x, use_bn, is_training):
    loss = tf.reduce_mean(layer(x, use_bn, True, is_training))
    if use_bn:
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            op = tf.train.AdamOptimizer().minimize(loss)
    else:
        op = tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:14
    return op

# --- evaluation in a tape: a test step copied from the train step takes no gradient (BNU002 at its True)
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
optimizer = tf.keras.optimizers.Adam()


def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))


def test_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))  # expect: BNU002:59
    return loss

# --- a tape whose gradient is taken for another target is still training: silent
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])


def input_saliency(x, y):
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
    return tape.gradient(loss, x)

# --- a cond's two towers built outside it: the False twin read only by the false branch is silent, the True twin runs every step
import tensorflow as tf


def net(x, is_training):
    t = tf.layers.batch_normalization(x, training=True, name="bn")  # expect: BNU002:51
    e = tf.layers.batch_normalization(x, training=False, name="bn", reuse=True)
    return tf.cond(is_training, lambda: t, lambda: e)


def train(x, is_training):
    loss = tf.reduce_mean(net(x, is_training))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer().minimize(loss)

# --- the False tower also read outside the cond: reported
import tensorflow as tf


def net(x, is_training):
    t = tf.layers.batch_normalization(x, training=True, name="bn")  # expect: BNU002:51
    e = tf.layers.batch_normalization(x, training=False, name="bn", reuse=True)  # expect: BNU002:51
    tf.summary.histogram("eval_activations", e)
    return tf.cond(is_training, lambda: t, lambda: e)


def train(x, is_training):
    loss = tf.reduce_mean(net(x, is_training))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer().minimize(loss)

# --- every flag True only through a wrapper default no call overrides, no flag at hand: the op still runs no updates (BNU001)
import tensorflow as tf


def conv_bn(x, is_training=True):
    return tf.layers.batch_normalization(tf.layers.conv2d(x, 8, 3), training=is_training)


def train(x):
    loss = tf.reduce_mean(conv_bn(conv_bn(x)))
    return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:12

# --- the same network with the literal written at the layer: BNU002 reports it and BNU001 stays silent
import tensorflow as tf


def conv_bn(x):
    return tf.layers.batch_normalization(tf.layers.conv2d(x, 8, 3), training=True)  # expect: BNU002:78


def train(x):
    loss = tf.reduce_mean(conv_bn(conv_bn(x)))
    return tf.train.AdamOptimizer().minimize(loss)

# --- a sampler reusing the generator's tf.layers batch norm without the flag, off the loss path: False is right there
import tensorflow as tf


def generator(z, is_training, reuse=False):
    h = tf.layers.dense(z, 16, name="g1", reuse=reuse)
    h = tf.layers.batch_normalization(h, training=is_training, name="gbn", reuse=reuse)
    return tf.layers.dense(h, 4, name="g2", reuse=reuse)


def sampler(z):
    h = tf.layers.dense(z, 16, name="g1", reuse=True)
    h = tf.layers.batch_normalization(h, name="gbn", reuse=True)
    return tf.layers.dense(h, 4, name="g2", reuse=True)


def build(z, is_training):
    loss = tf.reduce_mean(generator(z, is_training))
    samples = sampler(z)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer().minimize(loss)
    return train_op, samples

# --- the same reuse call whose output feeds the loss: it trains in inference mode (BNU003)
import tensorflow as tf


def generator(z, is_training, reuse=False):
    h = tf.layers.dense(z, 16, name="g1", reuse=reuse)
    h = tf.layers.batch_normalization(h, training=is_training, name="gbn", reuse=reuse)
    return tf.layers.dense(h, 4, name="g2", reuse=reuse)


def sampler(z):
    h = tf.layers.dense(z, 16, name="g1", reuse=True)
    h = tf.layers.batch_normalization(h, name="gbn", reuse=True)  # expect: BNU003:9
    return tf.layers.dense(h, 4, name="g2", reuse=True)


def build(z, is_training):
    samples = sampler(z)
    loss = tf.reduce_mean(generator(z, is_training)) + tf.reduce_mean(tf.square(samples))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer().minimize(loss)
    return train_op, samples

# --- a builder nobody calls is no inference tower: its tf.layers batch norm without the flag is reported as written
import tensorflow as tf


def tower(x, training):
    return tf.layers.batch_normalization(x)  # expect: BNU003:12


def build(x, labels, training):
    net = tf.layers.batch_normalization(x, training=training)
    loss = tf.losses.mean_squared_error(labels, net)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)

# --- reach: a batch-norm builder that nothing calls, while the train op's loss provably comes from other calls: silent
import tensorflow as tf


def bn_block(inputs, training):
    return tf.layers.batch_normalization(tf.layers.dense(inputs, 8), training=training)


def network(inputs):
    return tf.layers.dense(tf.layers.dense(inputs, 8, activation=tf.nn.relu), 1)


x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.float32, [None, 1])
loss = tf.reduce_mean(tf.square(network(x) - y))
train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)

# --- the same builder called by the network on the loss: the bare op is BNU001
import tensorflow as tf


def bn_block(inputs, training):
    return tf.layers.batch_normalization(tf.layers.dense(inputs, 8), training=training)


def network(inputs, training):
    return tf.layers.dense(bn_block(inputs, training), 1)


x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.float32, [None, 1])
flag = tf.placeholder_with_default(False, ())
loss = tf.reduce_mean(tf.square(network(x, flag) - y))
train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU001:12

# --- a builder nothing calls here, with a loss read from the graph's loss collection (filled by any code): reach is not decided, BNU001
import tensorflow as tf


def bn_block(inputs, training):
    return tf.layers.batch_normalization(tf.layers.dense(inputs, 8), training=training)


def network(inputs):
    return tf.layers.dense(tf.layers.dense(inputs, 8, activation=tf.nn.relu), 1)


x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.float32, [None, 1])
tf.losses.mean_squared_error(y, network(x))
train_op = tf.train.AdamOptimizer(1e-3).minimize(tf.losses.get_total_loss())  # expect: BNU001:12

# --- execution order: after reset_default_graph() the helper is redefined without batch norm; the second graph's bare op is right
import tensorflow as tf


def block(inputs, training):
    return tf.nn.relu(tf.layers.batch_normalization(tf.layers.dense(inputs, 8), training=training))


x = tf.placeholder(tf.float32, [None, 4])
flag = tf.placeholder_with_default(False, ())
loss = tf.reduce_mean(tf.square(block(x, flag)))
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)

tf.reset_default_graph()


def block(inputs, training=None):
    return tf.layers.dense(inputs, 8, activation=tf.nn.elu)


x = tf.placeholder(tf.float32, [None, 4])
flag = tf.placeholder_with_default(False, ())
loss = tf.reduce_mean(tf.square(block(x, flag)))
train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)

# --- the same cells with the second graph built by a function called after the reset: silent
import tensorflow as tf


def block(inputs, training):
    return tf.nn.relu(tf.layers.batch_normalization(tf.layers.dense(inputs, 8), training=training))


x = tf.placeholder(tf.float32, [None, 4])
flag = tf.placeholder_with_default(False, ())
loss = tf.reduce_mean(tf.square(block(x, flag)))
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)

tf.compat.v1.reset_default_graph()


def plain_graph():
    inputs = tf.placeholder(tf.float32, [None, 4])
    cost = tf.reduce_mean(tf.square(tf.layers.dense(inputs, 8, activation=tf.nn.elu)))
    return tf.train.AdamOptimizer(1e-3).minimize(cost)


second_op = plain_graph()

# --- the helper redefined after the reset still with batch norm: the second graph's bare op is BNU001
import tensorflow as tf


def block(inputs, training):
    return tf.nn.relu(tf.layers.batch_normalization(tf.layers.dense(inputs, 8), training=training))


x = tf.placeholder(tf.float32, [None, 4])
flag = tf.placeholder_with_default(False, ())
loss = tf.reduce_mean(tf.square(block(x, flag)))
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)

tf.reset_default_graph()


def block(inputs, training=None):
    return tf.layers.batch_normalization(tf.layers.dense(inputs, 8), training=training)


x = tf.placeholder(tf.float32, [None, 4])
flag = tf.placeholder_with_default(False, ())
loss = tf.reduce_mean(tf.square(block(x, flag)))
train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU001:12

# --- the first graph's bare op before the reset is BNU001; the second graph, handled, is silent
import tensorflow as tf


def block(inputs, training):
    return tf.nn.relu(tf.layers.batch_normalization(tf.layers.dense(inputs, 8), training=training))


x = tf.placeholder(tf.float32, [None, 4])
flag = tf.placeholder_with_default(False, ())
loss = tf.reduce_mean(tf.square(block(x, flag)))
train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU001:12

tf.reset_default_graph()
x = tf.placeholder(tf.float32, [None, 4])
flag = tf.placeholder_with_default(False, ())
loss = tf.reduce_mean(tf.square(block(x, flag)))
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)

# --- towers and modes (a): a literal True handed to a reused evaluation tower of a two-layer builder (BNU002 at the literal)
import tensorflow as tf


def network(inputs, is_training, reuse=None):
    with tf.variable_scope("tower", reuse=reuse):
        h = tf.layers.batch_normalization(tf.layers.dense(inputs, 16), training=is_training)
        h = tf.layers.batch_normalization(tf.layers.dense(h, 8), training=is_training)
        return tf.layers.dense(h, 1)


x = tf.placeholder(tf.float32, [None, 8])
y = tf.placeholder(tf.float32, [None, 1])
mode = tf.placeholder_with_default(False, ())
cost = tf.reduce_mean(tf.square(network(x, mode) - y))
eval_pred = network(x, True, reuse=True)  # expect: BNU002:24
eval_loss = tf.reduce_mean(tf.square(eval_pred - y))
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.MomentumOptimizer(1e-3, momentum=0.9).minimize(cost)

# --- (b): the training tower's own literal True beside an evaluation tower given False: the author chose each mode, silent
import tensorflow as tf


def network(inputs, is_training, reuse=None):
    with tf.variable_scope("tower", reuse=reuse):
        h = tf.layers.batch_normalization(tf.layers.dense(inputs, 16), training=is_training)
        h = tf.layers.batch_normalization(tf.layers.dense(h, 8), training=is_training)
        return tf.layers.dense(h, 1)


x = tf.placeholder(tf.float32, [None, 8])
y = tf.placeholder(tf.float32, [None, 1])
cost = tf.reduce_mean(tf.square(network(x, True) - y))
eval_pred = network(x, False, reuse=True)
eval_loss = tf.reduce_mean(tf.square(eval_pred - y))
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.MomentumOptimizer(1e-3, momentum=0.9).minimize(cost)

# --- both towers given a literal True: the training tower's is silent (b), the evaluation tower's is reported (a)
import tensorflow as tf


def network(inputs, is_training, reuse=None):
    with tf.variable_scope("tower", reuse=reuse):
        h = tf.layers.batch_normalization(tf.layers.dense(inputs, 16), training=is_training)
        h = tf.layers.batch_normalization(tf.layers.dense(h, 8), training=is_training)
        return tf.layers.dense(h, 1)


x = tf.placeholder(tf.float32, [None, 8])
y = tf.placeholder(tf.float32, [None, 1])
cost = tf.reduce_mean(tf.square(network(x, True) - y))
eval_loss = tf.reduce_mean(tf.square(network(x, True, reuse=True) - y))  # expect: BNU002:49
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.MomentumOptimizer(1e-3, momentum=0.9).minimize(cost)

# --- a Keras baseline fitted in its own function beside TF1 code: its batch norm reaches no train op, the handled minimize is silent
import tensorflow as tf


def keras_baseline(x_train, y_train):
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(16),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x_train, y_train, epochs=2)
    return model.evaluate(x_train, y_train)


def network(images, is_training):
    net = tf.layers.batch_normalization(tf.layers.dense(images, 16), training=is_training)
    return tf.layers.dense(net, 1)


def train(images, labels):
    is_training = tf.placeholder_with_default(False, ())
    loss = tf.losses.mean_squared_error(labels, network(images, is_training))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    with tf.Session() as sess:
        sess.run(train_op, {is_training: True})

# --- the same baseline's model returned and used on the train op's loss: its Keras batch norm is trained without .updates (BNU006)
import tensorflow as tf


def keras_baseline(x_train, y_train):
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(16),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x_train, y_train, epochs=2)
    return model


def network(images, is_training):
    net = tf.layers.batch_normalization(tf.layers.dense(images, 16), training=is_training)
    return tf.layers.dense(net, 1)


def train(images, labels, x_train, y_train):
    is_training = tf.placeholder_with_default(False, ())
    baseline = keras_baseline(x_train, y_train)
    loss = tf.losses.mean_squared_error(labels, network(images, is_training) + baseline(images, training=True))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU006:20
    with tf.Session() as sess:
        sess.run(train_op, {is_training: True})

# --- towers (b): inference(images, is_training=True) in a multi-GPU tower_loss and slim net(x, is_training=True) in train, while evaluate passes False: silent
import tensorflow as tf
import tensorflow.contrib.slim as slim


def inference(images, is_training):
    net = slim.conv2d(images, 32, 3, normalizer_fn=slim.batch_norm, normalizer_params={"is_training": is_training})
    net = slim.conv2d(net, 32, 3, normalizer_fn=slim.batch_norm, normalizer_params={"is_training": is_training})
    return slim.fully_connected(slim.flatten(net), 10, activation_fn=None)


def tower_loss(images, labels):
    logits = inference(images, is_training=True)
    return tf.losses.sparse_softmax_cross_entropy(labels, logits)


def net(x, is_training):
    with slim.arg_scope([slim.batch_norm], is_training=is_training):
        h = slim.batch_norm(slim.conv2d(x, 16, 3))
        return slim.batch_norm(slim.conv2d(h, 16, 3))


def train(images, labels, x):
    opt = tf.train.GradientDescentOptimizer(0.1)
    grads = []
    for i in range(2):
        with tf.device("/gpu:%d" % i):
            grads.append(opt.compute_gradients(tower_loss(images, labels)))
    out = net(x, is_training=True)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = opt.apply_gradients(grads[0])
    return train_op, out


def evaluate(images):
    return tf.nn.softmax(inference(images, is_training=False))

# --- the same program on one device whose evaluate() passes True too: that inference tower is reported (a), the training tower stays silent (b)
import tensorflow as tf
import tensorflow.contrib.slim as slim


def inference(images, is_training):
    net = slim.conv2d(images, 32, 3, normalizer_fn=slim.batch_norm, normalizer_params={"is_training": is_training})
    net = slim.conv2d(net, 32, 3, normalizer_fn=slim.batch_norm, normalizer_params={"is_training": is_training})
    return slim.fully_connected(slim.flatten(net), 10, activation_fn=None)


def tower_loss(images, labels):
    logits = inference(images, is_training=True)
    return tf.losses.sparse_softmax_cross_entropy(labels, logits)


def train(images, labels):
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.GradientDescentOptimizer(0.1).minimize(tower_loss(images, labels))


def evaluate(images):
    return tf.nn.softmax(inference(images, is_training=True))  # expect: BNU002:56

# --- reach for BNU004: an evaluation tower built between the read and the train op does not make the read early: silent
import tensorflow as tf


def network(inputs, is_training, reuse=None):
    with tf.variable_scope("net", reuse=reuse):
        h = tf.layers.batch_normalization(tf.layers.dense(inputs, 16), training=is_training)
        return tf.layers.dense(h, 1)


x = tf.placeholder(tf.float32, [None, 8])
y = tf.placeholder(tf.float32, [None, 1])
flag = tf.placeholder_with_default(False, ())
loss = tf.reduce_mean(tf.square(network(x, flag) - y))
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
eval_loss = tf.reduce_mean(tf.square(network(x, False, reuse=True) - y))
with tf.control_dependencies(update_ops):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)

# --- a second training-tower call on the loss built after the read: its update ops are missed (BNU004)
import tensorflow as tf


def network(inputs, is_training, reuse=None):
    with tf.variable_scope("net", reuse=reuse):
        h = tf.layers.batch_normalization(tf.layers.dense(inputs, 16), training=is_training)
        return tf.layers.dense(h, 1)


x = tf.placeholder(tf.float32, [None, 8])
y = tf.placeholder(tf.float32, [None, 1])
flag = tf.placeholder_with_default(False, ())
base = network(x, flag)
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:14
loss = tf.reduce_mean(tf.square(base + network(x, flag, reuse=True) - y))
with tf.control_dependencies(update_ops):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)

# --- towers (b) through a one-layer builder: the training call's literal True beside a sampler given False is the author's choice, silent
import tensorflow as tf


def network(inputs, train, reuse=None):
    with tf.variable_scope("tower", reuse=reuse):
        h = tf.layers.batch_normalization(tf.layers.dense(inputs, 32), training=train)
        return tf.layers.dense(h, 1)


inputs = tf.placeholder(tf.float32, [None, 8])
labels = tf.placeholder(tf.float32, [None, 1])
loss = tf.reduce_mean(tf.square(network(inputs, True, reuse=tf.AUTO_REUSE) - labels))
noise = tf.placeholder(tf.float32, [None, 8])
samples = network(noise, False, reuse=tf.AUTO_REUSE)
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    step_op = tf.train.GradientDescentOptimizer(1e-3).minimize(loss)

# --- (c) the same one-layer builder called only for training: no separate inference tower, the literal is reported
import tensorflow as tf


def network(inputs, train, reuse=None):
    with tf.variable_scope("tower", reuse=reuse):
        h = tf.layers.batch_normalization(tf.layers.dense(inputs, 32), training=train)
        return tf.layers.dense(h, 1)


inputs = tf.placeholder(tf.float32, [None, 8])
labels = tf.placeholder(tf.float32, [None, 1])
loss = tf.reduce_mean(tf.square(network(inputs, True, reuse=tf.AUTO_REUSE) - labels))  # expect: BNU002:49
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    step_op = tf.train.GradientDescentOptimizer(1e-3).minimize(loss)
