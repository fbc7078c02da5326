# fix: --unsafe-fixes
import tensorflow as tf

tf.compat.v1.disable_eager_execution()

images = tf.compat.v1.placeholder(tf.float32, [None, 4])
labels = tf.compat.v1.placeholder(tf.float32, [None, 1])
encoder = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
critic = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization(),
                              tf.keras.layers.Dense(1)])
codes = encoder(images, training=True)
encoder_loss = tf.reduce_mean(tf.square(codes))
critic_loss = tf.reduce_mean(tf.square(critic(images, training=True) - labels))
with tf.compat.v1.control_dependencies(encoder.get_updates_for(images)):
    encoder_step = tf.compat.v1.train.AdamOptimizer(0.01).minimize(encoder_loss)
with tf.compat.v1.control_dependencies(critic.get_updates_for(images)):
    critic_step = tf.compat.v1.train.AdamOptimizer(0.01).minimize(critic_loss)
