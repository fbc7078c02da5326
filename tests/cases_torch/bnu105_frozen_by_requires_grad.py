# --- yolov5's --freeze: layers frozen by requires_grad alone, then trained in train mode: flagged
import torch
import torchvision

model = torchvision.models.resnet18()
freeze = ["layer1.", "layer2."]
for k, v in model.named_parameters():
    v.requires_grad = True
    if any(x in k for x in freeze):
        v.requires_grad = False  # expect: BNU105:9
optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
for epoch in range(2):
    model.train()
    for x in [torch.randn(2, 3, 32, 32)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()

# --- a flag that defaults to False freezes a pretrained CNN inside a model class: flagged
import torchvision
from torch import nn


class EncoderImage(nn.Module):
    def __init__(self, finetune=False):
        super().__init__()
        self.cnn = torchvision.models.resnet152()
        for param in self.cnn.parameters():
            param.requires_grad = finetune  # expect: BNU105:13

# --- requires_grad_(False) through apply on an attribute named for batch norm, then fit(): flagged
import torch


def freeze_encoder(model, trainer, loader):
    model.bn.apply(lambda module: module.requires_grad_(False))  # expect: BNU105:5
    trainer.fit(model, loader)
    torch.save(model.state_dict(), "model.pt")

# --- the batch-norm layers picked by isinstance and frozen by requires_grad: flagged
import torch
from torch import nn

model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU())
for m in model.modules():
    if isinstance(m, nn.BatchNorm2d):
        m.weight.requires_grad = False  # expect: BNU105:9
        m.bias.requires_grad = False  # expect: BNU105:9
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for x in [torch.randn(2, 3, 8, 8)]:
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()

# --- the same with the frozen batch norm also set to eval: silent
import torch
from torch import nn

model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU())
for m in model.modules():
    if isinstance(m, nn.BatchNorm2d):
        m.weight.requires_grad = False
        m.bias.requires_grad = False
        m.eval()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for x in [torch.randn(2, 3, 8, 8)]:
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()

# --- frozen with track_running_stats off: silent
import torch
from torch import nn

model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU())
for m in model.modules():
    if isinstance(m, nn.BatchNorm2d):
        m.requires_grad_(False)
        m.track_running_stats = False
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for x in [torch.randn(2, 3, 8, 8)]:
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()

# --- a momentum encoder (MoCo/BYOL): frozen and kept in training mode by design: silent
import copy
import torch
import torchvision

online = torchvision.models.resnet18()
target = copy.deepcopy(online)
for param in target.parameters():
    param.requires_grad = False
optimizer = torch.optim.SGD(online.parameters(), lr=0.1)
for x in [torch.randn(2, 3, 32, 32)]:
    optimizer.zero_grad()
    (online(x) - target(x)).pow(2).mean().backward()
    optimizer.step()
    with torch.no_grad():
        for p_target, p_online in zip(target.parameters(), online.parameters()):
            p_target.mul_(0.99).add_(p_online, alpha=0.01)

# --- frozen layers without batch norm: silent
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
for param in model[0].parameters():
    param.requires_grad = False
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for x in [torch.randn(2, 4)]:
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()

# --- unfreezing with requires_grad = True: silent
import torch
import torchvision

model = torchvision.models.resnet18()
for param in model.parameters():
    param.requires_grad = True
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for x in [torch.randn(2, 3, 32, 32)]:
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()

# --- a helper that freezes its argument and puts it in eval mode (lightly's freeze_eval_module): silent
from torch import nn


def freeze_eval_module(module):
    for param in module.parameters():
        param.requires_grad = False
    module.eval()


class Teacher(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
        freeze_eval_module(self.head)
