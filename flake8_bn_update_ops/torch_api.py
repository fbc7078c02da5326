"""What we know about the PyTorch API, as data (the BNU1xx codes read it; ``tf_api`` is the
TensorFlow side).

A new API is a new row here, not a new ``if`` in a rule. Names are the resolver's canonical
dotted paths (``torch.nn.BatchNorm2d`` however it was imported).
"""
from __future__ import annotations

import re
from typing import FrozenSet

# Batch-norm layer classes: a module that builds one of these keeps running statistics that
# its mode decides about (train: normalise with the batch and update them; eval: read them).
BATCH_NORM_CLASSES: FrozenSet[str] = frozenset({
    "torch.nn.BatchNorm1d", "torch.nn.BatchNorm2d", "torch.nn.BatchNorm3d",
    "torch.nn.SyncBatchNorm",
    "torch.nn.LazyBatchNorm1d", "torch.nn.LazyBatchNorm2d", "torch.nn.LazyBatchNorm3d",
    "torch.nn.modules.batchnorm.BatchNorm1d", "torch.nn.modules.batchnorm.BatchNorm2d",
    "torch.nn.modules.batchnorm.BatchNorm3d", "torch.nn.modules.batchnorm.SyncBatchNorm",
    "torch.nn.modules.batchnorm._BatchNorm",
    "torchvision.ops.misc.FrozenBatchNorm2d",   # listed for containment only: it has no mode
})
# Constructors whose momentum has PyTorch's meaning (the weight of the new batch).
MOMENTUM_CLASSES: FrozenSet[str] = BATCH_NORM_CLASSES - {"torchvision.ops.misc.FrozenBatchNorm2d",
                                                         "torch.nn.modules.batchnorm._BatchNorm"}
MOMENTUM_KEYWORD = "momentum"
MOMENTUM_POSITION = 2           # BatchNorm*d(num_features, eps, momentum, ...)
MOMENTUM_DEFAULT = 0.1
# At or above this, the value reads as the other frameworks' decay (0.9, 0.99): PyTorch then
# keeps only the last few batches in its running statistics.
MOMENTUM_SUSPECT = 0.5

# Containers whose arguments are its submodules.
CONTAINERS: FrozenSet[str] = frozenset({"torch.nn.Sequential", "torch.nn.ModuleList", "torch.nn.ModuleDict"})
# Wrappers that run the module given as their first argument (same mode, same statistics).
WRAPPERS: FrozenSet[str] = frozenset({
    "torch.nn.DataParallel", "torch.nn.parallel.DataParallel", "torch.nn.parallel.DistributedDataParallel",
    "torch.compile", "torch.nn.SyncBatchNorm.convert_sync_batchnorm",
})
# The base class every module derives from.
MODULE_BASES: FrozenSet[str] = frozenset({"torch.nn.Module", "torch.nn.modules.module.Module"})
# ``Module`` methods that return the module itself (``model = Net().to(device)``).
SELF_RETURNING_METHODS: FrozenSet[str] = frozenset({
    "to", "cuda", "cpu", "float", "double", "half", "bfloat16", "train", "eval", "requires_grad_",
    "share_memory", "to_empty", "xpu", "ipu", "mps",
})
MODULE_ROOTS = ("torch.", "torchvision.", "timm.")
# Methods that hand out a module's submodules (``nn.Sequential(*list(model.children())[:-1])``).
SUBMODULE_METHODS: FrozenSet[str] = frozenset({"children", "modules"})

# torchvision classification/detection/segmentation constructors whose networks contain
# batch norm (the others: AlexNet, VGG without ``_bn``, ViT/Swin (LayerNorm), SqueezeNet).
TORCHVISION_MODELS_WITH_BN: FrozenSet[str] = frozenset({
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "resnext101_32x8d",
    "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
    "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn",
    "densenet121", "densenet161", "densenet169", "densenet201",
    "mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small",
    "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3", "efficientnet_b4",
    "efficientnet_b5", "efficientnet_b6", "efficientnet_b7", "efficientnet_v2_s", "efficientnet_v2_m",
    "efficientnet_v2_l",
    "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0",
    "mnasnet0_5", "mnasnet0_75", "mnasnet1_0", "mnasnet1_3",
    "googlenet", "inception_v3", "regnet_y_400mf", "regnet_y_800mf", "regnet_y_1_6gf", "regnet_y_3_2gf",
    "regnet_x_400mf", "regnet_x_800mf", "regnet_x_1_6gf", "regnet_x_3_2gf",
    "deeplabv3_resnet50", "deeplabv3_resnet101", "deeplabv3_mobilenet_v3_large", "fcn_resnet50",
    "fcn_resnet101", "lraspp_mobilenet_v3_large",
    "r3d_18", "mc3_18", "r2plus1d_18",
    "ResNet", "DenseNet", "MobileNetV2", "MobileNetV3", "EfficientNet", "ShuffleNetV2", "MNASNet",
    "GoogLeNet", "Inception3", "RegNet",
})
TORCHVISION_MODEL_PREFIXES = ("torchvision.models.",)
# timm: ``create_model(name)`` builds batch norm for these architecture families (the others,
# transformers and ConvNeXt, use LayerNorm). The name is the first argument.
TIMM_CREATE = frozenset({"timm.create_model", "timm.models.create_model"})
TIMM_FAMILIES_WITH_BN = ("resnet", "resnext", "seresnet", "efficientnet", "tf_efficientnet", "mobilenet",
                         "regnet", "densenet", "dpn", "inception", "xception", "mixnet", "mnasnet", "ghostnet",
                         "rexnet", "hrnet", "res2net", "resnest", "dla", "cspresnet", "cspdarknet", "darknet",
                         "tresnet", "vgg", "wide_resnet", "skresnet", "selecsls", "nfnet_f")

