# expect: BNU004 14:14
# expect-fix: the read moves into `with graph.as_default():`, just before the `control_dependencies` block that
#   uses it. Measured (TensorFlow 2.21, tests/differential/runner.py, four runs each): as written the list holds
#   the default graph's update ops (none) and moving_mean stays 0.0; fixed, moving_mean is 0.14 to 0.30 after 5
#   steps. The `get_collection_ref` fix the checker offered here before keeps reading the default graph:
#   moving_mean 0.0.
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()

graph = tf.Graph()
# The read is made before the graph the layers go to is the default one.
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with graph.as_default():
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 4])
    is_training = tf.placeholder_with_default(False, [])
    h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=is_training)
    loss = tf.reduce_mean(tf.square(h - 1.0))
    with tf.control_dependencies(update_ops):
        train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)
    init = tf.global_variables_initializer()

rng = np.random.RandomState(0)
with tf.Session(graph=graph) as sess:
    sess.run(init)
    for _ in range(5):
        sess.run(train_op, {x: rng.normal(3.0, 1.0, (32, 4)), is_training: True})
