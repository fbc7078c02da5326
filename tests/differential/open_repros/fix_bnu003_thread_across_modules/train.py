# The flag lives nowhere and the builder is in another module (issue 25, item 2: "Across modules too (the
# builder in one module, the graph in another)"). The checker reports BNU003 in blocks/common.py and offers no
# fix: "the site's function is called only from other modules (or not at all): the flag is not threaded across
# modules". TensorFlow 2.21: frozen (moving_mean stays 0.0); the same program with the builder pasted into this
# module is fixed by --fix --unsafe-fixes and trains (the differential form flag/nowhere_two_deep).
# Found by the differential form flag/nowhere_other_module.
import numpy as np
import tensorflow.compat.v1 as tf

from blocks.common import dense_bn

tf.disable_eager_execution()


def network(inputs):
    return tf.layers.dense(dense_bn(inputs, 8), 1)


def main():
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.float32, [None, 1])
    loss = tf.reduce_mean(tf.square(network(x) - y))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
        for _ in range(10):
            sess.run(train_op, {x: data, y: data[:, :1]})


if __name__ == "__main__":
    main()
