"""A small TF1-style classifier with the classic batch-norm bug.

The batch-norm layers put their moving-average updates into tf.GraphKeys.UPDATE_OPS, but the
train op does not depend on them: training accuracy looks fine, and evaluation (which
normalizes with the never-updated moving statistics) collapses.

    python -m flake8 --select BNU examples/
    python -m flake8_bn_update_ops --diff examples/
"""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def conv_block(inputs, filters, is_training, name):
    with tf.variable_scope(name):
        net = tf.layers.conv2d(inputs, filters, 3, padding="same", use_bias=False)
        net = tf.layers.batch_normalization(net, training=is_training)
        return tf.nn.relu(net)


def model(images, is_training):
    net = conv_block(images, 16, is_training, "block1")
    net = tf.layers.max_pooling2d(net, 2, 2)
    net = conv_block(net, 32, is_training, "block2")
    net = tf.reduce_mean(net, axis=[1, 2])
    return tf.layers.dense(net, 10)


def main(steps=100, batch_size=32):
    images = tf.placeholder(tf.float32, [None, 28, 28, 1])
    labels = tf.placeholder(tf.int64, [None])
    is_training = tf.placeholder_with_default(False, [])

    logits = model(images, is_training)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.float32))

    optimizer = tf.train.AdamOptimizer(1e-3)
    train_op = optimizer.minimize(loss, global_step=tf.train.get_or_create_global_step())

    rng = np.random.RandomState(0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(steps):
            x = rng.rand(batch_size, 28, 28, 1).astype(np.float32)
            y = rng.randint(0, 10, batch_size)
            _, train_loss = sess.run([train_op, loss], {images: x, labels: y, is_training: True})
            if step % 20 == 0:
                print(step, train_loss, sess.run(accuracy, {images: x, labels: y}))


if __name__ == "__main__":
    main()
