# fix: --unsafe-fixes
import flax.linen as nn
from tensorflow import keras

tf_block = keras.Sequential([
    keras.layers.Conv2D(32, 3),
    keras.layers.BatchNormalization(momentum=0.1, epsilon=1e-5),
    keras.layers.BatchNormalization(momentum=0.99),
])


class Block(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Conv(32, (3, 3))(x)
        return nn.BatchNorm(not train, -1, 0.05)(x)
