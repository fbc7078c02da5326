# expect: BNU006 23:16
# A Keras BatchNormalization created and called in one expression in a TF1 graph (dmzou/RSRAE's
#   `z = BatchNormalization()(z)` in encoder/decoder methods) puts nothing into UPDATE_OPS, so the
#   textbook dependency below does nothing for it. TensorFlow 2.21: frozen (moving_mean stays 0.0
#   after 10 steps); `tf.get_collection(UPDATE_OPS)` is `[]` while a layer bound to a name has two
#   ops in `.updates`. No fix: no name holds this layer's `.updates` (the finding says so).
import numpy as np
import tensorflow.compat.v1 as tf
import tf_keras

tf.disable_eager_execution()

images = tf.placeholder(tf.float32, [None, 4])
targets = tf.placeholder(tf.float32, [None, 1])
is_training = tf.placeholder_with_default(True, [])
hidden = tf_keras.layers.BatchNormalization()(tf.layers.dense(images, 8), training=is_training)
outputs = tf.layers.dense(hidden, 1)
loss = tf.reduce_mean(tf.square(outputs - targets))
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
assert update_ops == []

with tf.control_dependencies(update_ops):
    train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
    labels = data.sum(axis=1, keepdims=True)
    for _ in range(10):
        sess.run(train_op, {images: data, targets: labels})
