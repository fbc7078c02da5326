# "Is this a Keras batch-norm layer, does this model contain one?", answered by following values
# (RULES.md, "Values, not spellings"): a plain subclass of BatchNormalization, containment
# through nested classes and functions and keras.applications, a model passed as a parameter
# to the function that runs the tape, a model built in a method and stored on self, and Keras
# batch norm in a tf.compat.v1 session graph. Each form has a flagged case and a silent look-alike.

# --- a plain subclass of Keras BatchNormalization, trained by a graph-mode train op
import tensorflow as tf

tf.compat.v1.disable_eager_execution()


class FrozenAwareBatchNorm(tf.keras.layers.BatchNormalization):
    pass


model = tf.keras.Sequential([tf.keras.layers.Dense(16), FrozenAwareBatchNorm(), tf.keras.layers.Dense(1)])
x = tf.compat.v1.placeholder(tf.float32, [None, 8])
is_training = tf.compat.v1.placeholder(tf.bool, [])
loss = tf.reduce_mean(model(x, training=is_training))
train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)  # expect: BNU006:12

# --- a plain subclass of Keras LayerNormalization, trained by a graph-mode train op
import tensorflow as tf

tf.compat.v1.disable_eager_execution()


class FrozenAwareNorm(tf.keras.layers.LayerNormalization):
    pass


model = tf.keras.Sequential([tf.keras.layers.Dense(16), FrozenAwareNorm(), tf.keras.layers.Dense(1)])
x = tf.compat.v1.placeholder(tf.float32, [None, 8])
is_training = tf.compat.v1.placeholder(tf.bool, [])
loss = tf.reduce_mean(model(x, training=is_training))
train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)

# --- a subclass of Keras BatchNormalization in a model called under a tape without training
import tensorflow as tf


class SyncFreeBatchNorm(tf.keras.layers.BatchNormalization):
    def call(self, inputs, training=None):
        return super().call(inputs, training=training)


model = tf.keras.Sequential([tf.keras.layers.Dense(16), SyncFreeBatchNorm(), tf.keras.layers.Dense(1)])
optimizer = tf.keras.optimizers.SGD(0.1)


def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))  # expect: BNU007:41
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))

# --- a subclass of Keras LayerNormalization in a model called under a tape without training
import tensorflow as tf


class SyncFreeNorm(tf.keras.layers.LayerNormalization):
    def call(self, inputs):
        return super().call(inputs)


model = tf.keras.Sequential([tf.keras.layers.Dense(16), SyncFreeNorm(), tf.keras.layers.Dense(1)])
optimizer = tf.keras.optimizers.SGD(0.1)


def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))

# --- batch norm two levels down: a function's Sequential inside a layer class inside a model class
import tensorflow as tf


def conv_block(filters):
    return tf.keras.Sequential([
        tf.keras.layers.Conv2D(filters, 3, padding="same"),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.ReLU(),
    ])


class Stage(tf.keras.layers.Layer):
    def __init__(self, filters):
        super().__init__()
        self.first = conv_block(filters)
        self.second = conv_block(filters)

    def call(self, x, training=None):
        return self.second(self.first(x, training=training), training=training)


class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.stage = Stage(8)
        self.head = tf.keras.layers.Dense(10)

    def call(self, x, training=None):
        return self.head(tf.reduce_mean(self.stage(x, training=training), [1, 2]))


net = Net()


def train_step(images):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(net(images))  # expect: BNU007:31
    return tape.gradient(loss, net.trainable_variables)

# --- the same nesting with layer normalization only
import tensorflow as tf


def conv_block(filters):
    return tf.keras.Sequential([
        tf.keras.layers.Conv2D(filters, 3, padding="same"),
        tf.keras.layers.LayerNormalization(),
        tf.keras.layers.ReLU(),
    ])


class Stage(tf.keras.layers.Layer):
    def __init__(self, filters):
        super().__init__()
        self.first = conv_block(filters)
        self.second = conv_block(filters)

    def call(self, x, training=None):
        return self.second(self.first(x, training=training), training=training)


class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.stage = Stage(8)
        self.head = tf.keras.layers.Dense(10)

    def call(self, x, training=None):
        return self.head(tf.reduce_mean(self.stage(x, training=training), [1, 2]))


