"""Jupyter notebooks for the command: ``ipynb`` reads and rewrites the format (code cells as one
masked module, a fixed module split back into cells); ``checking`` runs the engine on that
module and reports and fixes by cell."""
