"""The analysis core: the ``ast`` index of a module (``index``), the project's modules
(``project``), the one value resolver (``resolver``, answering with ``values``), the evaluator
that follows values for every question (``evaluate``), and the frozen facts of a module that
the rules read (``facts``, built once by ``facts.build.build_facts``)."""
