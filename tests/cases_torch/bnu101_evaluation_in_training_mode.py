# --- validation inside the epoch loop, batches trained in an inner loop: flagged
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(3):
    model.train()
    for x in [torch.randn(16, 4)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
    with torch.no_grad():
        accuracy = model(torch.randn(16, 4)).argmax(1)  # expect: BNU101:20

# --- the same with eval() before validation: silent
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(3):
    model.train()
    for x in [torch.randn(16, 4)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = model(torch.randn(16, 4)).argmax(1)

# --- a project class with batch norm in a submodule, validated in validate(): flagged
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.norm = nn.BatchNorm2d(width)

    def forward(self, x):
        return self.norm(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3), Block(8))

    def forward(self, x):
        return self.features(x)


def validate(net, batches):
    total = 0.0
    for x in batches:
        total += net(x).mean().item()  # expect: BNU101:18
    return total


def main():
    net = Net()
    optimizer = torch.optim.Adam(net.parameters())
    for x in [torch.randn(2, 3, 8, 8)]:
        optimizer.zero_grad()
        net(x).mean().backward()
        optimizer.step()
    validate(net, [torch.randn(2, 3, 8, 8)])

# --- the caller switches to eval() before validate(): silent
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.BatchNorm1d(4)

    def forward(self, x):
        return self.norm(x)


def validate(net, batches):
    return [net(x) for x in batches]


def main():
    net = Net()
    optimizer = torch.optim.Adam(net.parameters())
    for x in [torch.randn(2, 4)]:
        optimizer.zero_grad()
        net(x).mean().backward()
        optimizer.step()
    net.eval()
    validate(net, [torch.randn(2, 4)])

# --- a mean-teacher target under no_grad in the training step: silent
import torch
from torch import nn

student = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
teacher = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(student.parameters(), lr=0.1)
for x in [torch.randn(16, 4)]:
    with torch.no_grad():
        target = teacher(x)
    loss = (student(x) - target).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

# --- no batch norm: silent
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.Linear(8, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for x in [torch.randn(16, 4)]:
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()
with torch.no_grad():
    model(torch.randn(16, 4))

# --- torchvision network traced for export without eval(): flagged
import torch
from torchvision import models

model = models.resnet18(weights=None)
model = model.to("cpu")
traced = torch.jit.trace(model, torch.rand(1, 3, 224, 224))  # expect: BNU101:10
torch.onnx.export(model, torch.rand(1, 3, 224, 224), "model.onnx")  # expect: BNU101:1

# --- a torchvision network without batch norm, and one put in eval() first: silent
import torch
from torchvision import models

vgg = models.vgg16(weights=None)
traced = torch.jit.trace(vgg, torch.rand(1, 3, 224, 224))
resnet = models.resnet50(weights=None).eval()
scripted = torch.jit.script(resnet)

# --- inference script: weights loaded, never trained, never eval(): flagged
import torch
from torch import nn

encoder = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
encoder.load_state_dict(torch.load("encoder.pt"))
features = []
for images in [torch.randn(4, 3, 8, 8)]:
    features.append(encoder(images))  # expect: BNU101:21

# --- a freshly built network run once to check its shapes: silent (not an evaluation)
import torch
from torch import nn


def test():
    net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
    y = net(torch.randn(1, 3, 8, 8))
    print(y.shape)

# --- Lightning switches the mode itself around validation_step: silent
import pytorch_lightning as pl
import torch
from torch import nn


class Classifier(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))

    def validation_step(self, batch, batch_index):
        with torch.no_grad():
            return self.net(batch).sum()

    def test_step(self, batch, batch_index):
        return self.net(batch).sum()

# --- a mode we cannot read (train(flag)) reaches the call: silent
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)