# Mode switches: ``m.eval()`` and ``m.train(False)`` put batch norm in evaluation mode;
# ``m.train()`` / ``m.train(True)`` back in training mode.
EVAL_METHOD = "eval"
TRAIN_METHOD = "train"

# Blocks that turn off autograd: code under them is evaluation, unless it is a teacher or
# target forward inside a training step (decided by the rule, not here).
NO_GRAD_CONTEXTS: FrozenSet[str] = frozenset({
    "torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad", "torch.autograd.grad_mode.no_grad",
    "torch.autograd.inference_mode", "torch.set_grad_enabled",
})
NO_GRAD_DECORATORS = NO_GRAD_CONTEXTS
# The one of them that takes a flag: no gradient only when it is False (matched by last name).
GRAD_MODE_SETTER_SUFFIX = "set_grad_enabled"
# Export and tracing freeze the mode the module is in into the exported program.
EXPORTS: FrozenSet[str] = frozenset({
    "torch.jit.trace", "torch.jit.script", "torch.jit.trace_module", "torch.export.export", "torch.onnx.export",
    "torch.onnx.dynamo_export", "torch.export",
})
EXPORTED_KEYWORDS = frozenset({"mod", "model", "obj", "func"})     # the module, passed by keyword
# Words in a function's name that make it an evaluation function (validate, evaluate, test...).
EVALUATION_FUNCTION_WORDS = ("valid", "evaluat", "test", "infer", "predict")
# ... unless the name is a pytest test's (a test of the code, not an evaluation of the model).
TEST_FUNCTION_PREFIXES = ("test_", "_test")
# Words in a loop's iterable that make it an evaluation loop (``for x in val_loader``), unless it
# also says ``train``.
EVALUATION_ITERABLE_WORDS = ("val", "test", "eval")
TRAINING_ITERABLE_WORD = "train"
# Training steps: ``loss.backward()``, ``optimizer.step()``; an optimizer is a
# ``torch.optim`` construction that is not a scheduler.
BACKWARD_METHOD = "backward"
STEP_METHOD = "step"
OPTIMIZER_PREFIX = "torch.optim."
SCHEDULER_PREFIX = "torch.optim.lr_scheduler."

# Loading trained weights into a module (inference code follows).
LOAD_METHODS = frozenset({"load_state_dict"})

# Frameworks that switch the mode themselves around these hooks.
LIGHTNING_MODULES: FrozenSet[str] = frozenset({
    "pytorch_lightning.LightningModule", "lightning.LightningModule", "lightning.pytorch.LightningModule",
    "pytorch_lightning.core.LightningModule", "lightning.pytorch.core.LightningModule",
})
LIGHTNING_HOOKS: FrozenSet[str] = frozenset({
    "validation_step", "test_step", "predict_step", "on_validation_epoch_end", "on_test_epoch_end",
    "validation_epoch_end", "test_epoch_end",
})
HF_TRAINERS: FrozenSet[str] = frozenset({"transformers.Trainer", "transformers.Seq2SeqTrainer"})

# Statistics dropped by averaging.
AVERAGED_MODEL = "torch.optim.swa_utils.AveragedModel"
# Its keyword that averages the buffers (the running statistics) too, instead of keeping the first.
AVERAGED_MODEL_BUFFERS_KEYWORD = "use_buffers"
UPDATE_BN = "torch.optim.swa_utils.update_bn"

