# A training module builds its network with the export script's builder: the hard-coded False
# is reported at this call.
import tensorflow as tf

from export_net import inference_net


def train(images, labels):
    logits = inference_net(images)  # expect: BNU002:14
    loss = tf.losses.mean_squared_error(labels, logits)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)