def run(training):
    model.train(training)
    for x in [torch.randn(16, 4)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
    with torch.no_grad():
        model(torch.randn(16, 4))

# --- the factory hands back an eval() module: silent
import torch
from torch import nn


def load_model(path):
    net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
    net.load_state_dict(torch.load(path))
    net.eval()
    return net


model = load_model("weights.pt")
model.load_state_dict(torch.load("weights.pt"))
with torch.no_grad():
    prediction = model(torch.randn(2, 4))

# --- a pretrained network minus its head, traced in training mode: flagged
import torch
from torchvision import models

model = models.resnet18(weights=models.ResNet18_Weights.IMAGENET1K_V1)
for param in model.parameters():
    param.requires_grad = False
features = torch.nn.Sequential(*list(model.children())[:-1])
traced = torch.jit.trace(features, torch.rand(1, 3, 224, 224))  # expect: BNU101:10

# --- the same without batch norm in the kept part: silent
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
features = nn.Sequential(*list(model.children())[:-1])
traced = torch.jit.trace(features, torch.rand(1, 4))

# --- a helper named for evaluation whose result a training step uses: silent
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)


def evaluate_loss(net, x):
    return net(x).pow(2).mean()


for x in [torch.randn(16, 4)]:
    optimizer.zero_grad()
    loss = evaluate_loss(model, x)
    loss.backward()
    optimizer.step()

# --- a Hugging Face Trainer subclass: the Trainer switches the mode around evaluation: silent
import torch
import transformers
from torch import nn


class MyTrainer(transformers.Trainer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.probe = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))

    def evaluate_probe(self, batch):
        with torch.no_grad():
            return self.probe(batch)

# --- pointnet: every 10 iterations one test batch drawn by hand goes through the network in training mode: flagged
import torch
from torch import nn

classifier = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
optimizer = torch.optim.SGD(classifier.parameters(), lr=0.01)
dataloader = [torch.randn(16, 4) for _ in range(4)]
testdataloader = [torch.randn(16, 4) for _ in range(2)]
for epoch in range(2):
    for i, data in enumerate(dataloader, 0):
        optimizer.zero_grad()
        classifier(data).pow(2).mean().backward()
        optimizer.step()
        if i % 10 == 0:
            j, data = next(enumerate(testdataloader, 0))
            pred = classifier(data)  # expect: BNU101:20

# --- the same with eval() before the test batch and train() at the top of the loop: silent
import torch
from torch import nn

classifier = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
optimizer = torch.optim.SGD(classifier.parameters(), lr=0.01)
dataloader = [torch.randn(16, 4) for _ in range(4)]
testdataloader = [torch.randn(16, 4) for _ in range(2)]
for epoch in range(2):
    for i, data in enumerate(dataloader, 0):
        classifier.train()
        optimizer.zero_grad()
        classifier(data).pow(2).mean().backward()
        optimizer.step()
        if i % 10 == 0:
            classifier.eval()
            j, data = next(enumerate(testdataloader, 0))
            pred = classifier(data)

# --- a batch drawn from the test set that is trained on (transductive adaptation), and a drawn training batch: silent
import torch
from torch import nn

net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
test_loader = [torch.randn(16, 4) for _ in range(2)]
train_loader = [torch.randn(16, 4) for _ in range(2)]
for step in range(3):
    x = next(iter(test_loader))
    optimizer.zero_grad()
    net(x).pow(2).mean().backward()
    optimizer.step()
sample = next(iter(train_loader))
out = net(sample)

# --- GLCIC: a periodic test completion under no_grad after the iteration's step, the network wrapped on one branch: flagged
import torch
from torch import nn

model_cn = nn.Sequential(nn.Conv2d(4, 8, 3), nn.BatchNorm2d(8), nn.Conv2d(8, 3, 3))
if torch.cuda.device_count() > 1:
    model_cn = nn.DataParallel(model_cn)
model_cn = model_cn.to("cpu")
opt_cn = torch.optim.Adam(model_cn.parameters())
test_batch = torch.randn(2, 4, 16, 16)
for step, x in enumerate([torch.randn(2, 4, 16, 16)] * 100):
    loss = model_cn(x).pow(2).mean()
    loss.backward()
    opt_cn.step()
    opt_cn.zero_grad()
    if step % 10 == 0:
        with torch.no_grad():
            output = model_cn(test_batch)  # expect: BNU101:22

# --- a teacher's no_grad forward before the backward of the same iteration: silent
import copy

import torch
from torch import nn

student = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
teacher = copy.deepcopy(student)
optimizer = torch.optim.SGD(student.parameters(), lr=0.1)
for x in [torch.randn(16, 4)] * 10:
    with torch.no_grad():
        target = teacher(x)
    loss = (student(x) - target).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
