import tensorflow as tf

import models

# A script's serving graph two modules above the batch norm: no function to take a flag, no flag
# and no train op to pass one from.
images = tf.placeholder(tf.float32, [None, 8, 8, 1], name="images")
logits = models.classifier(images)
