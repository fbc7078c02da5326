# fix: --unsafe-fixes
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
ema_model = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999),
                          use_buffers=True)
