# expect: BNU006 27:20
# expect-fix: (unsafe) after `outputs = model(inputs, training=True)` in `build_model`, add the model's
#   `get_updates_for(inputs)` to UPDATE_OPS: the train op cannot name `model` (a local of the nested
#   helper, the shape of an Estimator model_fn's `build_model`), but it already depends on
#   `get_collection(UPDATE_OPS)`, read after the helper ran, which holds nothing for Keras. Before,
#   the fix was refused ("not exactly one Keras 2 model or layer can be named"). TensorFlow 2.21:
#   frozen (moving_mean stays 0.0 after 10 steps, every run); fixed, trains (0.33 to 0.57 over five runs:
#   the Dense initialization is not seeded).
import numpy as np
import tensorflow.compat.v1 as tf
import tf_keras

tf.disable_eager_execution()


def train_graph(images, targets):
    def build_model(inputs):
        model = tf_keras.Sequential([tf_keras.layers.Dense(8), tf_keras.layers.BatchNormalization(),
                                     tf_keras.layers.Dense(1)])
        outputs = model(inputs, training=True)
        return outputs

    outputs = build_model(images)
    loss = tf.reduce_mean(tf.square(outputs - targets))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)
    return train_op


images = tf.placeholder(tf.float32, [None, 4])
targets = tf.placeholder(tf.float32, [None, 1])
step = train_graph(images, targets)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
    labels = data.sum(axis=1, keepdims=True)
    for _ in range(10):
        sess.run(step, {images: data, targets: labels})
