# --- the guide's two phases, base called without training=False (Keras 3: no fix offered)
import keras

base = keras.applications.Xception(weights="imagenet", include_top=False, input_shape=(150, 150, 3))
base.trainable = False
inputs = keras.Input(shape=(150, 150, 3))
x = keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs)
x = base(x)  # expect: BNU201:5
x = keras.layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, keras.layers.Dense(1)(x))
model.compile(optimizer=keras.optimizers.Adam(), loss="binary_crossentropy")
model.fit(train_ds, epochs=20, validation_data=validation_ds)
base.trainable = True
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="binary_crossentropy")
model.fit(train_ds, epochs=10, validation_data=validation_ds)
# --- the same with training=False: silent
import keras

base = keras.applications.Xception(weights="imagenet", include_top=False, input_shape=(150, 150, 3))
base.trainable = False
inputs = keras.Input(shape=(150, 150, 3))
x = base(inputs, training=False)
model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.GlobalAveragePooling2D()(x)))
model.fit(train_ds, epochs=20)
base.trainable = True
model.fit(train_ds, epochs=10)
# --- a base the project builds with batch norm, unfrozen layer by layer in a function
import tensorflow as tf


def make_encoder():
    inputs = tf.keras.Input((32, 32, 3))
    x = tf.keras.layers.Conv2D(16, 3)(inputs)
    x = tf.keras.layers.BatchNormalization()(x)
    return tf.keras.Model(inputs, tf.keras.layers.GlobalAveragePooling2D()(x))


encoder = make_encoder()
encoder.trainable = False
inputs = tf.keras.Input((32, 32, 3))
classifier = tf.keras.Model(inputs, tf.keras.layers.Dense(10)(encoder(inputs)))  # expect: BNU201:63


def fine_tune(data):
    for layer in encoder.layers[-2:]:
        layer.trainable = True
    classifier.compile("adam", "sparse_categorical_crossentropy")
    classifier.fit(data, epochs=2)
# --- frozen and never unfrozen: batch norm stays in inference mode, silent
import keras

base = keras.applications.MobileNetV2(include_top=False, pooling="avg")
base.trainable = False
inputs = keras.Input((224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(3)(base(inputs)))
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(train_ds, epochs=5)
# --- never frozen: end-to-end training, silent
import keras

base = keras.applications.ResNet50V2(include_top=False, pooling="avg")
base.trainable = True
inputs = keras.Input((224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(3)(base(inputs)))
model.fit(train_ds, epochs=5)
# --- no batch norm in the base (VGG19), silent
import keras

base = keras.applications.VGG19(include_top=False, pooling="avg")
base.trainable = False
inputs = keras.Input((224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(3)(base(inputs)))
model.fit(train_ds)
base.trainable = True
model.fit(train_ds)
# --- unfrozen, but every batch-norm layer is kept frozen: silent
import keras

base = keras.applications.EfficientNetB0(include_top=False, pooling="avg")
base.trainable = False
inputs = keras.Input((224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(3)(base(inputs)))
model.fit(train_ds)
base.trainable = True
for layer in base.layers:
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = False
model.fit(train_ds)
# --- the base called in a GradientTape block is BNU007's, not BNU201's
import tensorflow as tf

base = tf.keras.applications.ResNet50(include_top=False, pooling="avg")
base.trainable = False
head = tf.keras.layers.Dense(10)
optimizer = tf.keras.optimizers.Adam()
base.trainable = True


def step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(head(base(x)) - y))  # expect: BNU007:46
    variables = base.trainable_variables + head.trainable_variables
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
# --- the base's own graph reused (`base.input`/`base.output`): no call to protect, flagged at the reuse
import tensorflow as tf
from tensorflow import keras

base_model = tf.keras.applications.MobileNetV3Small(input_shape=(224, 224, 3), include_top=False)
base_model.trainable = False
x = keras.layers.GlobalAveragePooling2D()(base_model.output)
outputs = keras.layers.Dense(4, activation="softmax")(x)
model = keras.Model(inputs=base_model.input, outputs=outputs)  # expect: BNU201:28
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(train_ds, epochs=15)
base_model.trainable = True
model.compile(keras.optimizers.Adam(1e-5), "sparse_categorical_crossentropy")
model.fit(train_ds, epochs=10)
# --- an eager call on a real batch (a shape check) is not the trained graph; the model's call passes training=False
import tensorflow as tf

base_model = tf.keras.applications.ResNet152V2(input_shape=(224, 224, 3), include_top=False)
image_batch, label_batch = next(iter(train_dataset))
feature_batch = base_model(image_batch)
base_model.trainable = False
inputs = tf.keras.Input(shape=(224, 224, 3))
x = tf.keras.applications.densenet.preprocess_input(inputs)
x = base_model(x, training=False)
model = tf.keras.Model(inputs, tf.keras.layers.Dense(3)(tf.keras.layers.GlobalAveragePooling2D()(x)))
model.fit(train_dataset, epochs=10)
base_model.trainable = True
for layer in base_model.layers[:670]:
    layer.trainable = False
model.fit(train_dataset, epochs=20)
