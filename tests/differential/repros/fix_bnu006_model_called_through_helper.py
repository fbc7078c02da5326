# expect: BNU006 20:12
# expect-fix: (unsafe) wrap the train op in `with tf.control_dependencies(model.updates):` -- `model` is
#   the one Keras model variable in the train op's scope (RULES.md BNU006 fix). The finding has no fix
#   (fix_safety None) because the model is called through `forward(...)`; calling `model(x, training=t)`
#   directly gets the unsafe fix. TensorFlow: frozen (moving_mean stays 0.0) until the fix is applied.
import tensorflow.compat.v1 as tf
import tf_keras

tf.disable_eager_execution()


def forward(model, inputs, training):
    return model(inputs, training=training)


x = tf.placeholder(tf.float32, [None, 4])
is_training = tf.placeholder_with_default(True, shape=())
model = tf_keras.Sequential([tf_keras.layers.Dense(8), tf_keras.layers.BatchNormalization()])
loss = tf.reduce_mean(tf.square(forward(model, x, is_training) - 1.0))
train_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
