# --- a training script that checkpoints named_parameters() of a torchvision ResNet: flagged
import torch
import torchvision

model = torchvision.models.resnet18()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(2):
    model.train()
    torch.save({"epoch": epoch, "model": dict(model.named_parameters())}, "checkpoint.pt")  # expect: BNU108:47

# --- a project model class with batch norm, its parameters saved through a name: flagged
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(8)

    def forward(self, x):
        return self.bn(self.conv(x))


net = Net()
state = {name: tensor.cpu() for name, tensor in net.named_parameters()}  # expect: BNU108:49
torch.save(state, "net.pt")

# --- the whole state_dict, or the module itself, or parameters with the buffers beside them: silent
import torch
import torchvision

model = torchvision.models.resnet18()
torch.save({"model": model.state_dict(), "optimizer": torch.optim.SGD(model.parameters(), lr=0.1).state_dict()},
           "checkpoint.pt")
torch.save(model, "model.pt")
weights = dict(model.named_parameters())
weights.update(model.named_buffers())
torch.save({"weights": weights, "buffers": dict(model.named_buffers())}, "weights.pt")

# --- a network without batch norm: silent
import torch
from torch import nn

mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
torch.save(dict(mlp.named_parameters()), "mlp.pt")

# --- saved gradients and a parameter count, not the weights: silent
import torch
import torchvision

model = torchvision.models.resnet18()
torch.save([p.grad for p in model.parameters()], "grads.pt")
torch.save({"n_params": sum(p.numel() for p in model.parameters())}, "meta.pt")
