# Re-exports, so that `from nets import conv_bn` reaches nets/resnet.py.
from .plain import conv_dropout
from .resnet import conv_bn
