"""The program generator on its own (no TensorFlow needed): deterministic, valid, varied, unhinted,
and its RULES.md reading of "is a fix defined?" right on hand-picked cases."""
from __future__ import annotations

import ast
import collections
import importlib.util
import re
import sys
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent


def _load_generator():
    spec = importlib.util.spec_from_file_location("bnu_differential_generator", _HERE / "generator.py")
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module


generator = _load_generator()
SEEDS = range(480)


@pytest.fixture(scope="module")
def programs():
    return [generator.generate(seed) for seed in SEEDS]


def _first(programs, **axes):
    for program in programs:
        if all(program.meta[k] == v for k, v in axes.items()):
            return program
    raise AssertionError(f"no generated program has {axes}")


# --------------------------------------------------------------------------- determinism and validity

def test_same_seed_same_program(programs):
    for seed in (0, 7, 123, 319, 477):
        again = generator.generate(seed)
        assert again.files == programs[seed].files and again.meta == programs[seed].meta


def test_different_seeds_different_programs(programs):
    assert len({tuple(sorted(p.files.items())) for p in programs}) == len(programs)


def test_every_file_compiles(programs):
    for seed, program in zip(SEEDS, programs):
        for path, text in program.files.items():
            compile(text, f"<seed {seed}: {path}>", "exec")


def test_every_axis_value_appears(programs):
    seen = collections.defaultdict(set)
    for program in programs:
        for axis in ("family", "form", "imports", "flag", "handling", "train_form", "structure", "kkind",
                     "kstore", "lphase"):
            seen[axis].add(program.meta[axis])
        if program.meta["family"] == "layers":
            seen["bn_api"].add(program.meta["bn_api"])
    assert seen["family"] == set(generator.FAMILIES)
    assert seen["form"] == set(generator.FORMS)
    assert seen["imports"] == set(generator.IMPORTS)
    assert seen["bn_api"] == set(generator.BN_APIS)
    assert seen["flag"] == set(generator.FLAGS)
    assert seen["handling"] == set(generator.HANDLINGS)
    assert seen["train_form"] == set(generator.TRAIN_FORMS)
    assert seen["structure"] == set(generator.STRUCTURES)
    assert seen["kkind"] - {None} == set(generator.KERAS_KINDS)
    assert seen["kstore"] - {None} == set(generator.KERAS_STORES)
    assert seen["lphase"] == set(generator.LEARNING_PHASES)
    assert {p.meta["expected"] for p in programs} == {"trains", "frozen", "partial"}


def test_every_form_is_generated_often_within_320_seeds(programs):
    counts = collections.Counter(p.meta["form"] for p in programs[:320])
    assert all(counts[form] >= 5 for form in generator.FORMS), counts
    keras = collections.Counter((p.meta["kkind"], p.meta["kstore"]) for p in programs[:320] if p.meta["keras"])
    # Sequential, functional, subclassed and bare layers, each stored on self and in a local variable
    assert all(keras[(kind, store)] >= 2
               for kind in generator.KERAS_KINDS for store in generator.KERAS_STORES), keras
    phases = collections.Counter(p.meta["lphase"] for p in programs[:320] if p.meta["keras"]
                                 and p.meta["flag"] == "missing")
    assert all(phases[phase] >= 2 for phase in generator.LEARNING_PHASES), phases


def test_every_layer_is_described(programs):
    # One record per batch-norm layer the program builds at run time: TensorFlow's verdict counts them.
    for program in programs:
        assert len(program.meta["sites"]) == program.meta["n_bn"], program.meta


def test_the_new_forms_are_written_as_named(programs):
    def text(program):
        return "\n".join(program.files.values())

    const = _first(programs, form="key_const")
    assert re.search(r"^(\w+) = .*(UPDATE_OPS|update_ops)", text(const), re.M)
    assert re.search(r"get_collection(_ref)?\((UPDATE_KEY|UPDATE_OPS_KEY|BN_COLLECTION|UPDATES)\)", text(const))
    var = _first(programs, form="key_var")
    assert re.search(r"get_collection(_ref)?\((key|collection|coll_key|update_key)\)", text(var))
    tup = _first(programs, form="tuple_helper")
    assert re.search(r"return step_op, ops\n", text(tup))
    assert re.search(r"\w+, \w+ = (build|make)_train\w*\(", text(tup))
    first = _first(programs, form="summary_first")
    lines = first.source.splitlines()
    summary = next(i for i, line in enumerate(lines) if "summary.scalar" in line)
    identity = next(i for i, line in enumerate(lines) if ".identity(" in line)
    assert summary < identity
    on_self = _first(programs, family="keras", kstore="self", kkind="sequential")
    assert re.search(r"def _build_model\(self\):\n\s+self\.(model|net|network) = ", on_self.source)


