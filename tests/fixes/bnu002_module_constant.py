# fix: --unsafe-fixes
import numpy as np
import tensorflow as tf

training = True

images = tf.placeholder(tf.float32, [None, 4])
hidden = tf.layers.batch_normalization(tf.layers.dense(images, 8), training=training)
loss = tf.reduce_mean(tf.square(hidden))
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    feed = {images: np.random.rand(4, 4)}
    for step in range(3):
        sess.run(train_op, feed_dict=feed)
    print(sess.run(loss, feed_dict=feed))
