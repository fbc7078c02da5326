# Silent look-alike: the model comes from plain_models.py, without batch norm.
import tensorflow as tf

from plain_models import get_model


def train_step(model, optimizer, images, labels):
    with tf.GradientTape() as tape:
        logits = model(images)
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))


def main(dataset):
    model = get_model()
    optimizer = tf.keras.optimizers.Adam()
    for images, labels in dataset:
        train_step(model, optimizer, images, labels)
