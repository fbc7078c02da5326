# fix: --unsafe-fixes
import tensorflow as tf

base = tf.keras.applications.EfficientNetB0(include_top=False, weights="imagenet", pooling="avg")
base.trainable = False

inputs = tf.keras.Input((224, 224, 3))
features = base(inputs)
outputs = tf.keras.layers.Dense(5, activation="softmax")(features)
model = tf.keras.Model(inputs, outputs)
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(train_ds, epochs=3)

base.trainable = True
model.compile(tf.keras.optimizers.Adam(1e-5), "sparse_categorical_crossentropy")
model.fit(train_ds, epochs=3)
