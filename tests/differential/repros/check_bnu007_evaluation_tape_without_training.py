# expect: silent
# A test step copied from the train step: a GradientTape on which no gradient is taken is evaluation (RULES.md
# "Evaluation in a tape"), and a Keras model called there without `training` runs in inference mode (graph
# mode: the learning phase defaults to 0), which is right for evaluation. TensorFlow 2.21: the moving means
# train (0.0 -> 0.49, max |value|) and shifting them by 1000 changes the test loss (it normalizes with them).
# The checker reported BNU007 at 27:16 ("its moving statistics never update"); fixed: BNU007 skips a call
# in an evaluation tape. Found by the differential form model/tape_test_step/test_training_missing.
import numpy as np
import tensorflow as tf

v1 = tf.compat.v1
v1.disable_eager_execution()

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization(), tf.keras.layers.Dense(1)])


def train_step(inputs, targets, optimizer):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(inputs, training=True) - targets))
    grads = tape.gradient(loss, model.trainable_variables)
    with v1.control_dependencies(model.get_updates_for(inputs)):
        return optimizer.apply_gradients(zip(grads, model.trainable_variables))


def test_step(inputs, targets):
    with tf.GradientTape() as tape:
        pred = model(inputs)
        loss = tf.reduce_mean(tf.square(pred - targets))
    return loss


x = v1.placeholder(tf.float32, [None, 4])
y = v1.placeholder(tf.float32, [None, 1])
train_op = train_step(x, y, v1.train.AdamOptimizer(1e-3))
test_loss = test_step(x, y)
with v1.Session() as sess:
    sess.run(v1.global_variables_initializer())
    data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
    for _ in range(10):
        sess.run(train_op, {x: data, y: data[:, :1]})
    print(sess.run(test_loss, {x: data, y: data[:, :1]}))
