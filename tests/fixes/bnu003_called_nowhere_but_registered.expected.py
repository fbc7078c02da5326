# fix: --unsafe-fixes
# No fix: nothing calls the builders by name, but a registry holds them: whoever calls them passes
# arguments out of sight (here the flag, as `fit_mode`), so no second flag is added.
import tensorflow as tf


def build_deep(inputs, fit_mode):
    return tf.layers.batch_normalization(tf.layers.dense(inputs, 16))


NETWORKS = {"deep": build_deep}
