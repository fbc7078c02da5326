# expect: BNU001 7:12 (the train op in the helper, fixed by wrapping that statement). See ../train.py.
import tensorflow as tf


def optimize(loss):
    solver = tf.compat.v1.train.AdamOptimizer(1e-3)
    return solver.minimize(loss)
