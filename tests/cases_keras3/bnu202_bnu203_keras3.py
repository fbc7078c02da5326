# --- a JAX-backend training step through stateless_call, without training=True
import jax
import keras


def build():
    inputs = keras.Input((8,))
    x = keras.layers.Dense(16)(inputs)
    x = keras.layers.BatchNormalization()(x)
    return keras.Model(inputs, keras.layers.Dense(1)(x))


model = build()


def loss_fn(trainable, non_trainable, x, y):
    pred, non_trainable = model.stateless_call(trainable, non_trainable, x)  # expect: BNU202:27
    return keras.ops.mean((pred - y) ** 2), non_trainable


def train_step(trainable, non_trainable, x, y):
    (loss, non_trainable), grads = jax.value_and_grad(loss_fn, has_aux=True)(trainable, non_trainable, x, y)
    return loss, grads, non_trainable


def eval_step(trainable, non_trainable, x):
    pred, _ = model.stateless_call(trainable, non_trainable, x)
    return pred
# --- the Keras guide's form: the training flag is passed through: silent
import jax
import keras


class CustomModel(keras.Model):
    def compute_loss_and_updates(self, trainable, non_trainable, x, y, training=False):
        pred, non_trainable = self.stateless_call(trainable, non_trainable, x, training=training)
        return self.compute_loss(x, y, pred), non_trainable

    def train_step(self, state, data):
        grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        return grad_fn
# --- a decorated loss, and a model without batch norm (silent)
import jax
import keras

bn_model = keras.Sequential([keras.Input((4,)), keras.layers.BatchNormalization(), keras.layers.Dense(1)])
plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])


@jax.grad
def bn_loss(trainable, non_trainable, x):
    return bn_model.stateless_call(trainable, non_trainable, x)[0].sum()  # expect: BNU202:12


@jax.grad
def plain_loss(trainable, non_trainable, x):
    return plain.stateless_call(trainable, non_trainable, x)[0].sum()
# --- momentum: PyTorch's meaning flagged, Keras' own values silent
import keras
from keras import layers

MOMENTUM = 0.1
head = keras.Sequential([
    layers.Dense(64),
    layers.BatchNormalization(momentum=MOMENTUM),  # expect: BNU203:40
    layers.BatchNormalization(-1, 0.01),  # expect: BNU203:35
    layers.BatchNormalization(momentum=0.9),
    layers.BatchNormalization(momentum=0.8),
    layers.BatchNormalization(0.1),
    layers.BatchNormalization(renorm_momentum=0.1),
])
# --- contrib and tf.layers decay/momentum follow the Keras meaning
import tensorflow as tf
import tf_slim as slim


def net(x, is_training):
    x = tf.layers.batch_normalization(x, momentum=0.1, training=is_training)  # expect: BNU203:51
    x = slim.batch_norm(x, decay=0.3, is_training=is_training)  # expect: BNU203:34
    return slim.batch_norm(x, decay=0.997, is_training=is_training)
