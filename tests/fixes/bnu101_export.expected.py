# fix: --unsafe-fixes
import torch
import torchvision

model = torchvision.models.mobilenet_v2(weights=None)
example = torch.rand(1, 3, 224, 224)
model.eval()
traced = torch.jit.trace(model, example)  # the C++ side loads this
traced.save("mobilenet.pt")
