"""The facts of one checked module: immutable records built once, in order (``build.py``),
from the resolver's and the evaluator's answers, and frozen into ``module.ModuleFacts``. Rules
read them; questions that take an arbitrary expression go to the evaluator
(``core/evaluate.py``). One file per job: ``arg_scopes`` (slim's defaults), ``sites`` (batch-norm
sites and their flags), ``train_ops``, ``modes`` (graph or eager), ``reach`` (what runs from the
module's roots), ``handling`` (what each train op depends on), ``flags`` (training flags by
name), ``towers`` (loss provenance), ``jax_steps`` (gradient transforms, Flax applies)."""
