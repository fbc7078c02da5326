# expect: BNU006 28:16
# expect-fix: (unsafe) wrap the train op in `with tf.control_dependencies(student.get_updates_for(images)):`:
#   two Keras models with batch norm are in the train op's scope, and only `student` is called on the way
#   to its loss (the evaluator's loss provenance); `teacher`'s own train op already runs its updates. Before,
#   the fix was refused ("not exactly one Keras 2 model or layer can be named"). TensorFlow 2.21: partial
#   (the student's moving_mean stays 0.0 after 10 steps, the teacher's 0.59); fixed, 0.48 and 0.51.
import numpy as np
import tensorflow.compat.v1 as tf
import tf_keras

tf.disable_eager_execution()

images = tf.placeholder(tf.float32, [None, 4])
targets = tf.placeholder(tf.float32, [None, 1])
teacher = tf_keras.Sequential([tf_keras.layers.Dense(8), tf_keras.layers.BatchNormalization(),
                               tf_keras.layers.Dense(1)])
student = tf_keras.Sequential([tf_keras.layers.Dense(8), tf_keras.layers.BatchNormalization(),
                               tf_keras.layers.Dense(1)])

teacher_loss = tf.reduce_mean(tf.square(teacher(images, training=True) - targets))
with tf.control_dependencies(teacher.get_updates_for(images)):
    teacher_step = tf.train.AdamOptimizer(1e-2).minimize(teacher_loss)

# The student learns the teacher's outputs, held fixed.
soft_targets = tf.stop_gradient(teacher(images, training=False))
student_loss = tf.reduce_mean(tf.square(student(images, training=True) - soft_targets))
optimizer = tf.train.AdamOptimizer(1e-2)
student_step = optimizer.minimize(student_loss, var_list=student.trainable_variables)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
    labels = data.sum(axis=1, keepdims=True)
    for _ in range(10):
        sess.run([teacher_step, student_step], {images: data, targets: labels})
