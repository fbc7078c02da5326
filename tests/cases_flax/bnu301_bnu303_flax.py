# --- the updates of a training step thrown away with `_`
import jax
import optax


def train_step(state, batch):
    def loss_fn(params):
        logits, _ = state.apply_fn(  # expect: BNU301:17
            {"params": params, "batch_stats": state.batch_stats},
            batch["image"], train=True, mutable=["batch_stats"])
        return optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()

    grads = jax.grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads)
# --- the flax ImageNet example's form: updates returned as aux and stored: silent
import jax
import optax


def train_step(state, batch):
    def loss_fn(params):
        logits, new_model_state = state.apply_fn(
            {"params": params, "batch_stats": state.batch_stats},
            batch["image"], mutable=["batch_stats"])
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()
        return loss, new_model_state

    (loss, new_model_state), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params)
    return state.apply_gradients(grads=grads, batch_stats=new_model_state["batch_stats"])
# --- a notebook's cells: the second apply's updates never read again
import jax
import flax.linen as nn

model = Net()
variables = model.init(jax.random.PRNGKey(0), x)
y, updates = model.apply(variables, x, mutable=["batch_stats"])
print(updates)
y, new_stats = model.apply(variables, x, mutable=["batch_stats"])  # expect: BNU301:4
y = model.apply(variables, x, train=False)
# --- output only: `[0]`, and a bare statement
import flax.linen as nn


def warm_up(model, variables, loader):
    for x in loader:
        model.apply(variables, x, mutable=True)  # expect: BNU301:9
    return model.apply(variables, x, mutable=["batch_stats"])[0]
# --- a perturbed second forward in a step that keeps the first one's updates: silent
def loss_fn(state, params, perturbed, x):
    logits, mutables = state.apply_fn({"params": params}, x, mutable=["batch_stats"], train=True)
    noisy, _ = state.apply_fn({"params": perturbed}, x, mutable=["batch_stats"], train=True)
    return ((noisy - logits) ** 2).mean(), mutables
# --- mutable collections that are not batch_stats, and evaluation without mutable: silent
def evaluate(model, variables, x):
    out, _ = model.apply(variables, x, mutable=["intermediates"])
    logits = model.apply(variables, x, train=False, mutable=False)
    return out, logits
# --- Flax and Haiku momentum with PyTorch's meaning
import flax.linen as nn
import haiku as hk
from flax import nnx


class Block(nn.Module):
    @nn.compact
    def __call__(self, x, train):
        x = nn.BatchNorm(use_running_average=not train, momentum=0.1)(x)  # expect: BNU303:66
        x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
        return nn.BatchNorm(not train, -1, 0.99)(x)


norm = nnx.BatchNorm(64, momentum=0.1, rngs=nnx.Rngs(0))  # expect: BNU303:35
hk_norm = hk.BatchNorm(True, True, 0.5)  # expect: BNU303:36
# --- BNU302: hard-coded modes against their step
import jax


def train_step(state, x):
    def loss_fn(params):
        out, updates = state.apply_fn({"params": params}, x, use_running_average=True)  # expect: BNU302:82
        return out.sum(), updates
    return jax.value_and_grad(loss_fn, has_aux=True)(state.params)


def validate(state, x):
    logits = state.apply_fn({"params": state.params, "batch_stats": state.batch_stats}, x, train=True)  # expect: BNU302:98
    out, stats = state.apply_fn(state.variables, x, train=False, mutable=["batch_stats"])  # expect: BNU302:59
    return logits, out, stats
# --- BNU302 silent: mode passed through, and a statistics re-estimation pass outside evaluation
def recompute_batch_stats(model, variables, loader):
    for x in loader:
        _, updates = model.apply(variables, x, train=True, mutable=["batch_stats"])
        variables = {**variables, **updates}
    return variables


def evaluate(model, variables, x, train):
    return model.apply(variables, x, train=train)
# --- BNU301 silent: a helper that only wants the output (a neural-tangents kernel), outside any step or loop
def make_apply_fn(model):
    def apply_fn(params, x):
        return model.apply(params, x, mutable=["batch_stats"])[0]
    return apply_fn
