"""``python -m flake8_bn_update_ops``: the standalone checker and fixer."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