def test_multi_file_programs_live_in_namespace_packages(programs):
    multi = [p for p in programs if p.meta["family"] == "multi"]
    assert multi and all(p.multi_file for p in multi)
    assert not any(p.multi_file for p in programs if p.meta["family"] != "multi")
    for program in multi:
        folders = {Path(path).parent for path in program.files} - {Path(".")}
        assert folders and not any(str(path).endswith("__init__.py") for path in program.files)
        package = next(iter(folders)).parts[0]
        assert re.search(rf"^(from|import) {package}[. ]", program.source, re.M), program.source
        # the batch-norm layers are built in the package, never in train.py
        assert "BatchNormalization(" not in program.source and "batch_normalization(" not in program.source
    registry = _first(programs, form="registry")
    assert re.search(r"\w+\[MODEL_NAME\]\(", registry.source)
    sub = _first(programs, form="builder_subclass", keras=False)
    assert any(re.search(r"^class \w+\((base\.)?\w+\):", text, re.M) and "super(" in text
               for text in sub.files.values())


def test_programs_carry_no_hint_of_the_answer(programs):
    hint = re.compile(r"\b(bug|buggy|wrong|broken|fixme|todo|expect\w*|frozen|forgot|never|missing|"
                      r"BNU\d+|noqa)\b", re.IGNORECASE)
    for program in programs:
        for text in program.files.values():
            comments = [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]
            docstrings = [node.value.value for node in ast.walk(ast.parse(text))
                          if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                          and isinstance(node.value.value, str)]
            for found in comments + docstrings:
                assert not hint.search(found), (program.meta, found)


def test_programs_use_only_what_tensorflow_2_still_runs(programs):
    for program in programs:
        for text in program.files.values():
            assert "contrib" not in text and "slim" not in text
            # Keras 2 only (tf.keras, tf_keras, `from tensorflow import keras`): BNU006's fix needs `.updates`
            assert not re.search(r"^\s*import keras\b|^\s*from keras\b", text, re.M)


def test_authors_differ(programs):
    # indentation, quotes and names vary between programs
    indents = {re.search(r"\n( +)\S", p.source).group(1) for p in programs}
    quotes = {"'" in p.source.replace("\"'\"", "") for p in programs}
    loss_names = {m.group(1).split(".")[-1] for p in programs
                  for m in [re.search(r"\n\s*(\w+(?:\.\w+)?) = \S+\.(?:reduce_mean|losses|square|nn)", p.source)]
                  if m}
    assert len(indents) >= 2 and len(quotes) == 2 and len(loss_names) >= 4


# --------------------------------------------------------------------------- RULES.md, hand-picked

@pytest.mark.parametrize("params, defined", [
    (None, False),                                    # module level: no enclosing function
    (["inputs"], False),
    (["inputs", "training"], True),                   # BNU003 safe fix
    (["inputs", "is_training"], True),
    (["self", "inputs", "phase_train"], True),        # BNU003 unsafe: other flag names
    (["inputs", "train_phase"], True),
    (["inputs", "bn_mode"], False),                   # a name RULES.md does not list
    (["inputs", "training", "is_training"], False),   # not a single flag parameter
])
def test_flag_fix_needs_one_training_flag_parameter(params, defined):
    assert generator.flag_fix_defined(params) is defined


@pytest.mark.parametrize("position, defined", [
    ("statement", True), ("nested", True),
    ("lambda", False), ("comprehension", False), ("conditional", False), ("boolop", False),
])
def test_train_op_fix_wraps_or_hoists_but_never_out_of_a_conditional(position, defined):
    assert generator.train_op_fix_defined(position) is defined


def test_bnu004_fix_only_for_a_copy_consumed_after_the_layers_and_never_mutated():
    assert generator.bnu004_fix_defined("copy", True, False)
    assert not generator.bnu004_fix_defined("copy", False, False)
    assert not generator.bnu004_fix_defined("copy", True, True)
    assert not generator.bnu004_fix_defined("ref", False, False)


def test_bnu006_fix_only_when_one_keras_2_model_can_be_named():
    assert generator.bnu006_fix_defined(1, True)
    assert not generator.bnu006_fix_defined(0, True)
    assert not generator.bnu006_fix_defined(2, True)
    assert not generator.bnu006_fix_defined(1, False)


def _layers_meta(**overrides):
    meta = {"keras": False, "lphase": "none", "handled": False, "handling": "none",
            "train_position": "statement", "sites": [{"kind": "tensor", "params": ["inputs", "training"]}],
            "model_calls": []}
    meta.update(overrides)
    return meta


def _keras_meta(**overrides):
    meta = {"keras": True, "lphase": "none", "handled": False, "handling": "ctrl_deps",
            "train_position": "statement", "keras_in_scope": 1, "keras2": True,
            "sites": [{"kind": "inherit", "params": None}],
            "model_calls": [{"kind": "tensor", "params": []}]}
    meta.update(overrides)
    return meta


def _codes(meta):
    return [(d["code"], d["fix"]) for d in generator.defects_for(meta)]