# Freezing (BNU105, BNU106). ``requires_grad = False`` on a module's parameters stops their
# gradients, not batch norm's running statistics, which only evaluation mode (or
# ``track_running_stats = False``) stops.
PARAMETER_METHODS: FrozenSet[str] = frozenset({"parameters", "named_parameters"})
PARAMETER_ATTRIBUTES: FrozenSet[str] = frozenset({"weight", "bias"})
REQUIRES_GRAD_METHOD = "requires_grad_"
REQUIRES_GRAD_ATTRIBUTE = "requires_grad"        # ``p.requires_grad = False`` and ``requires_grad=`` keywords
# Attributes whose assignment on a batch-norm layer stops its running statistics for real.
TRACK_RUNNING_STATS_ATTRIBUTE = "track_running_stats"
NAMED_MODULES_METHOD = "named_modules"
APPLY_METHOD = "apply"
# A class-name test that picks batch-norm layers (``m.__class__.__name__.find('BatchNorm')``).
BATCH_NORM_CLASS_NAME_WORDS = ("BatchNorm",)
# Attribute names that hold a batch-norm layer when its construction is out of sight
# (``model.bn``, ``self.bn1``, ``net.batch_norm``).
BATCH_NORM_ATTRIBUTE = re.compile(r"bn\d*|batch_?norm\d*|norm_?bn\d*")
# Trainers whose ``fit`` trains the model in training mode (Lightning, chemprop, skorch...).
TRAINER_FIT_METHODS: FrozenSet[str] = frozenset({"fit"})
# ``timm.create_model(model_name, ...)``: the keyword naming the architecture (else the first argument).
TIMM_MODEL_NAME_KEYWORD = "model_name"
# Lightning's packages by root: any class under them switches the mode around its hooks.
LIGHTNING_ROOTS = ("pytorch_lightning.", "lightning.")
# ``scaler.step(optimizer)`` of an AMP gradient scaler (``torch.cuda.amp.GradScaler``, ``torch.amp``'s)
# is an optimizer step: matched by the class's last name.
GRAD_SCALER_SUFFIX = "GradScaler"
# A ``.step()`` receiver whose construction is out of sight is an optimizer when its name says
# so (``self.optim``, ``optimizer_g``) and does not say scheduler (``optim_scheduler``).
OPTIMIZER_NAME_WORD = "optim"
SCHEDULER_NAME_WORD = "sched"

TRIGGER_WORDS: FrozenSet[str] = frozenset({"torch"})
"""Pre-check word: every BNU1xx finding needs an import of torch (``import torch.nn as nn``,
``from torch import nn``: the pre-check's tree test reads import roots). One word, because each
costs a scan of every file the plugin sees (measured on the standard library: 0.2-0.36 s per
word for 1,786 files); ``timm`` alone is not one: a script that evaluates a timm model imports
torch for ``no_grad`` or its data."""

# Statistics dropped by copying or saving parameters only (BNU107, BNU108): ``parameters()`` and
# ``named_parameters()`` (PARAMETER_METHODS) hold the weights, not the buffers, where batch norm
# keeps its running mean and variance; ``buffers()``/``named_buffers()``/``state_dict()`` hold them.
BUFFER_METHODS: FrozenSet[str] = frozenset({"buffers", "named_buffers"})
STATE_DICT_METHOD = "state_dict"
# What walks two modules' parameters side by side in an EMA or a weight copy
# (``for ema_p, p in zip(ema.parameters(), model.parameters())``).
PAIRING_FUNCTIONS: FrozenSet[str] = frozenset({"builtins.zip"})
# A tensor method that writes its receiver ends with this (``mul_``, ``add_``, ``copy_``, ``lerp_``);
# ``.data`` is the tensor behind a parameter (``p.data.mul_(d)``, ``p.data = ...``).
IN_PLACE_SUFFIX = "_"
TENSOR_DATA_ATTRIBUTE = "data"
# Saving a checkpoint; its object is the first argument or ``obj=``.
SAVE_FUNCTIONS: FrozenSet[str] = frozenset({"torch.save", "torch.serialization.save"})
SAVED_OBJECT_KEYWORD = "obj"
# Builders a saved object is made with (``dict(model.named_parameters())``): the first is the
# one the fix replaces by ``state_dict()``, which is also a name -> tensor mapping.
MAPPING_BUILDERS: FrozenSet[str] = frozenset({"builtins.dict"})
SEQUENCE_BUILDERS: FrozenSet[str] = frozenset({"builtins.list", "builtins.tuple"})
# Copies of a module (an EMA model is ``copy.deepcopy(model)``): the copy contains what the
# original contains.
MODULE_COPIES: FrozenSet[str] = frozenset({"copy.deepcopy", "copy.copy"})
# The parameter method whose items are (name, parameter) pairs, and a name -> tensor mapping.
NAMED_PARAMETERS_METHOD = "named_parameters"
# Drawing one batch by hand (``j, data = next(enumerate(testloader))``, ``next(iter(val_loader))``):
# from an evaluation iterable, the forwards after it in the same block evaluate.
NEXT_BATCH_FUNCTIONS: FrozenSet[str] = frozenset({"builtins.next"})
# In-place methods that change no value (``requires_grad_``, ``detach_``): not an EMA's write.
NON_WRITING_IN_PLACE: FrozenSet[str] = frozenset({"requires_grad_", "detach_", "share_memory_", "retain_grad"})
# Tensor methods that hand back the tensor's values (``p.detach().cpu()``): a comprehension over
# ``parameters()`` whose element is one of these saves the weights (``p.grad``, ``p.numel()`` do not).
TENSOR_VALUE_METHODS: FrozenSet[str] = frozenset({
    "detach", "cpu", "cuda", "clone", "to", "float", "half", "double", "bfloat16", "numpy", "tolist",
    "contiguous",
})