net = Net()


def train_step(images):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(net(images))
    return tape.gradient(loss, net.trainable_variables)

# --- a keras.applications backbone inside a Sequential built by a function
import tensorflow as tf


def build_classifier(num_classes):
    backbone = tf.keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")
    return tf.keras.Sequential([backbone, tf.keras.layers.Dense(num_classes)])


classifier = build_classifier(10)


def train_step(images):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(classifier(images))  # expect: BNU007:31
    return tape.gradient(loss, classifier.trainable_variables)

# --- the same classifier called with training=False on purpose (frozen statistics)
import tensorflow as tf


def build_classifier(num_classes):
    backbone = tf.keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")
    return tf.keras.Sequential([backbone, tf.keras.layers.Dense(num_classes)])


classifier = build_classifier(10)


def train_step(images):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(classifier(images, training=False))
    return tape.gradient(loss, classifier.trainable_variables)

# --- the model is a parameter of the function that runs the tape; its caller passes one with batch norm
import tensorflow as tf


def make_model():
    return tf.keras.Sequential([
        tf.keras.layers.Dense(16),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.Dense(1),
    ])


def train_step(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))  # expect: BNU007:41
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))


def fit(dataset):
    model = make_model()
    optimizer = tf.keras.optimizers.Adam()
    for x, y in dataset:
        train_step(model, optimizer, x, y)

# --- the model is a parameter of the function that runs the tape; its caller passes one without
import tensorflow as tf


def make_model():
    return tf.keras.Sequential([
        tf.keras.layers.Dense(16),
        tf.keras.layers.Dropout(0.5),
        tf.keras.layers.Dense(1),
    ])


def train_step(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))


def fit(dataset):
    model = make_model()
    optimizer = tf.keras.optimizers.Adam()
    for x, y in dataset:
        train_step(model, optimizer, x, y)

# --- a Keras model built in a method and stored on self, called under a tape without training
import tensorflow as tf


class Trainer(object):
    def __init__(self):
        self.model = self.build_model()
        self.optimizer = tf.keras.optimizers.Adam()

    def build_model(self):
        inputs = tf.keras.Input(shape=(8,))
        hidden = tf.keras.layers.BatchNormalization()(tf.keras.layers.Dense(16)(inputs))
        return tf.keras.Model(inputs, tf.keras.layers.Dense(1)(hidden))

    def train_step(self, x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self.model(x) - y))  # expect: BNU007:45
        grads = tape.gradient(loss, self.model.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables))

# --- a Keras model without batch norm built in a method and stored on self
import tensorflow as tf


class Trainer(object):
    def __init__(self):
        self.model = self.build_model()
        self.optimizer = tf.keras.optimizers.Adam()

    def build_model(self):
        inputs = tf.keras.Input(shape=(8,))
        hidden = tf.keras.layers.Dropout(0.5)(tf.keras.layers.Dense(16)(inputs))
        return tf.keras.Model(inputs, tf.keras.layers.Dense(1)(hidden))

    def train_step(self, x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self.model(x) - y))
        grads = tape.gradient(loss, self.model.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables))

# --- Keras batch norm imported by name into a tf.compat.v1 session graph, called without training
import tensorflow.compat.v1 as tf
from tensorflow.keras.layers import BatchNormalization, Dense

tf.disable_v2_behavior()


def encoder(x):
    return BatchNormalization()(Dense(32)(x))  # expect: BNU003:12


x = tf.placeholder(tf.float32, [None, 8])
loss = tf.reduce_mean(tf.square(encoder(x)))
train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU006:12
with tf.Session() as sess:
    sess.run(train_op)

# --- the same graph with the flag passed and the layer's updates attached
import tensorflow.compat.v1 as tf
from tensorflow.keras.layers import BatchNormalization, Dense

tf.disable_v2_behavior()
bn = BatchNormalization()


def encoder(x, training):
    return bn(Dense(32)(x), training=training)


x = tf.placeholder(tf.float32, [None, 8])
is_training = tf.placeholder(tf.bool, [])
loss = tf.reduce_mean(tf.square(encoder(x, is_training)))
with tf.control_dependencies(bn.updates):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
with tf.Session() as sess:
    sess.run(train_op, feed_dict={is_training: True})
