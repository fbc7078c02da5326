# expect: BNU003 17:12
# expect-fix: (unsafe) `model(inputs)` becomes `model(inputs, training=training)`, the enclosing function's
#   single training-flag parameter (RULES.md BNU003, Keras layers in graph mode: "a Keras
#   `BatchNormalization` layer (or a model containing one) called without `training`", and its fix "pass
#   the enclosing function's training parameter"; Vocabulary: "a function parameter holds a model when a
#   call of that function in the module [...] passes one"). The learning phase is never set or fed, and
#   the train op depends on the model's updates (BNU006 is silent). The checker is silent. TensorFlow
#   2.21: moving_mean stays 0.0 after 10 steps; with that fix written by hand, 0.51.
import numpy as np
import tensorflow.compat.v1 as tf
import tf_keras

tf.disable_eager_execution()


def forward(model, inputs, training):
    return model(inputs)


x = tf.placeholder(tf.float32, [None, 4])
is_training = tf.placeholder(tf.bool, [])
model = tf_keras.Sequential([tf_keras.layers.Dense(8), tf_keras.layers.BatchNormalization()])
loss = tf.reduce_mean(tf.square(forward(model, x, is_training) - 1.0))
with tf.control_dependencies(model.get_updates_for(x)):
    train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
    for _ in range(10):
        sess.run(train_op, {x: data, is_training: True})
