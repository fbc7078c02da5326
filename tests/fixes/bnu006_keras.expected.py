# fix: --unsafe-fixes
import tensorflow as tf
import tf_keras as keras

tf.compat.v1.disable_eager_execution()
model = keras.Sequential([keras.layers.Dense(4), keras.layers.BatchNormalization()])
x = tf.compat.v1.placeholder(tf.float32, [None, 3])
loss = tf.reduce_mean(model(x, training=True))
with tf.control_dependencies(model.get_updates_for(x)):
    train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)
