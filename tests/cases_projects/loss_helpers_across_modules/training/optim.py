# A helper whose loss is a parameter builds a bare train op; train_bn.py hands it a loss through
# batch norm and does not wrap the call: BNU001 here, where the fix goes (RULES.md "Train ops in
# helpers": judged with the sites at the function's callers, in the whole project).
import tensorflow as tf


def optimize(loss):
    return tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU001:12
