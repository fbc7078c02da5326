"""What PyTorch really does: each "measured" fact the BNU1xx codes rest on, proven again on the CPU.

These tests check PyTorch, not our checker: if one fails after a PyTorch upgrade, a code's
premise has changed. Data are centred far from 0 (the initial running mean), so "the running
statistics moved" is a large, unambiguous change.
"""
from __future__ import annotations

import pytest

try:
    import torch
    from torch import nn
except ImportError:     # pragma: no cover - the torch environment has it
    torch = None

pytestmark = pytest.mark.torch


def _net(momentum=0.1):
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8, momentum=momentum), nn.ReLU(), nn.Linear(8, 1))


def _batch(loc=3.0, n=32):
    return torch.randn(n, 4) + loc


def test_bnu101_running_statistics_move_under_no_grad_in_training_mode():
    model = _net()
    before = model[1].running_mean.clone()
    with torch.no_grad():
        model(_batch())
    assert not torch.allclose(model[1].running_mean, before)
    assert model[1].num_batches_tracked.item() == 1


def test_bnu101_running_statistics_stay_after_eval():
    model = _net()
    model.eval()
    before = model[1].running_mean.clone()
    with torch.no_grad():
        model(_batch())
    assert torch.equal(model[1].running_mean, before)
    assert model[1].num_batches_tracked.item() == 0


def test_bnu101_inference_mode_is_no_eval_either():
    model = _net()
    before = model[1].running_mean.clone()
    with torch.inference_mode():
        model(_batch())
    assert not torch.allclose(model[1].running_mean, before)


def test_bnu101_training_mode_output_depends_on_the_rest_of_the_batch():
    model = _net()
    x = _batch()
    with torch.no_grad():
        alone = model(x[:4])
        with_others = model(torch.cat([x[:4], _batch(loc=-3.0)]))[:4]
    assert not torch.allclose(alone, with_others, atol=1e-3)
    model.eval()
    with torch.no_grad():
        alone = model(x[:4])
        with_others = model(torch.cat([x[:4], _batch(loc=-3.0)]))[:4]
    assert torch.allclose(alone, with_others, atol=1e-6)


def test_bnu101_a_trace_in_training_mode_keeps_batch_statistics():
    model = _net()
    x = _batch()
    traced = torch.jit.trace(model, x[:8], check_trace=False)
    with torch.no_grad():
        alone = traced(x[:4])
        with_others = traced(torch.cat([x[:4], _batch(loc=-3.0)]))[:4]
    assert not torch.allclose(alone, with_others, atol=1e-3)
    model.eval()
    traced = torch.jit.trace(model, x[:8])
    with torch.no_grad():
        assert torch.allclose(traced(x[:4]), traced(torch.cat([x[:4], _batch(loc=-3.0)]))[:4], atol=1e-6)


def test_bnu102_training_in_eval_mode_never_updates_the_running_statistics():
    model = _net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    model.eval()
    before = model[1].running_mean.clone()
    for _ in range(5):
        optimizer.zero_grad()
        model(_batch()).pow(2).mean().backward()
        optimizer.step()
    assert torch.equal(model[1].running_mean, before)
    assert model[1].num_batches_tracked.item() == 0
    model.train()
    optimizer.zero_grad()
    model(_batch()).pow(2).mean().backward()
    optimizer.step()
    assert not torch.allclose(model[1].running_mean, before)


def test_bnu104_momentum_weights_the_new_batch():
    for momentum in (0.1, 0.9):
        model = _net(momentum)
        x = _batch()
        with torch.no_grad():
            features = model[0](x)
            model(x)
        batch_mean = features.mean(0)
        # running = (1 - m) * running + m * batch, from a running mean of 0
        assert torch.allclose(model[1].running_mean, momentum * batch_mean, atol=1e-5)


