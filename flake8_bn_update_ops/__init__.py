"""Find (and fix) TensorFlow batch-normalization update-op pitfalls.

Importing the package is cheap on purpose: flake8 imports every installed plugin at
start-up, even under ``--select E``, and ``import libcst`` alone costs more than a small
flake8 run. libcst is imported only once a file passes the text pre-check.
"""

__version__ = "0.1.0"
