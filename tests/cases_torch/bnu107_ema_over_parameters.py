# --- an EMA helper class over parameters() only, its model evaluated in eval mode: flagged
import copy

import torch
import torchvision


class ModelEMA:
    def __init__(self, model, decay=0.999):
        self.ema = copy.deepcopy(model)
        self.ema.eval()
        self.decay = decay

    @torch.no_grad()
    def update(self, model):
        for e, p in zip(self.ema.parameters(), model.parameters()):  # expect: BNU107:25
            e.lerp_(p, 1 - self.decay)


net = torchvision.models.resnet18()
ema = ModelEMA(net)
ema.update(net)

# --- a weight copy (no averaging) into a target network kept in eval mode: flagged
import copy

from torch import nn

online = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU())
target = copy.deepcopy(online).eval()
target.eval()
for target_param, param in zip(target.parameters(), online.parameters()):  # expect: BNU107:32
    target_param.data.copy_(param.data)

# --- the same copy reading from the target: the source is not written, so no copy at all: silent
import copy

from torch import nn

online = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU())
target = copy.deepcopy(online)
target.eval()
total = 0.0
for target_param, param in zip(target.parameters(), online.parameters()):
    total += float((target_param - param).abs().sum())

# --- mean teacher: the EMA model runs in training mode every step, so it estimates its own statistics: silent
import copy

import torch
from torch import nn


def update_ema_variables(model, ema_model, alpha):
    for ema_param, param in zip(ema_model.parameters(), model.parameters()):
        ema_param.data.mul_(alpha).add_(param.data, alpha=1 - alpha)


def train(student, teacher, optimizer, batches):
    student.train()
    teacher.train()
    for x in batches:
        loss = (student(x) - teacher(x).detach()).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        update_ema_variables(student, teacher, 0.99)


def validate(net, batches):
    net.eval()
    with torch.no_grad():
        return [net(x) for x in batches]


student = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
teacher = copy.deepcopy(student)
train(student, teacher, torch.optim.SGD(student.parameters(), lr=0.1), [torch.randn(4, 4)])
validate(teacher, [torch.randn(4, 4)])

# --- library EMAs that carry the buffers, and AveragedModel with use_buffers: silent
import timm
import torch
from ema_pytorch import EMA
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from timm.utils import ModelEmaV2

model = timm.create_model("resnet18")
ema_a = EMA(model, beta=0.999)
ema_b = ModelEmaV2(model, decay=0.999)
ema_c = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999), use_buffers=True)
ema_b.module.eval()
ema_c.eval()

# --- a loop that only turns gradients off on the target's parameters: no copy, silent
import copy

from torch import nn

online = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
target = copy.deepcopy(online)
target.eval()
for target_param, param in zip(target.parameters(), online.parameters()):
    target_param.requires_grad_(False)
