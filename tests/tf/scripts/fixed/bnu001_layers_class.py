"""A small network built from tf.compat.v1.layers classes, trained in a TF1 session."""
import json

import numpy as np
import tensorflow as tf

tf.compat.v1.disable_eager_execution()


class Net:
    def __init__(self):
        self.hidden = tf.compat.v1.layers.Dense(16, use_bias=False)
        self.norm = tf.compat.v1.layers.BatchNormalization(momentum=0.9)
        self.head = tf.compat.v1.layers.Dense(1)

    def __call__(self, x, training):
        h = self.norm(self.hidden(x), training=training)
        return self.head(tf.nn.relu(h))


def make_train_op(loss, learning_rate=1e-2):
    optimizer = tf.compat.v1.train.AdamOptimizer(learning_rate)
    with tf.compat.v1.control_dependencies(
            tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
        return optimizer.minimize(loss)


def main():
    tf.compat.v1.set_random_seed(1)
    rng = np.random.RandomState(1)
    features = tf.compat.v1.placeholder(tf.float32, [None, 8])
    targets = tf.compat.v1.placeholder(tf.float32, [None, 1])
    training = tf.compat.v1.placeholder_with_default(False, [])

    net = Net()
    loss = tf.reduce_mean(tf.square(net(features, training) - targets))
    train_op = make_train_op(loss)

    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        for step in range(20):
            xb = rng.normal(3.0, 1.0, size=(32, 8)).astype(np.float32)
            yb = xb.mean(axis=1, keepdims=True)
            sess.run(train_op, {features: xb, targets: yb, training: True})
        moving_mean = sess.run(net.norm.moving_mean)
    print(json.dumps({"moving_mean_abs": float(np.abs(moving_mean).mean()),
                      "moving_mean": moving_mean.tolist()}))


if __name__ == "__main__":
    main()
