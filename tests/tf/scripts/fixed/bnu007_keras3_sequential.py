"""Keras 3 (`import keras`, TensorFlow's default Keras since 2.16): a custom training loop calls a
Sequential model inside GradientTape without training=True."""
import json

import keras
import numpy as np
import tensorflow as tf


def build_model():
    return keras.Sequential([
        keras.Input(shape=(8,)),
        keras.layers.Dense(16, use_bias=False),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.ReLU(),
        keras.layers.Dense(1),
    ])


def main():
    keras.utils.set_random_seed(7)
    rng = np.random.RandomState(7)
    model = build_model()
    optimizer = keras.optimizers.Adam(1e-2)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            pred = model(x, training=True)
            loss = tf.reduce_mean(tf.square(pred - y))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    for _ in range(20):
        xb = rng.normal(3.0, 1.0, size=(32, 8)).astype(np.float32)
        train_step(xb, xb[:, :1])
    value = keras.ops.convert_to_numpy(model.get_layer("bn").moving_mean)
    print(json.dumps({"keras": keras.__version__, "moving_mean_abs": float(np.abs(value).mean()),
                      "moving_mean": value.tolist()}))


if __name__ == "__main__":
    main()