def test_defects_of_tf_layers_programs():
    # unhandled train op, tensor flag: BNU001 with its safe wrap
    assert _codes(_layers_meta()) == [("BNU001", True)]
    assert generator.expected_verdict(_layers_meta()) == "frozen"
    # a conditional expression: no hoist, so no fix
    assert _codes(_layers_meta(train_position="conditional")) == [("BNU001", False)]
    # identity loss not fetched: BNU005 (same fix as BNU001)
    assert _codes(_layers_meta(handling="identity_loss")) == [("BNU005", True)]
    # layers built inside the _ref block: BNU004 and no fix
    assert _codes(_layers_meta(handling="ref_in_block")) == [("BNU004", False)]
    # a copy read early: BNU004's get_collection_ref fix
    assert _codes(_layers_meta(handling="early_read")) == [("BNU004", True)]
    # literal False in a function with one flag parameter, handled: only BNU002
    meta = _layers_meta(handled=True, sites=[{"kind": "false", "params": ["inputs", "is_training"]}])
    assert _codes(meta) == [("BNU002", True)] and generator.expected_verdict(meta) == "frozen"
    # a missing flag at module level: BNU003 without a fix
    meta = _layers_meta(handled=True, sites=[{"kind": "missing", "params": None}])
    assert _codes(meta) == [("BNU003", False)]
    # every flag a literal True and not handled: BNU002 first (its fix needs the parameter), then BNU001
    meta = _layers_meta(sites=[{"kind": "true", "params": None}, {"kind": "const_true", "params": None}])
    assert _codes(meta) == [("BNU002", False), ("BNU002", False), ("BNU001", True)]
    assert not generator.fix_defined(meta)
    meta["sites"] = [{"kind": "true", "params": ["x", "training"]}]
    assert generator.fix_defined(meta)
    # partial: one site trains, one is hard-coded False
    meta = _layers_meta(handled=True, sites=[{"kind": "tensor", "params": None}, {"kind": "false", "params": None}])
    assert generator.expected_verdict(meta) == "partial" and not generator.fix_defined(meta)
    # handled, tensor flags: trains, nothing to fix
    meta = _layers_meta(handled=True)
    assert generator.expected_verdict(meta) == "trains" and _codes(meta) == []


def test_defects_of_keras_programs():
    # a model on self (in_scope 1) under the empty UPDATE_OPS wrapper: BNU006 and its fix
    assert _codes(_keras_meta()) == [("BNU006", True)]
    # the train op in a helper that cannot see the model: no fix
    assert _codes(_keras_meta(keras_in_scope=0)) == [("BNU006", False)]
    # two bare batch-norm layers in scope: no single variable to name
    assert _codes(_keras_meta(keras_in_scope=2)) == [("BNU006", False)]
    # called without training, learning phase never set: BNU003 on the model call, fixable only in a
    # function with a training parameter; frozen even with `.updates`
    meta = _keras_meta(handled=True, model_calls=[{"kind": "missing", "params": ["model", "inputs", "training"]}])
    assert _codes(meta) == [("BNU003", True)] and generator.expected_verdict(meta) == "frozen"
    meta["model_calls"][0]["params"] = []
    assert _codes(meta) == [("BNU003", False)]
    # the learning phase set or fed: no BNU003, and `.updates` makes it train
    for phase in ("set", "fed"):
        meta = _keras_meta(handled=True, lphase=phase, model_calls=[{"kind": "missing", "params": []}])
        assert _codes(meta) == [] and generator.expected_verdict(meta) == "trains"
    # inside a subclass's call(): a literal False is BNU002 (fix: call's `training` parameter)
    meta = _keras_meta(handled=True, sites=[{"kind": "false", "params": ["self", "inputs", "training"]},
                                            {"kind": "inherit", "params": ["self", "inputs", "training"]}])
    assert _codes(meta) == [("BNU002", True)] and generator.expected_verdict(meta) == "partial"
    # a model called with training=True is not a site (no BNU002): only the missing updates count
    meta = _keras_meta(model_calls=[{"kind": "true", "params": []}])
    assert _codes(meta) == [("BNU006", True)]


def test_generated_metas_carry_the_decision(programs):
    for program in programs:
        meta = program.meta
        assert meta["defects"] == generator.defects_for(meta)
        assert meta["fix_defined"] == all(d["fix"] for d in meta["defects"])
        assert meta["expected"] == generator.expected_verdict(meta)
        if meta["expected"] != "trains":
            assert meta["defects"], meta
        if not meta["keras"]:
            assert meta["kkind"] is None and meta["kstore"] is None and meta["lphase"] == "none", meta
    cond = _first(programs, train_form="minimize_cond", handled=False, keras=False, handling="none")
    assert ("BNU001", False) in _codes(cond.meta) and not cond.meta["fix_defined"]
    on_self = _first(programs, family="keras", kstore="self", handled=False, kkind="sequential")
    assert on_self.meta["keras_in_scope"] == 1 and ("BNU006", True) in _codes(on_self.meta)
