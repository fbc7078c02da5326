import jax
import keras

model = keras.Sequential([
    keras.Input((16,)),
    keras.layers.Dense(32),
    keras.layers.BatchNormalization(),
    keras.layers.Dense(1),
])


def compute_loss(trainable, non_trainable, x, y):
    pred, non_trainable = model.stateless_call(
        trainable,
        non_trainable,
        x,
        training=True,
    )
    return keras.ops.mean((pred - y) ** 2), non_trainable


@jax.jit
def train_step(state, x, y):
    trainable, non_trainable, opt_vars = state
    (loss, non_trainable), grads = jax.value_and_grad(compute_loss, has_aux=True)(trainable, non_trainable, x, y)
    return loss, (trainable, non_trainable, opt_vars)
