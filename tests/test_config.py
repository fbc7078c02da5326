"""Configuration: one project file configures flake8 and the command alike."""
import json
import os
import subprocess
import sys
import textwrap

import pytest
from flake8.options.config import _find_config_file

from flake8_bn_update_ops.config import (ConfigError, build_settings, find_flake8_config,
                                         load_config)
from flake8_bn_update_ops.settings import Settings

SETUP_CFG = textwrap.dedent("""
    [flake8]
    max-line-length = 100
    extend-ignore = E501
    bn-training-names = is_train, phase_train
    bn_wrappers =
        mylib.ops.batch_norm:is_training
        mylib.layers.bn:train
    bn-train-op-helpers = mylib.train.make_train_op
    bn-cross-module = no
""")

EXPECTED = Settings(
    training_names=("is_train", "phase_train"),
    wrappers={"mylib.ops.batch_norm": "is_training", "mylib.layers.bn": "train"},
    train_op_helpers=("mylib.train.make_train_op",),
    cross_module=False,
    max_line_length=100,    # flake8's own key: the lines a fix writes stay within it
)

# Runs real flake8 option parsing (config discovery, plugin options, parse_options) and
# prints the Settings the plugin ended up with.
FLAKE8_SETTINGS_PROBE = textwrap.dedent("""
    import json, sys
    from flake8.options.parse_args import parse_args
    from flake8_bn_update_ops.plugin import BatchNormUpdateOpsChecker
    parse_args(sys.argv[1:] + ["x.py"])
    s = BatchNormUpdateOpsChecker.settings
    print(json.dumps([list(s.training_names), dict(s.wrappers), list(s.train_op_helpers),
                      s.cross_module, s.max_line_length]))
""")


