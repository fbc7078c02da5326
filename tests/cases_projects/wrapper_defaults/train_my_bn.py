# The network has the flag at hand and calls my_bn(h) without it: the default True trains and
# evaluates with batch statistics (BNU002 at the call, where the fix passes the flag).
import tensorflow as tf

from layers_util import my_bn


def network(x, is_training):
    h = tf.layers.dense(x, 16)
    h = my_bn(h)  # expect: BNU002:9
    return tf.layers.dense(h, 1)


x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.float32, [None, 1])
is_training = tf.placeholder_with_default(False, ())
loss = tf.reduce_mean(tf.square(network(x, is_training) - y))
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
with tf.Session() as sess:
    sess.run(train_op, {is_training: True})
