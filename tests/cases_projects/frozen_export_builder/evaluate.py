# Silent look-alike: an evaluation module, which trains nothing either, uses the same builder.
import tensorflow as tf

from export_net import inference_net


def evaluate(images, labels):
    logits = inference_net(images)
    return tf.metrics.mean_squared_error(labels, logits)
