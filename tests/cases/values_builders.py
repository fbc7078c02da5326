# "Is this call a batch-norm builder?", answered by following values (RULES.md, "Values, not
# spellings"; BNU004 is where a builder call matters within one module): instances and their
# methods, __call__, self attributes set in __init__ or in a base class, subclasses of a builder
# class, registries, and factories that return an instance. Each flagged read has a silent
# look-alike whose call reaches a class or function without batch norm. Then BNU004's
# as_default form.

# --- an instance's method builds batch norm after the read
import tensorflow as tf


class Net(object):
    def forward(self, x, is_training):
        return tf.layers.batch_normalization(tf.layers.dense(x, 16), training=is_training)


def train(x, is_training):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:18
    net = Net()
    loss = tf.reduce_mean(net.forward(x, is_training))
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(loss)

# --- an instance's method without batch norm after the read
import tensorflow as tf


class Net(object):
    def forward(self, x, is_training):
        return tf.layers.batch_normalization(tf.layers.dense(x, 16), training=is_training)


class Head(object):
    def forward(self, x, is_training):
        return tf.layers.dropout(tf.layers.dense(x, 16), training=is_training)


def train(x, is_training):
    features = Net().forward(x, is_training)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    head = Head()
    loss = tf.reduce_mean(head.forward(features, is_training))
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(loss)

# --- an instance called through __call__ after the read
import tensorflow as tf


class Block(object):
    def __call__(self, x, is_training):
        return tf.layers.batch_normalization(tf.layers.conv2d(x, 8, 3), training=is_training)


def train(x, is_training):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:18
    block = Block()
    loss = tf.reduce_mean(block(x, is_training))
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(loss)

# --- an instance called through __call__ before the read
import tensorflow as tf


class Block(object):
    def __call__(self, x, is_training):
        return tf.layers.batch_normalization(tf.layers.conv2d(x, 8, 3), training=is_training)


def train(x, is_training):
    block = Block()
    loss = tf.reduce_mean(block(x, is_training))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(loss)

# --- self.net set in __init__ builds batch norm after the read
import tensorflow as tf


class Net(object):
    def forward(self, x, is_training):
        return tf.layers.batch_normalization(tf.layers.dense(x, 16), training=is_training)


class Trainer(object):
    def __init__(self):
        self.net = Net()

    def train(self, x, is_training):
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:22
        loss = tf.reduce_mean(self.net.forward(x, is_training))
        with tf.control_dependencies(update_ops):
            return tf.train.AdamOptimizer().minimize(loss)

# --- self.head set in __init__ holds a class without batch norm
import tensorflow as tf


class Net(object):
    def forward(self, x, is_training):
        return tf.layers.batch_normalization(tf.layers.dense(x, 16), training=is_training)


class Head(object):
    def forward(self, x, is_training):
        return tf.layers.dropout(tf.layers.dense(x, 16), training=is_training)


class Trainer(object):
    def __init__(self):
        self.net = Net()
        self.head = Head()

    def train(self, x, is_training):
        features = self.net.forward(x, is_training)
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        loss = tf.reduce_mean(self.head.forward(features, is_training))
        with tf.control_dependencies(update_ops):
            return tf.train.AdamOptimizer().minimize(loss)

# --- self.net set in a base class's __init__ builds batch norm after the read
import tensorflow as tf


class Net(object):
    def forward(self, x, is_training):
        return tf.layers.batch_normalization(tf.layers.dense(x, 16), training=is_training)


class BaseTrainer(object):
    def __init__(self):
        self.net = Net()


class Trainer(BaseTrainer):
    def train(self, x, is_training):
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:22
        loss = tf.reduce_mean(self.net.forward(x, is_training))
        with tf.control_dependencies(update_ops):
            return tf.train.AdamOptimizer().minimize(loss)

# --- self.net set in a base class's __init__, called before the read
import tensorflow as tf


class Net(object):
    def forward(self, x, is_training):
        return tf.layers.batch_normalization(tf.layers.dense(x, 16), training=is_training)


class BaseTrainer(object):
    def __init__(self):
        self.net = Net()


class Trainer(BaseTrainer):
    def train(self, x, is_training):
        loss = tf.reduce_mean(self.net.forward(x, is_training))
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            return tf.train.AdamOptimizer().minimize(loss)

# --- a subclass of a builder class, instantiated after the read
import tensorflow as tf


class Net(object):
    def __init__(self, x, is_training):
        self.output = tf.layers.batch_normalization(tf.layers.dense(x, 16), training=is_training)


class DeeperNet(Net):
    def __init__(self, x, is_training):
        super(DeeperNet, self).__init__(x, is_training)
        self.output = tf.layers.dense(self.output, 16)


def train(x, is_training):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:18
    loss = tf.reduce_mean(DeeperNet(x, is_training).output)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(loss)

