# The fix wraps the train op and changes nothing else (RULES.md's fix guarantees): every
# ``with control_dependencies(...): loss = tf.identity(loss)`` block stays, even one that only
# rebinds the loss and is harmless once the train op depends on the update ops.
import tensorflow as tf


def kept_when_it_only_rebinds_the_loss(x, is_training):
    loss = tf.reduce_mean(tf.layers.batch_normalization(x, training=is_training))
    # Run the batch-norm updates with the loss.
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
        loss = tf.identity(loss)  # twice, as seen in real code
    train_op = tf.train.AdamOptimizer().minimize(loss)
    return train_op


def kept_when_it_does_more(x, is_training):
    loss = tf.reduce_mean(tf.layers.batch_normalization(x, training=is_training))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        loss = tf.identity(loss)
        tf.summary.scalar("loss", loss)
    return tf.train.AdamOptimizer().minimize(loss)


def kept_when_it_rebinds_another_name(x, is_training):
    loss = tf.reduce_mean(tf.layers.batch_normalization(x, training=is_training))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        total = tf.identity(loss)
    return tf.train.AdamOptimizer().minimize(total)


def kept_when_it_is_the_last_statement_of_its_block(x, is_training, go):
    loss = tf.reduce_mean(tf.layers.batch_normalization(x, training=is_training))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    if go:
        with tf.control_dependencies(update_ops):
            loss = tf.identity(loss)
    return tf.train.AdamOptimizer().minimize(loss)


def kept_when_a_comment_ends_the_block(x, is_training):
    loss = tf.reduce_mean(tf.layers.batch_normalization(x, training=is_training))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
        # the block's own comment
    return tf.train.AdamOptimizer().minimize(loss)
