# fix: --unsafe-fixes
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))

    def forward(self, x):
        return self.body(x).mean((1, 2, 3))


def evaluate(net, batches):
    """Mean output over the batches."""
    scores = [net(x) for x in batches]
    return torch.cat(scores).mean()


def main():
    net = Net()
    optimizer = torch.optim.Adam(net.parameters())
    for x in [torch.randn(2, 3, 8, 8)]:
        optimizer.zero_grad()
        net(x).mean().backward()
        optimizer.step()
    print(evaluate(net, [torch.randn(2, 3, 8, 8)]))
