# expect: BNU002 10:82
# expect-fix: `training=False` inside the functools.partial becomes `training=is_training` (the enclosing
#   function's single training-flag parameter, RULES.md BNU002 fix); the fixer leaves it (no fix offered),
#   so the layer built through `bn` never creates update ops.
import functools
import tensorflow.compat.v1 as tf


def network(inputs, is_training):
    bn = functools.partial(tf.layers.batch_normalization, momentum=0.9, training=False)
    return bn(tf.layers.dense(inputs, 8))


def train(loss):
    # It trains (a literal False in a module that trains nothing would be right and silent).
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer().minimize(loss)
