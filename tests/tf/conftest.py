"""Everything under tests/tf runs real TensorFlow: mark it ``tf`` (tox's ``py`` env deselects it)."""
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)   # before pytest's own -m deselection reads the markers
def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.tf)


def pytest_terminal_summary(terminalreporter):
    from harness import MEASUREMENTS

    if MEASUREMENTS:
        terminalreporter.section("TensorFlow measurements (tests/tf)")
        for line in MEASUREMENTS:
            terminalreporter.write_line(line)
