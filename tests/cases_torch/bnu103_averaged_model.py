# --- SWA of a network with batch norm, never update_bn: flagged
import torch
from torch import nn
from torch.optim.swa_utils import SWALR, AveragedModel

model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Flatten(), nn.LazyLinear(2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
swa_model = AveragedModel(model)  # expect: BNU103:13
scheduler = SWALR(optimizer, swa_lr=0.05)
for x in [torch.randn(2, 3, 8, 8)]:
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()
    swa_model.update_parameters(model)
swa_model.eval()
torch.save(swa_model.state_dict(), "swa.pt")

# --- the same with update_bn over the training data: silent
import torch
from torch import nn
from torch.optim import swa_utils

model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
swa_model = swa_utils.AveragedModel(model)
loader = [torch.randn(2, 3, 8, 8)]
for x in loader:
    swa_model.update_parameters(model)
swa_utils.update_bn(loader, swa_model)

# --- an EMA that averages the buffers too, and one of a network without batch norm: silent
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999), use_buffers=True)
plain = AveragedModel(nn.Sequential(nn.Linear(4, 8), nn.ReLU()))
