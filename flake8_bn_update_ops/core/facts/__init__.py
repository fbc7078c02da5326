"""The facts of one checked module: immutable records built once, in order (``build.py``),
from the resolver's and the evaluator's answers. Rules read them; questions that take an
arbitrary expression go to the evaluator (``core/evaluate.py``)."""
