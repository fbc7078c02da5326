import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(4), tf.keras.layers.BatchNormalization()])


def step(x, extra):
    with tf.GradientTape() as tape:
        a = model(x, training=True)
        b = model(
            x,
            training=True
        )
        c = model(x, **extra)
        loss = tf.reduce_mean(a + b + c)
    return tape.gradient(loss, model.trainable_variables)
