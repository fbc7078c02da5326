# fix: --unsafe-fixes
import tensorflow as tf

tf.compat.v1.disable_eager_execution()

noise = tf.compat.v1.placeholder(tf.float32, [None, 4])
generator = tf.keras.Sequential([tf.keras.layers.Dense(4), tf.keras.layers.BatchNormalization()])
critic = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization(),
                              tf.keras.layers.Dense(1)])
# Both models make updates on the way to this loss: which ones the step should run is not one name.
generator_loss = -tf.reduce_mean(critic(generator(noise, training=True), training=True))
generator_step = tf.compat.v1.train.AdamOptimizer(0.01).minimize(
    generator_loss, var_list=generator.trainable_variables)
