# fix: --unsafe-fixes
from torch import nn


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.conv = nn.Conv2d(width, width, 3, padding=1)
        self.norm = nn.BatchNorm2d(width, eps=1e-3, momentum=0.01)
        self.head = nn.BatchNorm1d(width, 1e-5, 0.1)
