# --- validate() switches to eval(), the epoch loop never switches back: flagged in validate()
import torch
from torch import nn

net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)


def validate():
    net.eval()  # expect: BNU102:5
    with torch.no_grad():
        return net(torch.randn(16, 4)).mean()


def train():
    net.train()
    for epoch in range(10):
        for x in [torch.randn(16, 4)]:
            optimizer.zero_grad()
            net(x).sum().backward()
            optimizer.step()
        validate()

# --- train() at the top of every epoch: silent
import torch
from torch import nn

net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)


def validate():
    net.eval()
    with torch.no_grad():
        return net(torch.randn(16, 4)).mean()


def train_epoch():
    net.train()
    for x in [torch.randn(16, 4)]:
        optimizer.zero_grad()
        net(x).sum().backward()
        optimizer.step()


def train():
    for epoch in range(10):
        train_epoch()
        validate()

# --- eval() inside the batch loop for periodic validation, train() after it: silent
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.train()
for step, x in enumerate([torch.randn(16, 4)] * 100):
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()
    if step % 10 == 0:
        model.eval()
        with torch.no_grad():
            model(torch.randn(16, 4))
        model.train()

# --- the same without the train(): flagged
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.train()
for step, x in enumerate([torch.randn(16, 4)] * 100):
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()
    if step % 10 == 0:
        model.eval()  # expect: BNU102:9
        with torch.no_grad():
            model(torch.randn(16, 4))

# --- eval() once before training, to keep batch norm frozen: silent (deliberate)
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.eval()
for epoch in range(3):
    for x in [torch.randn(16, 4)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()

# --- a model without batch norm: silent
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(3):
    for x in [torch.randn(16, 4)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
    model.eval()
