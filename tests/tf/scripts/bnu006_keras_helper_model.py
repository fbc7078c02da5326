# fix: --unsafe-fixes
"""A tf.keras model built and called in a helper nested in the training function (an Estimator
model_fn's build_model), trained with a TF1 optimizer under the textbook UPDATE_OPS wrapper."""
import json

import numpy as np
import tensorflow as tf

tf.compat.v1.disable_eager_execution()


def main():
    tf.compat.v1.set_random_seed(6)
    rng = np.random.RandomState(6)
    x = tf.compat.v1.placeholder(tf.float32, [None, 8])
    y = tf.compat.v1.placeholder(tf.float32, [None, 1])

    def build_model(images):
        model = tf.keras.Sequential([
            tf.keras.layers.Dense(16, use_bias=False),
            tf.keras.layers.BatchNormalization(name="bn"),
            tf.keras.layers.ReLU(),
            tf.keras.layers.Dense(1),
        ])
        logits = model(images, training=True)
        return logits

    pred = build_model(x)
    loss = tf.reduce_mean(tf.square(pred - y))
    update_ops = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
    with tf.compat.v1.control_dependencies(update_ops):
        train_op = tf.compat.v1.train.AdamOptimizer(1e-2).minimize(loss)

    moving_mean, = [v for v in tf.compat.v1.global_variables() if "moving_mean" in v.name]
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        for _ in range(20):
            xb = rng.normal(3.0, 1.0, size=(32, 8)).astype(np.float32)
            sess.run(train_op, {x: xb, y: xb[:, :1]})
        value = sess.run(moving_mean)
    print(json.dumps({"moving_mean_abs": float(np.abs(value).mean()), "moving_mean": value.tolist(),
                      "update_ops_collected": len(update_ops)}))


if __name__ == "__main__":
    main()