def test_bnu104_momentum_0_9_forgets_within_a_few_batches():
    slow, fast = _net(0.1), _net(0.9)
    with torch.no_grad():
        for loc in (3.0,) * 20 + (-3.0,):
            slow(_batch(loc))
            fast(_batch(loc))
        early, last = slow[0](_batch(3.0, 4096)).mean(0), slow[0](_batch(-3.0, 4096)).mean(0)
    # One batch at -3 after twenty at +3: 0.9 follows the last batch, 0.1 remembers the rest.
    assert (fast[1].running_mean - last).norm() < (fast[1].running_mean - early).norm()
    assert (slow[1].running_mean - early).norm() < (slow[1].running_mean - last).norm()


def test_requires_grad_false_does_not_stop_running_statistics():
    model = _net()
    for parameter in model[1].parameters():
        parameter.requires_grad = False
    before = model[1].running_mean.clone()
    model(_batch()).pow(2).mean().backward()
    assert not torch.allclose(model[1].running_mean, before)


def test_averaged_model_without_update_bn_evaluates_averaged_weights_with_the_live_models_statistics():
    """PyTorch 2.13's ``update_parameters`` copies the live model's buffers into the average
    (it does not leave the copy made at construction): the averaged weights are evaluated with
    statistics computed for other weights, until ``update_bn`` recomputes them."""
    from torch.optim.swa_utils import AveragedModel, update_bn

    model = _net()
    averaged = AveragedModel(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(5):
        optimizer.zero_grad()
        model(_batch()).pow(2).mean().backward()
        optimizer.step()
        averaged.update_parameters(model)
    assert torch.equal(averaged.module[1].running_mean, model[1].running_mean)
    assert not torch.allclose(averaged.module[0].weight, model[0].weight)      # the weights differ
    live = averaged.module[1].running_mean.clone()
    update_bn([_batch() for _ in range(10)], averaged)
    assert not torch.allclose(averaged.module[1].running_mean, live, atol=1e-3)


def _train_step(model, optimizer=None):
    if optimizer is not None:
        optimizer.zero_grad()
    model(_batch()).pow(2).mean().backward()
    if optimizer is not None:
        optimizer.step()


def test_bnu105_requires_grad_false_in_training_mode_moves_the_statistics_and_eval_keeps_them():
    model = _net()
    for parameter in model[1].parameters():
        parameter.requires_grad = False
    weight = model[1].weight.clone()
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.05)
    model.train()
    before = model[1].running_mean.clone()
    _train_step(model, optimizer)
    assert torch.equal(model[1].weight, weight)                      # the affine weight is frozen
    assert not torch.allclose(model[1].running_mean, before)         # the statistics are not
    model[1].eval()                                                   # the freeze that holds
    before = model[1].running_mean.clone()
    _train_step(model, optimizer)
    assert torch.equal(model[1].running_mean, before)


def test_bnu105_requires_grad_on_the_whole_module_leaves_the_statistics_moving():
    model = _net()
    model.requires_grad_(False)
    model[3].requires_grad_(True)
    before = model[1].running_mean.clone()
    _train_step(model)
    assert not torch.allclose(model[1].running_mean, before)


def _freeze_bn(model):
    for module in model.modules():
        if isinstance(module, nn.BatchNorm1d):
            module.eval()


def test_bnu106_a_later_train_undoes_an_eval_freeze_of_batch_norm():
    model = _net()
    _freeze_bn(model)
    model.train()                                   # the next epoch's train(): BN is back in training mode
    assert model[1].training
    before = model[1].running_mean.clone()
    _train_step(model)
    assert not torch.allclose(model[1].running_mean, before)


