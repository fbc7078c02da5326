import tensorflow.compat.v1 as tfv1
import numpy as np

def train(x, is_training):
	h = tfv1.layers.batch_normalization(x, training=is_training)
	with tfv1.control_dependencies(
			tfv1.get_collection(tfv1.GraphKeys.UPDATE_OPS)):
		return tfv1.train.AdamOptimizer().minimize(tfv1.reduce_mean(h))
