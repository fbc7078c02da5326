import tensorflow as tf

model = tf.keras.Sequential([
    tf.keras.layers.Conv2D(8, 3),
    tf.keras.layers.BatchNormalization(),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(10),
])
plain = tf.keras.Sequential([tf.keras.layers.Dense(10)])
backbone = tf.keras.applications.ResNet50(weights=None)
optimizer = tf.keras.optimizers.Adam()


def train_step(images, labels):
    with tf.GradientTape() as tape:
        logits = model(images)  # expect: BNU007:18
        features = backbone(images)  # expect: BNU007:20
        frozen = model(images, training=False)
        fine = model(images, training=True)
        other = plain(images)
        loss = tf.reduce_mean(logits + features + frozen + fine + other)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))


def evaluate(images):
    return model(images)


class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(4)
        self.norm = tf.keras.layers.BatchNormalization()

    def call(self, x, training=False):
        return self.norm(self.dense(x), training=training)


net = Net()


def custom_loop(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(net(x))  # expect: BNU007:31
    return tape.gradient(loss, net.trainable_variables)


def fitted(x, y):
    model.fit(x, y)


def test_step_copied_from_the_train_step(x):
    # no gradient is taken on this tape: evaluation, where inference mode is right (silent)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(net(x))
    return loss


def train_step_with_a_second_tape(x):
    with tf.GradientTape() as outer:
        loss = tf.reduce_mean(net(x))  # expect: BNU007:31
    return outer.gradient(loss, net.trainable_variables)
