# An export script: it trains nothing, so its literal False is right here.
import tensorflow as tf
import tensorflow.contrib.slim as slim


def inference_net(images):
    net = slim.conv2d(images, 16, 3)
    return slim.batch_norm(net, is_training=False)


def export(checkpoint):
    images = tf.placeholder(tf.float32, [None, 32, 32, 3], name="input")
    inference_net(images)
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, checkpoint)
        tf.train.write_graph(sess.graph_def, ".", "frozen.pbtxt")
