import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(4), tf.keras.layers.BatchNormalization()])


def step(x, extra):
    with tf.GradientTape() as tape:
        a = model(x)
        b = model(
            x
        )
        c = model(x, **extra)
        loss = tf.reduce_mean(a + b + c)
    return tape.gradient(loss, model.trainable_variables)
