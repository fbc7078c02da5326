# expect: BNU001 15:12
# expect-fix: the wrapped statement uses the module's compat.v1 alias `v1` (v1.control_dependencies,
#   v1.get_collection, v1.GraphKeys.UPDATE_OPS) or tf.compat.v1.*; the fixer writes tf.get_collection and
#   tf.GraphKeys, which TF 2.x lacks (AttributeError: module 'tensorflow' has no attribute 'get_collection').
import tensorflow as tf

v1 = tf.compat.v1
v1.disable_eager_execution()

x = v1.placeholder(tf.float32, [None, 4])
is_training = v1.placeholder(tf.bool, [])
h = v1.layers.batch_normalization(v1.layers.dense(x, 8), training=is_training)
loss = tf.reduce_mean(tf.square(h - 1.0))
opt = v1.train.AdamOptimizer(1e-2)
train_op = opt.minimize(loss)