def _flake8_settings(cwd, *args):
    proc = subprocess.run([sys.executable, "-c", FLAKE8_SETTINGS_PROBE, *args], cwd=cwd,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    names, wrappers, helpers, cross, length = json.loads(proc.stdout)
    return Settings(tuple(names), wrappers, tuple(helpers), cross, length)


def _run_cli(cwd, *args):
    return subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_flake8_and_the_command_read_the_same_settings(tmp_path):
    (tmp_path / "setup.cfg").write_text(SETUP_CFG)
    assert _flake8_settings(tmp_path) == EXPECTED
    config = load_config(start=str(tmp_path))
    assert build_settings(config.values, config.origins) == EXPECTED
    assert config.origins["bn-wrappers"] == str(tmp_path / "setup.cfg")


def test_flake8_command_line_overrides_its_config(tmp_path):
    (tmp_path / "setup.cfg").write_text(SETUP_CFG)
    settings = _flake8_settings(tmp_path, "--bn-cross-module=yes", "--bn-training-names=train")
    assert settings.cross_module is True
    assert settings.training_names == ("train",)


@pytest.mark.parametrize("layout", [
    {"setup.cfg": "[metadata]\nname = x\n", "tox.ini": "[flake8]\nbn-cross-module = no\n"},
    {"tox.ini": "[tox]\n", ".flake8": "[flake8]\nbn-cross-module = no\n"},
    {"setup.cfg": "[flake8]\nbn-cross-module = no\n", ".flake8": "[flake8]\n"},
    {"sub/.keep": "", "setup.cfg": "[flake8]\n"},
    {"sub/.keep": ""},
], ids=["skip-setup-without-section", "tox-without-section", "setup-first", "parent", "none"])
def test_discovery_picks_the_file_flake8_picks(tmp_path, layout):
    for name, text in layout.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    start = str(tmp_path / "sub") if (tmp_path / "sub").exists() else str(tmp_path)
    assert find_flake8_config(start) == _find_config_file(start)


def test_pyproject_table_is_read_and_wins_over_the_flake8_section(tmp_path):
    (tmp_path / "setup.cfg").write_text("[flake8]\nbn-cross-module = yes\nbn-training-names = a\n")
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
        [tool.flake8-bn-update-ops]
        bn-cross-module = false
        bn-wrappers = ["pkg.bn:training"]
        extend-exclude = ["generated"]
    """))
    config = load_config(start=str(tmp_path))
    settings = build_settings(config.values, config.origins)
    assert settings == Settings(training_names=("a",), wrappers={"pkg.bn": "training"},
                                cross_module=False)
    assert config.origins["bn-cross-module"] == str(tmp_path / "pyproject.toml")


@pytest.mark.parametrize("table, key, fragment", [
    ("bn-cross-modul = true", "bn-cross-modul", "unknown key"),
    ("bn-cross-module = 'maybe'", "bn-cross-module", "expected yes or no"),
    ("bn-wrappers = ['pkg.bn']", "bn-wrappers", "dotted.name:flag"),
    ("bn-wrappers = ['pkg..bn:training']", "bn-wrappers", "dotted.name:flag"),
    ("bn-training-names = ['is-training']", "bn-training-names", "identifier"),
    ("bn-train-op-helpers = 'a.b.'", "bn-train-op-helpers", "dotted name"),
    ("select = ['bnu001']", "select", "code prefix"),
    ("ignore = [1]", "ignore", "list of strings"),
])
def test_bad_pyproject_values_name_file_and_key(tmp_path, table, key, fragment):
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.flake8-bn-update-ops]\n{table}\n")
    with pytest.raises(ConfigError) as info:
        load_config(start=str(tmp_path))
    message = str(info.value)
    assert str(path) in message and key in message and fragment in message
    assert "\n" not in message
    # The command says the same in one line and exits 2 before touching any file.
    (tmp_path / "m.py").write_text("x = 1\n")
    proc = _run_cli(tmp_path, "m.py")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0 and key in proc.stderr
    assert "Traceback" not in proc.stderr


def test_invalid_toml_is_a_one_line_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.flake8-bn-update-ops\n")
    proc = _run_cli(tmp_path, "--version")
    assert proc.returncode == 0  # --version needs no configuration
    proc = _run_cli(tmp_path, ".")
    assert proc.returncode == 2
    assert "invalid TOML" in proc.stderr and "Traceback" not in proc.stderr


def test_flake8_reports_a_bad_value_in_one_message_naming_the_file(tmp_path):
    (tmp_path / "setup.cfg").write_text("[flake8]\nbn-cross-module = maybe\n")
    (tmp_path / "m.py").write_text("x = 1\n")
    proc = subprocess.run([sys.executable, "-m", "flake8", "m.py"], cwd=tmp_path,
                          capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Traceback" not in output
    assert f"{tmp_path / 'setup.cfg'}: bn-cross-module: expected yes or no, got 'maybe'" in output


def test_flake8_bad_value_on_the_command_line_says_so(tmp_path):
    (tmp_path / "m.py").write_text("x = 1\n")
    proc = subprocess.run([sys.executable, "-m", "flake8", "--bn-wrappers=nocolon", "m.py"],
                          cwd=tmp_path, capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in output
    assert "command line" in output and "bn-wrappers" in output


def test_explicit_config_file_and_isolated(tmp_path):
    (tmp_path / "setup.cfg").write_text("[flake8]\nbn-cross-module = no\n")
    other = tmp_path / "other.ini"
    other.write_text("[flake8]\nbn-training-names = phase\n")
    config = load_config(str(other), start=str(tmp_path))
    assert build_settings(config.values, config.origins) == Settings(training_names=("phase",))
    assert load_config(start=str(tmp_path), isolated=True).values == {}
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(str(tmp_path / "missing.cfg"))
    proc = _run_cli(tmp_path, "--config", str(tmp_path / "missing.cfg"), ".")
    assert proc.returncode == 2 and "does not exist" in proc.stderr


def test_exclude_from_config_is_relative_to_the_config_file(tmp_path):
    (tmp_path / "setup.cfg").write_text("[flake8]\nextend-exclude = gen/skip.py,*_pb2.py\n")
    (tmp_path / "gen").mkdir()
    config = load_config(start=str(tmp_path / "gen"))
    assert config.base_dirs["extend-exclude"] == str(tmp_path)
    assert os.path.isabs(config.origins["extend-exclude"])
