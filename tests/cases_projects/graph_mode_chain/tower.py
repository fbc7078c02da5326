# No graph-mode marker here: the Keras batch norm runs in graph mode because estimator_train.py's
# model_fn calls it, so the call without `training` reads the learning phase (BNU003).
import tensorflow as tf


def build(features):
    h = tf.keras.layers.Dense(8)(features)
    return tf.keras.layers.BatchNormalization()(h)  # expect: BNU003:12
