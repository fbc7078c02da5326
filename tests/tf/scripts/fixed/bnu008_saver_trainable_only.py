# fix: --unsafe-fixes
"""Train, checkpoint with a Saver over the trainable variables only, restore in a fresh graph."""
import json
import os
import shutil
import tempfile

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


def build_graph():
    x = tf.placeholder(tf.float32, [None, 8], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    is_training = tf.placeholder_with_default(False, [], name="is_training")
    h = tf.layers.dense(x, 16, use_bias=False)
    h = tf.layers.batch_normalization(h, training=is_training, name="bn")
    pred = tf.layers.dense(tf.nn.relu(h), 1)
    loss = tf.reduce_mean(tf.square(pred - y))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)
    # Only the weights, to keep checkpoints small.
    saver = tf.train.Saver(tf.trainable_variables() + [
            v for v in tf.global_variables()
            if "moving_mean" in v.name or "moving_variance" in v.name])
    moving_mean = tf.global_variables("bn/moving_mean")[0]
    return x, y, is_training, pred, train_op, saver, moving_mean


def main():
    rng = np.random.RandomState(8)
    checkpoint_dir = tempfile.mkdtemp(prefix="bnu008-")
    checkpoint = os.path.join(checkpoint_dir, "model.ckpt")
    eval_x = rng.normal(3.0, 1.0, size=(64, 8)).astype(np.float32)
    try:
        with tf.Graph().as_default():
            tf.set_random_seed(8)
            x, y, is_training, pred, train_op, saver, moving_mean = build_graph()
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for _ in range(20):
                    xb = rng.normal(3.0, 1.0, size=(32, 8)).astype(np.float32)
                    sess.run(train_op, {x: xb, y: xb[:, :1], is_training: True})
                trained, trained_eval = sess.run([moving_mean, pred], {x: eval_x})
                saver.save(sess, checkpoint)

        with tf.Graph().as_default():
            x, y, is_training, pred, train_op, saver, moving_mean = build_graph()
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                saver.restore(sess, checkpoint)
                restored, restored_eval = sess.run([moving_mean, pred], {x: eval_x})
    finally:
        shutil.rmtree(checkpoint_dir, ignore_errors=True)
    print(json.dumps({"trained_moving_mean_abs": float(np.abs(trained).mean()),
                      "restored_moving_mean_abs": float(np.abs(restored).mean()),
                      "trained_eval_output_mean": float(trained_eval.mean()),
                      "restored_eval_output_mean": float(restored_eval.mean())}))


if __name__ == "__main__":
    main()
