# fix: --unsafe-fixes
import torch
from torch import nn

net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)


def validate():
    net.eval()
    with torch.no_grad():
        return net(torch.randn(16, 4)).mean()


def train():
    net.train()
    for epoch in range(10):
        for x in [torch.randn(16, 4)]:
            optimizer.zero_grad()
            net(x).sum().backward()
            optimizer.step()
        print(epoch, validate())
