# A helper in another module receives the loss and builds a bare train op; batch norm is built here (RULES.md
# "Train ops in helpers": "judged with the sites that reach the argument at that function's callers, in the
# whole project"). TensorFlow 2.21: frozen (moving_mean stays 0.0); after the fix (the helper's statement
# wrapped in training/optim.py) it trains (moving_mean 0.31). The checker reported nothing in either module,
# while the same helper pasted into this module was reported and fixed (the differential form
# model/loss_helper/bare), until a helper's train op was judged with its callers' modules. Found by the
# differential form model/loss_helper/other_module_bare (seed 59).
import numpy as np
import tensorflow as tf

from training.optim import optimize

tf.compat.v1.disable_eager_execution()

x = tf.compat.v1.placeholder(tf.float32, [None, 4])
y = tf.compat.v1.placeholder(tf.float32, [None, 1])
flag = tf.compat.v1.placeholder_with_default(False, ())
h = tf.compat.v1.layers.batch_normalization(tf.compat.v1.layers.dense(x, 8), training=flag)
loss = tf.reduce_mean(tf.square(tf.compat.v1.layers.dense(h, 1) - y))
train_op = optimize(loss)

with tf.compat.v1.Session() as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
    data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
    for _ in range(10):
        sess.run(train_op, {x: data, y: data[:, :1], flag: True})
