# "Carries update ops", answered by following values (RULES.md, "Values, not spellings"):
# tuples returned by a helper, a function's return value, collection keys held in module
# constants and dict literals, assignments, nested control_dependencies around a no_op, and a
# loss fetched through a custom collection. Each form has a flagged case and a silent look-alike.

# --- a train op and its update ops returned together as a tuple, unpacked and run together
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(tf.layers.conv2d(images, 8, 3), training=is_training)


def build_train_op(loss):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    return train_op, tf.get_collection(tf.GraphKeys.UPDATE_OPS)


def main(sess, images, is_training):
    loss = tf.reduce_mean(network(images, is_training))
    train_op, update_ops = build_train_op(loss)
    sess.run([train_op, update_ops], feed_dict={is_training: True})

# --- the tuple's second value is the trainable variables: the name update_ops is judged by its binding
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(tf.layers.conv2d(images, 8, 3), training=is_training)


def build_train_op(loss):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU001:16
    return train_op, tf.trainable_variables()


def main(sess, images, is_training):
    loss = tf.reduce_mean(network(images, is_training))
    train_op, update_ops = build_train_op(loss)
    sess.run([train_op, update_ops], feed_dict={is_training: True})

# --- unpacked from a helper's tuple, then grouped into the op that is returned
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def optimize(loss):
    return tf.train.AdamOptimizer(1e-3).minimize(loss), tf.get_collection(tf.GraphKeys.UPDATE_OPS)


def train(images, is_training):
    train_op, update_ops = optimize(tf.reduce_mean(network(images, is_training)))
    return tf.group(train_op, *update_ops)

# --- unpacked from a helper's tuple, but the update ops are dropped
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def optimize(loss):
    return tf.train.AdamOptimizer(1e-3).minimize(loss), tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU001:12


def train(images, is_training):
    train_op, update_ops = optimize(tf.reduce_mean(network(images, is_training)))
    return train_op

# --- the update ops are a helper's return value
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def bn_updates():
    return tf.get_collection(tf.GraphKeys.UPDATE_OPS)


def train(loss):
    with tf.control_dependencies(bn_updates()):
        return tf.train.AdamOptimizer().minimize(loss)

# --- a helper named like update ops that returns the trainable variables
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def get_updates():
    return tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)


def train(loss):
    with tf.control_dependencies(get_updates()):
        return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:16

# --- the collection key is a module constant holding the string "update_ops"
import tensorflow as tf

UPDATE_KEY = "update_ops"


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def train(loss):
    update_ops = tf.get_collection(UPDATE_KEY)
    with tf.control_dependencies(update_ops):
        train_op = tf.train.AdamOptimizer().minimize(loss)
    return train_op

# --- the collection key is a module constant holding another collection's name
import tensorflow as tf

UPDATE_KEY = "updates"


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def train(loss):
    update_ops = tf.get_collection(UPDATE_KEY)
    with tf.control_dependencies(update_ops):
        train_op = tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:20
    return train_op

# --- the collection key is a module constant bound to GraphKeys.UPDATE_OPS
import tensorflow as tf

BN_KEY = tf.GraphKeys.UPDATE_OPS


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def train(loss):
    with tf.control_dependencies(tf.get_collection(BN_KEY)):
        return tf.train.AdamOptimizer().minimize(loss)

# --- the collection key is a module constant bound to GraphKeys.TRAINABLE_VARIABLES
import tensorflow as tf

BN_KEY = tf.GraphKeys.TRAINABLE_VARIABLES


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def train(loss):
    with tf.control_dependencies(tf.get_collection(BN_KEY)):
        return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:16

# --- collection keys in a dict literal, read by subscript
import tensorflow as tf

KEYS = {"bn": tf.GraphKeys.UPDATE_OPS, "weights": tf.GraphKeys.TRAINABLE_VARIABLES}


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def train(loss):
    with tf.control_dependencies(tf.get_collection(KEYS["bn"])):
        return tf.train.AdamOptimizer().minimize(loss)

# --- collection keys in a dict literal, the wrong key read by subscript
import tensorflow as tf

KEYS = {"bn": tf.GraphKeys.UPDATE_OPS, "weights": tf.GraphKeys.TRAINABLE_VARIABLES}


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def train(loss):
    with tf.control_dependencies(tf.get_collection(KEYS["weights"])):
        return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:16

# --- update ops passed along through plain assignments
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def train(loss):
    collected = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    dependencies = collected
    with tf.control_dependencies(dependencies):
        return tf.train.AdamOptimizer().minimize(loss)

# --- trainable variables passed along through plain assignments
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def train(loss):
    collected = tf.trainable_variables()
    dependencies = collected
    with tf.control_dependencies(dependencies):
        return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:16

# --- nested control_dependencies around a no_op: the op that is run depends on both
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def train(loss, global_step):
    optimizer_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    step_update = tf.assign_add(global_step, 1)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        with tf.control_dependencies([optimizer_op, step_update]):
            train_op = tf.no_op(name="train_op")
    return train_op

# --- the same nested no_op is built, but the bare train op is returned
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def train(loss, global_step):
    optimizer_op = tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU001:20
    step_update = tf.assign_add(global_step, 1)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        with tf.control_dependencies([optimizer_op, step_update]):
            train_op = tf.no_op(name="train_op")
    return optimizer_op

# --- the loss that carries the update ops is fetched through a custom collection with the train op
import tensorflow as tf


def tower_loss(images, is_training):
    loss = tf.reduce_mean(tf.layers.batch_normalization(images, training=is_training))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
    tf.add_to_collection("loss", loss)
    return loss


def train(sess, images, is_training):
    train_op = tf.train.AdamOptimizer().minimize(tower_loss(images, is_training))
    sess.run([train_op, tf.get_collection("loss")[0]], feed_dict={is_training: True})

# --- the same collection is fetched only by an evaluation run
import tensorflow as tf


def tower_loss(images, is_training):
    loss = tf.reduce_mean(tf.layers.batch_normalization(images, training=is_training))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
    tf.add_to_collection("loss", loss)
    return loss


def train(sess, images, is_training):
    train_op = tf.train.AdamOptimizer().minimize(tower_loss(images, is_training))  # expect: BNU005:16
    sess.run(train_op, feed_dict={is_training: True})
    return sess.run(tf.get_collection("loss")[0], feed_dict={is_training: False})
