"""Training with gradient clipping: compute_gradients, clip, apply_gradients (TF1 graph mode)."""
import json

import numpy as np
import tensorflow as tf
import tensorflow.compat.v1 as tf1

tf1.disable_eager_execution()

CLIP_NORM = 5.0


def conv_net(images, is_training):
    net = tf1.layers.conv2d(images, 8, 3, padding="same", use_bias=False)
    net = tf1.layers.batch_normalization(net, training=is_training, name="conv_bn")
    net = tf.nn.relu(net)
    net = tf.reduce_mean(net, axis=[1, 2])
    return tf1.layers.dense(net, 3)


def main():
    tf1.set_random_seed(2)
    rng = np.random.RandomState(2)
    images = tf1.placeholder(tf.float32, [None, 6, 6, 2])
    labels = tf1.placeholder(tf.int32, [None])
    is_training = tf1.placeholder(tf.bool, [])
    global_step = tf1.train.get_or_create_global_step()

    logits = conv_net(images, is_training)
    loss = tf1.losses.sparse_softmax_cross_entropy(labels, logits)
    optimizer = tf1.train.MomentumOptimizer(0.01, momentum=0.9)
    grads_and_vars = optimizer.compute_gradients(loss)
    clipped = [(tf.clip_by_norm(g, CLIP_NORM), v) for g, v in grads_and_vars]
    with tf1.control_dependencies(
            tf1.get_collection(tf1.GraphKeys.UPDATE_OPS)):
        train_op = optimizer.apply_gradients(clipped, global_step=global_step)

    moving_mean = tf1.global_variables("conv_bn/moving_mean")[0]
    with tf1.Session() as sess:
        sess.run(tf1.global_variables_initializer())
        for _ in range(20):
            batch = rng.normal(3.0, 1.0, size=(16, 6, 6, 2)).astype(np.float32)
            batch_labels = rng.randint(0, 3, size=16)
            sess.run(train_op, {images: batch, labels: batch_labels, is_training: True})
        value, step = sess.run([moving_mean, global_step])
    print(json.dumps({"moving_mean_abs": float(np.abs(value).mean()), "moving_mean": value.tolist(),
                      "global_step": int(step)}))


if __name__ == "__main__":
    main()
