# Keras batch-norm subclasses: one puts its updates into UPDATE_OPS in graph mode, one does not.
import tensorflow as tf


class CollectedBatchNorm(tf.keras.layers.BatchNormalization):
    def call(self, inputs, training=None):
        outputs = super().call(inputs, training=training)
        if training and not tf.executing_eagerly():
            for update in self.updates:
                tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.UPDATE_OPS, update)
        return outputs


class NamedBatchNorm(tf.keras.layers.BatchNormalization):
    def __init__(self, **kwargs):
        kwargs.setdefault("name", "tpu_batch_normalization")
        super().__init__(**kwargs)
