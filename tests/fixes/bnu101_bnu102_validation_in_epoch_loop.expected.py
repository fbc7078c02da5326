# fix: --unsafe-fixes
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

    # validation after every epoch
    model.eval()
    with torch.no_grad():
        accuracy = model(torch.randn(16, 4)).argmax(1)
