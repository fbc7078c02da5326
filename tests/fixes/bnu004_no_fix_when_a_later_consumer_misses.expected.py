import tensorflow.compat.v1 as tf

# The read feeds two train ops: _ref would cure the first (its layers come before the
# control_dependencies) but not the second (its block consumes the list before the layers
# built inside it exist).
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
net = tf.layers.batch_normalization(tf.placeholder(tf.float32), training=tf.placeholder(tf.bool))
with tf.control_dependencies(update_ops):
    train_op = tf.train.AdamOptimizer().minimize(net)

with tf.control_dependencies(update_ops):
    net2 = tf.layers.batch_normalization(net, training=tf.placeholder(tf.bool))
    train_op2 = tf.train.AdamOptimizer().minimize(net2)
