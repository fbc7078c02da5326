"""The closed vocabularies of the analysis: what kind of scope, binding, parameter or container
change the index records, what kind of sequence a value is, how a batch-norm site's flag reaches
it and whether it is given.

Each is an ``Enum`` over ``str`` (``Vocabulary``): a member equals its word (``ScopeKind.FUNCTION
== "function"``), hashes like it and prints as it, so code that still compares with the bare
word keeps working while it is converted, and messages that format a member read as before.
A typo in a member name is an ``AttributeError`` at once, where a typo in a free string was a
comparison that silently never matched.
"""
from __future__ import annotations

from enum import Enum
from types import MappingProxyType


class Vocabulary(str, Enum):
    """A closed set of words; a member is its word wherever a ``str`` is expected."""

    # Python 3.11 made ``format()`` of a mixed-in enum print ``Class.MEMBER``: keep the word.
    __str__ = str.__str__
    __format__ = str.__format__


class ScopeKind(Vocabulary):
    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"
    LAMBDA = "lambda"
    COMPREHENSION = "comprehension"


class BindingKind(Vocabulary):
    """How a name is bound (``core.index.Binding``)."""

    ASSIGN = "assign"           # ``value`` is the right side, ``unpack`` the index path into it
    AUGASSIGN = "augassign"
    PARAM = "param"             # ``value`` is the ``Param``
    IMPORT = "import"
    DEF = "def"
    CLASS = "class"
    FOR = "for"                 # ``value`` is the iterable: the name holds one of its elements
    WITH = "with"               # ``value`` is the context expression
    EXCEPT = "except"
    OTHER = "other"             # a ``match`` capture


class ParamKind(Vocabulary):
    POSITIONAL = "positional"
    KEYWORD = "keyword"         # keyword-only
    VARARGS = "varargs"         # ``*args``
    KWARGS = "kwargs"           # ``**kwargs``


class MutationKind(Vocabulary):
    """How a container named in the code is changed (``core.index.Mutation``)."""

    APPEND = "append"           # ``.append(x)`` and a set's ``.add(x)``
    EXTEND = "extend"
    INSERT = "insert"
    UPDATE = "update"           # a dict's ``.update(...)``
    IADD = "iadd"               # ``name += x``
    AUGASSIGN = "augassign"     # any other augmented assignment
    SETITEM = "setitem"         # ``name[key] = x``


# A list's methods that add elements, and the mutation each records (a set's ``add`` appends).
MUTATING_METHODS = MappingProxyType({
    "append": MutationKind.APPEND, "extend": MutationKind.EXTEND, "insert": MutationKind.INSERT,
    "update": MutationKind.UPDATE, "add": MutationKind.APPEND})
ADDING_ONE = frozenset({MutationKind.APPEND, MutationKind.INSERT})
ADDING_MANY = frozenset({MutationKind.EXTEND, MutationKind.IADD})


class SequenceKind(Vocabulary):
    """What a ``values.Sequence`` is: a list, tuple or set, or a ``selection`` (a comprehension
    with a filter: the author picked which of the elements to keep)."""

    LIST = "list"
    TUPLE = "tuple"
    SET = "set"
    SELECTION = "selection"


class FlagState(Vocabulary):
    """Whether a batch-norm call passes its training flag."""

    GIVEN = "given"
    MISSING = "missing"
    UNKNOWN = "unknown"         # it may be passed where the code does not show (``**kwargs``)


class Via(Vocabulary):
    """How a batch-norm site is reached, and where its flag comes from (``Flag.origin``)."""

    CALL = "call"                   # a call of the API
    PARTIAL = "partial"             # a ``functools.partial`` of it
    ARG_SCOPE = "arg_scope"         # an ``arg_scope`` that sets the flag
    CONSTRUCTION = "construction"   # constructing a layer class (its flag goes to the instance call)
    INSTANCE = "instance"           # calling a constructed layer
    NORMALIZER_FN = "normalizer_fn"  # a contrib layer's ``normalizer_fn``
    NORMALIZER_PARAMS = "normalizer_params"  # (an origin only) the flag is in its ``normalizer_params``


