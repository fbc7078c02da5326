"""Editors: ``lsp`` is the python-lsp-server plugin (loaded through its ``pylsp`` entry point),
``quickfix`` turns the engine's constrained fixes into LSP code actions and text edits."""
