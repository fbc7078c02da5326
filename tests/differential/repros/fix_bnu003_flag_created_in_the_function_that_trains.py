# expect: BNU003 15:14
# expect-fix: (unsafe) the function that builds the graph also runs its train op and no caller has a
#   flag: `training = tf.placeholder_with_default(False, shape=(), name="training")` is created just
#   before the batch norm's statement, passed as `training=training`, and the run of the train op
#   feeds `training: True` (issue 25 item 2: "at the top, create it once [...] and feed True in every
#   run that runs the train op"). TensorFlow 2.21: moving_mean stays
#   0.0 after 10 steps; with the fix, 0.41. Refused before ("no caller within 3 calls has a training
#   flag"): the module-level call has none.
import numpy as np
import tensorflow.compat.v1 as tf


def train(steps):
    x = tf.placeholder(tf.float32, [None, 4])
    hidden = tf.layers.batch_normalization(tf.layers.dense(x, 8))
    loss = tf.reduce_mean(tf.square(hidden - 1.0))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
        for _ in range(steps):
            sess.run(train_op, {x: data})


tf.disable_eager_execution()
train(10)
