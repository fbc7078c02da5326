"""The analysis core: the ``ast`` index of a module (``index``), the project's modules
(``project``), the one value resolver (``resolver``, answering with ``values``), and the model
of a module that the rules read (``model``)."""