def test_bnu106_a_train_override_that_refreezes_keeps_the_statistics():
    class Frozen(nn.Sequential):
        def train(self, mode=True):
            super().train(mode)
            _freeze_bn(self)
            return self

    torch.manual_seed(0)
    model = Frozen(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
    model.train()
    assert not model[1].training
    before = model[1].running_mean.clone()
    _train_step(model)
    assert torch.equal(model[1].running_mean, before)


def _ema_over_parameters(ema, model, decay=0.5):
    with torch.no_grad():
        for ema_parameter, parameter in zip(ema.parameters(), model.parameters()):
            ema_parameter.mul_(decay).add_(parameter, alpha=1 - decay)


def test_bnu107_an_ema_over_parameters_keeps_the_statistics_of_its_copy():
    """BNU107: an EMA over ``parameters()`` evaluates the averaged weights with the running
    statistics its copy had when it was made."""
    import copy

    model = _net()
    ema = copy.deepcopy(model)
    ema.eval()
    initial = ema[1].running_mean.clone()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    model.train()
    for _ in range(5):
        _train_step(model, optimizer)
        _ema_over_parameters(ema, model)
    assert not torch.allclose(ema[0].weight, copy.deepcopy(_net())[0].weight)    # the weights moved
    assert torch.equal(ema[1].running_mean, initial)                              # the statistics did not
    assert not torch.allclose(model[1].running_mean, initial)
    # Walking the state_dict (buffers included) carries them.
    with torch.no_grad():
        for target, source in zip(ema.state_dict().values(), model.state_dict().values()):
            if target.dtype.is_floating_point:
                target.mul_(0.5).add_(source, alpha=0.5)
    assert not torch.allclose(ema[1].running_mean, initial)


def test_bnu108_saving_named_parameters_leaves_the_running_statistics_out(tmp_path):
    """BNU108: ``named_parameters()`` holds no buffers, so a model restored from it evaluates
    with fresh running statistics."""
    model = _net()
    _train_step(model)
    torch.save(dict(model.named_parameters()), tmp_path / "weights.pt")
    saved = torch.load(tmp_path / "weights.pt")
    assert "1.weight" in saved and "1.running_mean" not in saved and "1.running_var" not in saved
    restored = _net()
    restored.load_state_dict(saved, strict=False)
    assert not torch.allclose(restored[1].running_mean, model[1].running_mean)
    assert "1.running_mean" in model.state_dict()
    # The restored statistics are the fresh ones, and the eval-mode outputs differ.
    assert torch.equal(restored[1].running_mean, torch.zeros(8))
    assert torch.equal(restored[1].running_var, torch.ones(8))
    model.eval()
    restored.eval()
    probe = _batch()
    with torch.no_grad():
        assert not torch.allclose(restored(probe), model(probe), atol=1e-3)


def test_bnu108_the_fixs_state_dict_checkpoint_restores_the_eval_outputs_exactly(tmp_path):
    """BNU108's fix saves ``state_dict()`` in place of ``dict(named_parameters())``: every key the
    old checkpoint had is still there (a loader by parameter name keeps working), the buffers come
    with them, and the restored module evaluates exactly as the trained one."""
    model = _net()
    _train_step(model)
    torch.save(model.state_dict(), tmp_path / "weights.pt")
    saved = torch.load(tmp_path / "weights.pt")
    assert set(dict(model.named_parameters())) < set(saved)
    restored = _net()
    restored.load_state_dict(saved)
    model.eval()
    restored.eval()
    probe = _batch()
    with torch.no_grad():
        assert torch.equal(restored(probe), model(probe))


def test_bnu107_state_dict_values_are_no_drop_in_for_parameters_in_an_ema():
    """Why BNU107 offers no fix: ``state_dict().values()`` in place of ``parameters()`` walks the
    integer buffer ``num_batches_tracked``, where the EMA's in-place float arithmetic raises."""
    import copy

    model = _net()
    ema = copy.deepcopy(model)
    assert any(not value.dtype.is_floating_point for value in ema.state_dict().values())
    with pytest.raises(RuntimeError):
        with torch.no_grad():
            for target, source in zip(ema.state_dict().values(), model.state_dict().values()):
                target.mul_(0.99).add_(source, alpha=0.01)
    with pytest.raises(RuntimeError):
        with torch.no_grad():
            for target, source in zip(ema.state_dict().values(), model.state_dict().values()):
                target.lerp_(source, 0.01)
