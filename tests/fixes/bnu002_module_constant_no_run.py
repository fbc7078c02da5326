# fix: --unsafe-fixes
# Refused: the module trains nothing, so there is no run to feed a placeholder True in.
import tensorflow as tf

training = True

images = tf.placeholder(tf.float32, [None, 4])
features = tf.layers.batch_normalization(tf.layers.dense(images, 8), training=training)
