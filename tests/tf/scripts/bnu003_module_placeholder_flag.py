# fix: --unsafe-fixes
"""A script-style graph: the training flag is a module-level placeholder the block never receives."""
import json

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()

x = tf.placeholder(tf.float32, [None, 8])
y = tf.placeholder(tf.float32, [None, 1])
is_training = tf.placeholder_with_default(False, shape=(), name="is_training")


def block(h):
    return tf.layers.batch_normalization(h)


def main():
    tf.set_random_seed(5)
    rng = np.random.RandomState(5)
    h = tf.layers.dense(x, 16, use_bias=False)
    features = block(h)
    logits = tf.layers.dense(tf.nn.relu(features), 1)
    loss = tf.reduce_mean(tf.square(logits - y))
    optimizer = tf.train.AdamOptimizer(1e-2)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = optimizer.minimize(loss)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(20):
            xb = rng.normal(3.0, 1.0, size=(32, 8)).astype(np.float32)
            _, out = sess.run([train_op, features], {x: xb, y: xb[:, :1], is_training: True})
            if step == 0:
                first_out = out
        moving_mean = sess.run(tf.global_variables("batch_normalization/moving_mean")[0])
    batch_mean = first_out.mean(axis=0)
    print(json.dumps({"bn_output_batch_mean_abs": float(np.abs(batch_mean).mean()),
                      "bn_output_batch_std": float(first_out.std(axis=0).mean()),
                      "moving_mean_abs": float(np.abs(moving_mean).mean()),
                      "moving_mean": moving_mean.tolist()}))


if __name__ == "__main__":
    main()
