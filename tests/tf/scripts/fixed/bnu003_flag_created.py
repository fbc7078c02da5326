# fix: --unsafe-fixes
"""No training flag anywhere: the fix creates one where the train op runs, feeds it True there, and threads it down."""
import json

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


def model(x, training=False):
    h = tf.layers.dense(x, 16, use_bias=False)
    features = tf.layers.batch_normalization(h, training=training)
    logits = tf.layers.dense(tf.nn.relu(features), 1)
    return logits, features


def main():
    tf.set_random_seed(5)
    rng = np.random.RandomState(5)
    x = tf.placeholder(tf.float32, [None, 8])
    y = tf.placeholder(tf.float32, [None, 1])

    training = tf.placeholder_with_default(False, shape=(), name="training")
    logits, features = model(x, training=training)
    loss = tf.reduce_mean(tf.square(logits - y))
    global_step = tf.train.get_or_create_global_step()
    optimizer = tf.train.AdamOptimizer(1e-2)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = optimizer.minimize(loss, global_step=global_step)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(20):
            xb = rng.normal(3.0, 1.0, size=(32, 8)).astype(np.float32)
            _, out = sess.run([train_op, features], {x: xb, y: xb[:, :1],
                                                     training: True})
            if step == 0:
                # beta is still 0 in the first step: a batch-normalized output has batch mean 0 here.
                first_out = out
        moving_mean = sess.run(tf.global_variables("batch_normalization/moving_mean")[0])
    batch_mean = first_out.mean(axis=0)
    print(json.dumps({"bn_output_batch_mean_abs": float(np.abs(batch_mean).mean()),
                      "bn_output_batch_std": float(first_out.std(axis=0).mean()),
                      "moving_mean_abs": float(np.abs(moving_mean).mean()),
                      "moving_mean": moving_mean.tolist()}))


if __name__ == "__main__":
    main()
