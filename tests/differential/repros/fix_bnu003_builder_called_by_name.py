# expect: BNU003 15:12
# expect-fix: (unsafe) the builder is called only by name (a string-named dispatch the analysis cannot
#   follow), so nothing in the project calls it: it gets `training=False`, what it does today, passed at the
#   site, and the command's note asks its callers to pass `training=True` where the training graph is
#   built (issue 25 item 2: "the top gets the flag parameter itself with a behaviour-keeping default").
#   TensorFlow 2.21: moving_mean 0.0 after 10 steps, and 0.0 with the fix (the default keeps this call as
#   it was); with the call passing `training=True`, as the note asks, 0.38. Refused before ("called nowhere").
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


def dense_bn(inputs):
    return tf.layers.batch_normalization(tf.layers.dense(inputs, 8))


x = tf.placeholder(tf.float32, [None, 4])
builder = globals()["dense_bn"]
loss = tf.reduce_mean(tf.square(builder(x) - 1.0))
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
    for _ in range(10):
        sess.run(train_op, {x: data})
