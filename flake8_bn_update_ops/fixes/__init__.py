"""Fixes: plans made on the ``ast`` side (plain data, so findings cross process boundaries
with them), applied by libcst codemods only for files that need one (``apply``)."""
