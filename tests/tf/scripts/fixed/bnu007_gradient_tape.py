"""TF2 custom training loop: the model is called inside GradientTape without training=True."""
import json

import numpy as np
import tensorflow as tf


def build_model():
    return tf.keras.Sequential([
        tf.keras.Input(shape=(8,)),
        tf.keras.layers.Dense(16, use_bias=False),
        tf.keras.layers.BatchNormalization(name="bn"),
        tf.keras.layers.ReLU(),
        tf.keras.layers.Dense(1),
    ])


def main():
    tf.random.set_seed(7)
    rng = np.random.RandomState(7)
    model = build_model()
    optimizer = tf.keras.optimizers.Adam(1e-2)

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
    value = model.get_layer("bn").moving_mean.numpy()
    print(json.dumps({"moving_mean_abs": float(np.abs(value).mean()), "moving_mean": value.tolist()}))


if __name__ == "__main__":
    main()
