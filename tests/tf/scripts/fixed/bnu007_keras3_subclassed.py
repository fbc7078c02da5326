"""Keras 3 (`import keras`, TensorFlow's default Keras since 2.16): a custom training loop calls a
subclassed keras.Model with batch normalization inside GradientTape without training=True."""
import json

import keras
import numpy as np
import tensorflow as tf


class Regressor(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(16, use_bias=False)
        self.norm = keras.layers.BatchNormalization()
        self.head = keras.layers.Dense(1)

    def call(self, inputs, training=None):
        h = self.norm(self.hidden(inputs), training=training)
        return self.head(keras.activations.relu(h))


def main():
    keras.utils.set_random_seed(8)
    rng = np.random.RandomState(8)
    model = Regressor()
    optimizer = keras.optimizers.SGD(1e-2)
    for _ in range(20):
        xb = rng.normal(3.0, 1.0, size=(32, 8)).astype(np.float32)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(xb,
                                                  training=True) - xb[:, :1]))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
    value = keras.ops.convert_to_numpy(model.norm.moving_mean)
    print(json.dumps({"keras": keras.__version__, "moving_mean_abs": float(np.abs(value).mean()),
                      "moving_mean": value.tolist()}))


if __name__ == "__main__":
    main()