# --- a subclass of a class without batch norm, instantiated after the read
import tensorflow as tf


class Net(object):
    def __init__(self, x, is_training):
        self.output = tf.layers.batch_normalization(tf.layers.dense(x, 16), training=is_training)


class Linear(object):
    def __init__(self, x, is_training):
        self.output = tf.layers.dense(x, 16)


class DeeperLinear(Linear):
    def __init__(self, x, is_training):
        super(DeeperLinear, self).__init__(x, is_training)
        self.output = tf.layers.dense(self.output, 16)


def train(x, is_training):
    features = Net(x, is_training).output
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    loss = tf.reduce_mean(DeeperLinear(features, is_training).output)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(loss)

# --- a registry of builders, every value building batch norm, called after the read
import tensorflow as tf


def small(x, is_training):
    return tf.layers.batch_normalization(tf.layers.dense(x, 8), training=is_training)


def large(x, is_training):
    return tf.layers.batch_normalization(tf.layers.dense(x, 64), training=is_training)


MODELS = {"small": small, "large": large}


def train(x, is_training, name):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:18
    loss = tf.reduce_mean(MODELS[name](x, is_training))
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(loss)

# --- a registry of builders without batch norm, called after the read
import tensorflow as tf


def backbone(x, is_training):
    return tf.layers.batch_normalization(tf.layers.dense(x, 64), training=is_training)


def linear(x, is_training):
    return tf.layers.dense(x, 1)


def mlp(x, is_training):
    return tf.layers.dense(tf.layers.dropout(tf.layers.dense(x, 8), training=is_training), 1)


HEADS = {"linear": linear, "mlp": mlp}


def train(x, is_training, name):
    features = backbone(x, is_training)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    loss = tf.reduce_mean(HEADS[name](features, is_training))
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(loss)

# --- a factory that returns an instance of a builder class, called after the read
import tensorflow as tf


class LocalNet(object):
    def __init__(self, images, is_training):
        self.ddf = tf.layers.batch_normalization(tf.layers.conv2d(images, 8, 3), training=is_training)


def build_network(network_type, **kwargs):
    return LocalNet(**kwargs)


def train(images, is_training):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:18
    net = build_network("local", images=images, is_training=is_training)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(tf.reduce_mean(net.ddf))

# --- a factory that returns an instance of a class without batch norm, called after the read
import tensorflow as tf


class LocalNet(object):
    def __init__(self, images, is_training):
        self.ddf = tf.layers.batch_normalization(tf.layers.conv2d(images, 8, 3), training=is_training)


class AffineNet(object):
    def __init__(self, images, is_training):
        self.ddf = tf.layers.dense(tf.layers.flatten(images), 12)


def build_network(network_type, **kwargs):
    return AffineNet(**kwargs)


def train(images, is_training):
    features = LocalNet(images, is_training).ddf
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    net = build_network("affine", images=features, is_training=is_training)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(tf.reduce_mean(net.ddf))

# --- a factory that binds the instance to a name and returns it, called after the read
import tensorflow as tf


class LocalNet(object):
    def __init__(self, images, is_training):
        self.ddf = tf.layers.batch_normalization(tf.layers.conv2d(images, 8, 3), training=is_training)


def create(images, is_training):
    net = LocalNet(images, is_training)
    return net


def train(images, is_training):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:18
    net = create(images, is_training)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(tf.reduce_mean(net.ddf))

# --- the same factory, called before the read
import tensorflow as tf


class LocalNet(object):
    def __init__(self, images, is_training):
        self.ddf = tf.layers.batch_normalization(tf.layers.conv2d(images, 8, 3), training=is_training)


def create(images, is_training):
    net = LocalNet(images, is_training)
    return net


def train(images, is_training):
    net = create(images, is_training)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(tf.reduce_mean(net.ddf))

# --- BNU004: the read sits outside the graph the layers are built in
import tensorflow as tf

graph = tf.Graph()
with graph.as_default():
    x = tf.placeholder(tf.float32, [None, 8])
    is_training = tf.placeholder(tf.bool, [])
    h = tf.layers.batch_normalization(tf.layers.dense(x, 16), training=is_training)
    loss = tf.reduce_mean(tf.square(h))

update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:14

with graph.as_default():
    with tf.control_dependencies(update_ops):
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)

# --- BNU004: the read sits inside the graph, after the layers
import tensorflow as tf

graph = tf.Graph()
with graph.as_default():
    x = tf.placeholder(tf.float32, [None, 8])
    is_training = tf.placeholder(tf.bool, [])
    h = tf.layers.batch_normalization(tf.layers.dense(x, 16), training=is_training)
    loss = tf.reduce_mean(tf.square(h))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)

with graph.as_default():
    with tf.control_dependencies(update_ops):
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
