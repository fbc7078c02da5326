"""The package passes flake8 under the project's own setup.cfg, with this plugin enabled."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_package_is_flake8_clean():
    result = subprocess.run([sys.executable, "-m", "flake8", "flake8_bn_update_ops"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
