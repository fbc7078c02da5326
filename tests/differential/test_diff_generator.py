"""The program generator on its own (no TensorFlow needed): deterministic, valid, varied, unhinted."""
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
SEEDS = range(320)


@pytest.fixture(scope="module")
def programs():
    return [generator.generate(seed) for seed in SEEDS]


def test_same_seed_same_program(programs):
    for seed in (0, 7, 123, 319):
        again = generator.generate(seed)
        assert again.source == programs[seed].source and again.meta == programs[seed].meta


def test_different_seeds_different_programs(programs):
    assert len({p.source for p in programs}) == len(programs)


def test_every_program_compiles(programs):
    for seed, program in zip(SEEDS, programs):
        compile(program.source, f"<seed {seed}>", "exec")


def test_every_axis_value_appears(programs):
    seen = collections.defaultdict(set)
    for program in programs:
        for axis in ("imports", "bn_api", "flag", "handling", "train_form", "structure"):
            seen[axis].add(program.meta[axis])
    assert seen["imports"] == set(generator.IMPORTS)
    assert seen["bn_api"] == set(generator.BN_APIS)
    assert seen["flag"] == set(generator.FLAGS)
    assert seen["handling"] == set(generator.HANDLINGS)
    assert seen["train_form"] == set(generator.TRAIN_FORMS)
    assert seen["structure"] == set(generator.STRUCTURES)
    assert {p.meta["expected"] for p in programs} == {"trains", "frozen", "partial"}


def test_programs_carry_no_hint_of_the_answer(programs):
    hint = re.compile(r"\b(bug|buggy|wrong|broken|fixme|todo|expect\w*|frozen|forgot|never|missing|"
                      r"BNU\d+|noqa)\b", re.IGNORECASE)
    for program in programs:
        comments = [line.split("#", 1)[1] for line in program.source.splitlines() if "#" in line]
        docstrings = [node.value.value for node in ast.walk(ast.parse(program.source))
                      if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                      and isinstance(node.value.value, str)]
        for text in comments + docstrings:
            assert not hint.search(text), (program.meta, text)


def test_programs_use_only_what_tensorflow_2_still_runs(programs):
    for program in programs:
        assert "contrib" not in program.source and "slim" not in program.source
        assert "import keras" not in program.source.replace("from tensorflow import keras", "")


def test_authors_differ(programs):
    # indentation, quotes and names vary between programs
    indents = {re.search(r"\n( +)\S", p.source).group(1) for p in programs}
    quotes = {"'" in p.source.replace("\"'\"", "") for p in programs}
    loss_names = {re.search(r"\n\s*(\w+(?:\.\w+)?) = \S+\.(?:reduce_mean|losses|square|nn)", p.source).group(1)
                  .split(".")[-1] for p in programs}
    assert len(indents) >= 2 and len(quotes) == 2 and len(loss_names) >= 4
