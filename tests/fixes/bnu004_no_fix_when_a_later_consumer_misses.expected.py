import tensorflow.compat.v1 as tf

# The read feeds two train ops: _ref would cure the first (its layers come before the
# control_dependencies) but not the second (a run consumes the list before its layers exist).
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
net = tf.layers.batch_normalization(tf.placeholder(tf.float32), training=tf.placeholder(tf.bool))
with tf.control_dependencies(update_ops):
    train_op = tf.train.AdamOptimizer().minimize(net)
with tf.Session() as sess:
    sess.run([train_op, update_ops])

net2 = tf.layers.batch_normalization(net, training=tf.placeholder(tf.bool))
train_op2 = tf.train.AdamOptimizer().minimize(net2)
