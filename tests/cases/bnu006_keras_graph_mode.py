# Keras batch norm trained by a graph-mode train op under the textbook UPDATE_OPS wrapper.
import tensorflow as tf

tf.compat.v1.disable_eager_execution()

model = tf.keras.Sequential([
    tf.keras.layers.Dense(16),
    tf.keras.layers.BatchNormalization(),
    tf.keras.layers.Dense(1),
])
x = tf.compat.v1.placeholder(tf.float32, [None, 8])
loss = tf.reduce_mean(model(x, training=True))
update_ops = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
with tf.control_dependencies(update_ops):
    train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)  # expect: BNU006:16

# --- Keras 2 updates attached: silent
import tensorflow as tf
from tensorflow import keras

tf.compat.v1.disable_eager_execution()

model = keras.Sequential([keras.layers.Dense(16), keras.layers.BatchNormalization()])
x = tf.compat.v1.placeholder(tf.float32, [None, 8])
loss = tf.reduce_mean(model(x, training=True))
with tf.control_dependencies(model.updates):
    train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)

# --- get_updates_for attached: silent
import tensorflow as tf
import tf_keras

tf.compat.v1.disable_eager_execution()

layer = tf_keras.layers.BatchNormalization()
x = tf.compat.v1.placeholder(tf.float32, [None, 8])
y = layer(x, training=True)  # expect: BNU002:23
loss = tf.reduce_mean(y)
with tf.control_dependencies(layer.get_updates_for(x)):
    train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)

# --- eager code (fit, GradientTape) is not graph-mode training: silent
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(16), tf.keras.layers.BatchNormalization()])
model.compile(optimizer="adam", loss="mse")
optimizer = tf.keras.optimizers.Adam()


def step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))

# --- a graph-mode model without batch norm: silent
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
model = tf.keras.Sequential([tf.keras.layers.Dense(16), tf.keras.layers.Dropout(0.5)])
x = tf.compat.v1.placeholder(tf.float32, [None, 8])
train_op = tf.compat.v1.train.AdamOptimizer().minimize(tf.reduce_mean(model(x, training=True)))

# --- Keras layer called without training in graph mode: the learning phase is 0 (BNU003)
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
x = tf.compat.v1.placeholder(tf.float32, [None, 8])
bn = tf.keras.layers.BatchNormalization()
y = bn(x)  # expect: BNU003:5
with tf.control_dependencies(bn.updates):
    train_op = tf.compat.v1.train.AdamOptimizer().minimize(tf.reduce_mean(y))

# --- a subclass that adds its updates to UPDATE_OPS builds UPDATE_OPS sites (BNU001 rules)
import tensorflow as tf

tf.compat.v1.disable_eager_execution()


class CollectedBatchNorm(tf.keras.layers.BatchNormalization):
    def call(self, inputs, training=None):
        outputs = super().call(inputs, training=training)
        for update in self.updates:
            tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.UPDATE_OPS, update)
        return outputs


def net(x, training):
    return CollectedBatchNorm()(x, training=training)


def train(loss):
    return tf.compat.v1.train.AdamOptimizer().minimize(loss)  # expect: BNU001:12

# --- the module adds the Keras updates to UPDATE_OPS itself: the textbook wrapper works
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
model = tf.keras.Sequential([tf.keras.layers.Dense(16), tf.keras.layers.BatchNormalization()])
x = tf.compat.v1.placeholder(tf.float32, [None, 8])
loss = tf.reduce_mean(model(x, training=True))
for update in model.updates:
    tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.UPDATE_OPS, update)
with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
    train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)

# --- an Estimator model_fn with a functional Keras model: graph mode, no .updates
import tensorflow as tf


def model_fn(features, labels, mode):
    inputs = tf.keras.Input(shape=(8,))
    hidden = tf.keras.layers.BatchNormalization()(tf.keras.layers.Dense(16)(inputs))
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(hidden))
    logits = model(features, training=mode == tf.estimator.ModeKeys.TRAIN)
    loss = tf.compat.v1.losses.mean_squared_error(labels, logits)
    train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)  # expect: BNU006:16
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


estimator = tf.estimator.Estimator(model_fn=model_fn)

# --- a subclassed Keras model trained in a session; its call is a model call without training (BNU003)
import tensorflow.compat.v1 as tf
import tf_keras

tf.disable_eager_execution()


class Net(tf_keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = tf_keras.layers.Dense(4)
        self.norm = tf_keras.layers.BatchNormalization()

    def call(self, x, training=None):
        return self.norm(self.dense(x), training=training)


net = Net()
images = tf.placeholder(tf.float32, [None, 3])
loss = tf.reduce_mean(net(images))  # expect: BNU003:23
optimizer = tf.train.GradientDescentOptimizer(0.1)
grads = optimizer.compute_gradients(loss)
step = optimizer.apply_gradients(grads)  # expect: BNU006:8
with tf.Session() as sess:
    sess.run(step)
