# --- set_bn_eval through apply before the epoch loop, whose train() undoes it: flagged
import torch
import torchvision


def set_bn_eval(m):
    classname = m.__class__.__name__
    if classname.find("BatchNorm") != -1:
        m.eval()


model = torchvision.models.resnet18()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.apply(set_bn_eval)  # expect: BNU106:1
for epoch in range(3):
    model.train()
    for x in [torch.randn(2, 3, 32, 32)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()

# --- the same apply right after each train(): silent
import torch
import torchvision


def set_bn_eval(m):
    classname = m.__class__.__name__
    if classname.find("BatchNorm") != -1:
        m.eval()


model = torchvision.models.resnet18()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(3):
    model.train()
    model.apply(set_bn_eval)
    for x in [torch.randn(2, 3, 32, 32)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()

# --- a freeze_bn method called once, then train_one_epoch() starts with model.train(): flagged
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Flatten(), nn.LazyLinear(2))

    def forward(self, x):
        return self.body(x)

    def freeze_bn(self):
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eval()


def train_one_epoch(model, optimizer):
    model.train()
    for x in [torch.randn(2, 3, 8, 8)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()


net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
net.freeze_bn()  # expect: BNU106:1
for epoch in range(3):
    train_one_epoch(net, opt)

# --- the freeze of the inner module after the outer model's train(), every validation: silent
import torch
from torch import nn

model = nn.DataParallel(nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8)))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.train()
for step in range(100):
    optimizer.zero_grad()
    model(torch.randn(2, 3, 8, 8)).sum().backward()
    optimizer.step()
    if step % 10 == 0:
        model.eval()
        model.train()
        for m in model.module.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eval()

# --- a freeze in the constructor of a class without a train override: flagged
from torch import nn


class Backbone(nn.Module):
    def __init__(self, freeze_bn=True):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
        if freeze_bn:
            self.freeze_bn()  # expect: BNU106:13

    def freeze_bn(self):
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eval()

# --- the same class re-freezing in a train override: silent
from torch import nn


class Backbone(nn.Module):
    def __init__(self, freeze_bn=True):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
        if freeze_bn:
            self.freeze_bn()

    def freeze_bn(self):
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eval()

    def train(self, mode=True):
        super().train(mode)
        self.freeze_bn()
        return self
