"""The program-model and flag-home form generator on its own (no TensorFlow needed): deterministic, valid,
every form and variant drawn, unhinted, and each form written as its name says."""
from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bnu_differential_{name}", _HERE / f"{name}.py")
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module


forms = _load("forms")
# enough seeds for every variant of every form (the longest form has 6 variants)
SEEDS = range(len(forms.FORMS) * 6)


@pytest.fixture(scope="module")
def programs():
    return [forms.generate_form(seed) for seed in SEEDS]


def _calls(tree, attr):
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == attr]


def test_same_seed_same_program(programs):
    for seed in (0, 13, 40, 83):
        again = forms.generate_form(seed)
        assert again.files == programs[seed].files and again.meta == programs[seed].meta


def test_different_seeds_different_programs(programs):
    assert len({tuple(sorted(p.files.items())) for p in programs}) == len(programs)


def test_every_file_compiles_and_no_package_has_an_init(programs):
    for seed, program in zip(SEEDS, programs):
        for path, text in program.files.items():
            compile(text, f"<form seed {seed}: {path}>", "exec")
            assert not path.endswith("__init__.py")


def test_every_form_and_variant_is_drawn(programs):
    drawn = {(p.meta["family"], p.meta["form"], p.meta["variant"]) for p in programs}
    wanted = {(family, form, variant[0]) for family, form in forms.FORMS
              for variant in forms.variants_of(family, form)}
    assert drawn == wanted


def test_seed_cycles_through_forms(programs):
    for seed, program in zip(SEEDS, programs):
        assert (program.meta["family"], program.meta["form"]) == forms.FORMS[seed % len(forms.FORMS)]


def test_programs_carry_no_hint_of_the_answer(programs):
    for program in programs:
        text = "\n".join(program.files.values()).lower()
        # the flag family's variant names are API spellings (placeholder_with_default) the program must use
        variant = [program.meta["variant"]] if program.meta["family"] == "model" else []
        for word in ("expect", "bug", "wrong", "frozen", "correct", "fixme", "todo", *variant):
            assert word not in text, (program.meta, word)


def test_meta_is_consistent(programs):
    for program in programs:
        m = program.meta
        assert m["expected"] in ("trains", "frozen", "partial", "no_bn")
        assert m["expected_evaluation"] in ("moving", "batch", "")
        assert m["correct"] == (m["expected"] in ("trains", "no_bn") and m["expected_evaluation"] in ("moving", ""))
        assert bool(m["defects"]) != m["correct"]
        assert not (m["correct"] and m["fix_defined"])
    # both kinds in each family, and programs that evaluate with batch statistics
    for family in forms.FORM_FAMILIES:
        kinds = {p.meta["correct"] for p in programs if p.meta["family"] == family}
        assert kinds == ({True, False} if family == "model" else {False})
    assert any(p.meta["expected_evaluation"] == "batch" for p in programs)


def test_flag_forms_leave_every_tf_layers_site_without_its_flag(programs):
    for program in programs:
        if program.meta["family"] != "flag":
            continue
        sites = [call for text in program.files.values() for call in _calls(ast.parse(text), "batch_normalization")]
        assert sites, program.meta
        assert all(not call.keywords and len(call.args) == 1 for call in sites), program.meta


def test_flag_homes_are_where_their_names_say(programs):
    for program in programs:
        m, text = program.meta, program.files["train.py"]
        tree = ast.parse(text)
        if m["form"] == "self_placeholder":
            assert any(isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
                       for node in ast.walk(tree) if isinstance(node, ast.Assign) for t in node.targets
                       if "placeholder" in ast.unparse(node.value))
        elif m["form"] == "module_placeholder":
            assert any(isinstance(node, ast.Assign) and "placeholder" in ast.unparse(node.value)
                       and isinstance(node.targets[0], ast.Name) for node in tree.body)
        elif m["form"] == "constructor_attribute":
            init = next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                        and node.name == "__init__")
            assert len(init.args.args) == 3 and "placeholder" not in ast.unparse(init)
        elif m["form"] == "estimator_mode":
            model_fn = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "model_fn")
            assert [a.arg for a in model_fn.args.args] == ["features", "labels", "mode"]
            assert "placeholder" not in text
        elif m["form"].startswith("nowhere"):
            assert "placeholder(" not in text.replace("placeholder(tf.float32", "")
            if m["form"] == "nowhere_other_module":
                assert len(program.files) == 2


def test_estimator_network_module_has_no_graph_mode_marker(programs):
    for program in programs:
        if program.meta["form"] != "estimator_positional":
            continue
        (net_path,) = [path for path in program.files if path != "train.py"]
        net = program.files[net_path]
        for marker in ("disable_eager", "disable_v2", "Session", "placeholder", "compat.v1"):
            assert marker not in net
        tree = ast.parse(program.files["train.py"])
        (ctor,) = [call for call in _calls(tree, "Estimator")]
        assert isinstance(ctor.args[0], ast.Name) and ctor.args[0].id == "model_fn"     # positional


def test_evaluation_tape_takes_no_gradient(programs):
    for program in programs:
        if program.meta["form"] != "tape_test_step":
            continue
        tree = ast.parse(program.files["train.py"])
        test_step = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "test_step")
        assert "GradientTape" in ast.unparse(test_step) and not _calls(test_step, "gradient")