class ContextKind(Vocabulary):
    """An enclosing construct of a call or statement (``core.index.Context``); ``part`` says
    which of its parts holds it."""

    WITH = "with"          # ast.With, item index or -1 for the body
    IF = "if"              # ast.If | ast.While | ast.For, 0 body / 1 orelse / -1 test; a for's has no test
    IFEXP = "ifexp"        # ast.IfExp, 0 body / 1 orelse / -1 test
    LOOP = "loop"          # ast.For | ast.While, 0
    TRY = "try"            # ast.Try, part index
    LAMBDA = "lambda"      # ast.Lambda, 0
    COMP = "comp"          # a comprehension node, 0
    BOOLOP = "boolop"      # ast.BoolOp, 0
    ARG = "arg"            # ast.Call, 0: inside an argument of that call
    DEF = "def"            # ast.FunctionDef, 0
    CLASS = "class"        # ast.ClassDef, 0
    MATCH = "match"        # ast.Match, case index


class EventKind(Vocabulary):
    """What a PyTorch mode-flow event is (``core.torch_flow.Event``): a mode switch, a training
    step, or a call of project functions."""

    MODE = "mode"       # ``m.eval()`` / ``m.train(flag)``
    STEP = "step"       # ``loss.backward()`` / ``optimizer.step()``; also the effect a continuation meets
    CALL = "call"       # a call of functions of the project


class Question(Vocabulary):
    """A question the evaluator (``core.evaluate.Evaluator``) may ask again while answering it:
    the first part of its cycle guard's key (a collection fed from itself, a graph its function's
    callers build it in, a parameter its own function passes on)."""

    GRAPHS = "graphs"           # ``graphs_of``: the graphs a function's calls are built in
    COLLECTION = "collection"   # ``_collection_members``: what a named collection holds
    KERAS_MODEL = "keras"       # ``keras_bn``: whether a value is a Keras model with batch norm
    GRAPH_EPOCH = "epoch"       # ``_epoch_of``: which reset_default_graph() epoch a call runs in


class TorchMode(Vocabulary):
    """The mode a PyTorch module is in where mode flow (``core.torch_flow``) reads it."""

    EVAL = "eval"
    TRAIN = "train"
    UNSURE = "unsure"       # a mode we cannot read (``m.train(flag)``)


class VariablesShape(Vocabulary):
    """What container a Saver's variable list is when it holds trainable variables only
    (``Evaluator.trainable_only``): the shape BNU008's fix extends (``+ [...]`` or ``{**...}``)."""

    LIST = "list"       # a list, or ``list(...)`` of any of these
    TUPLE = "tuple"     # ``tuple(...)``: the fix extends what is inside the call when that is a list
    DICT = "dict"       # a dict comprehension (name -> variable)
    SET = "set"         # a set comprehension: ``+ [...]`` would raise TypeError
    GENERATOR = "generator"     # a generator expression: the Saver itself raises TypeError (measured)


class ProjectFile(Vocabulary):
    """File names that say something about a project's layout (``core.project``)."""

    PACKAGE_INIT = "__init__.py"    # a regular package, which may re-export its modules
    # Markers of a project's root, the folder its scripts are run from:
    GIT = ".git"
    SETUP_PY = "setup.py"
    SETUP_CFG = "setup.cfg"
    PYPROJECT = "pyproject.toml"
    TOX_INI = "tox.ini"
    # Folders of installed distributions: each top-level package there is a library of its own.
    SITE_PACKAGES = "site-packages"
    DIST_PACKAGES = "dist-packages"


ROOT_MARKERS = (ProjectFile.GIT, ProjectFile.SETUP_PY, ProjectFile.SETUP_CFG, ProjectFile.PYPROJECT,
                ProjectFile.TOX_INI)
INSTALLED_PACKAGE_FOLDERS = (ProjectFile.SITE_PACKAGES, ProjectFile.DIST_PACKAGES)
