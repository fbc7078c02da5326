# --- Keras's decay written as PyTorch's momentum: flagged
import torch
from torch import nn

DECAY = 0.99


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(16, momentum=0.9)  # expect: BNU104:48
        self.bn2 = torch.nn.BatchNorm1d(16, 1e-5, 0.8)  # expect: BNU104:51
        self.bn3 = nn.SyncBatchNorm(16, momentum=DECAY)  # expect: BNU104:50

# --- PyTorch's own values, None (cumulative), 1 (latest batch only), Keras's layer: silent
import tensorflow as tf
from torch import nn

a = nn.BatchNorm2d(16, momentum=0.1)
b = nn.BatchNorm2d(16, momentum=0.01)
c = nn.BatchNorm2d(16, momentum=None)
d = nn.BatchNorm2d(16, momentum=1.0)
e = nn.BatchNorm2d(16)
f = tf.keras.layers.BatchNormalization(momentum=0.9)
