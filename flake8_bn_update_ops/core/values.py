"""What an expression holds, as far as the project shows: the resolver's answers.

Values are small immutable records. Anything the code does not show is ``UNKNOWN``, and an
unknown value never produces a finding on its own (RULES.md: "Values, not spellings").
Arguments stay lazy (``Arg``: an expression with the place and call frame to read it in),
because most questions need one keyword of a call, not all of them.
"""
from __future__ import annotations

from typing import Optional, Tuple

from .kinds import SequenceKind


class Value:
    __slots__ = ()


class Unknown(Value):
    __slots__ = ()

    def __repr__(self):
        return "UNKNOWN"


UNKNOWN = Unknown()


class Const(Value):
    """A literal (``True``, ``None``, a string, a number); ``node`` is where it is written."""

    __slots__ = ("value", "node")

    def __init__(self, value, node=None):
        self.value = value
        self.node = node

    def __repr__(self):
        return f"Const({self.value!r})"


class Api(Value):
    """A name rooted at an import outside the project (``tensorflow.layers.dense``), canonical."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self):
        return f"Api({self.name})"


class Arg:
    """An argument expression, to be evaluated where it is written."""

    __slots__ = ("node", "at", "frame")

    def __init__(self, node, at, frame):
        self.node = node
        self.at = at
        self.frame = frame

    def __repr__(self):
        return f"Arg(line {getattr(self.node, 'lineno', '?')})"


class Args:
    """A call's arguments: positional (``None`` marks a ``*spread``), keywords, ``**spreads``."""

    __slots__ = ("positional", "keywords", "spreads", "star", "starred")

    def __init__(self, positional: Tuple[Optional[Arg], ...], keywords: Tuple[Tuple[str, Arg], ...],
                 spreads: Tuple[Arg, ...], star: bool, starred: Tuple[Arg, ...] = ()):
        self.positional = positional
        self.keywords = keywords
        self.spreads = spreads
        self.star = star            # a ``*args`` spread: positions after it are unknown
        self.starred = starred      # the ``*args`` expressions themselves (``tf.group(*update_ops)``)

    def keyword(self, name: str) -> Optional[Arg]:
        for key, arg in reversed(self.keywords):
            if key == name:
                return arg
        return None

    def then(self, later: "Args") -> "Args":
        """``functools.partial`` semantics: these arguments first, ``later``'s after; a later
        keyword overrides an earlier one."""
        return Args(self.positional + later.positional, self.keywords + later.keywords,
                    self.spreads + later.spreads, self.star or later.star, self.starred + later.starred)


NO_ARGS = Args((), (), (), False)


class ApiCall(Value):
    """The result of calling an API: an instance of an API class, a tensor, an op. ``args``
    are the arguments as called (a partial's first). ``node`` is the call."""

    __slots__ = ("name", "node", "args", "at", "frame")

    def __init__(self, name: str, node, args: Args, at, frame):
        self.name = name
        self.node = node
        self.args = args
        self.at = at
        self.frame = frame

    def __repr__(self):
        return f"ApiCall({self.name})"


class InstanceCall(Value):
    """Calling what an API call returned (``layer(x)``, ``model(x, training=True)``)."""

    __slots__ = ("receiver", "node", "args", "at", "frame")

    def __init__(self, receiver: Value, node, args: Args, at, frame):
        self.receiver = receiver
        self.node = node
        self.args = args
        self.at = at
        self.frame = frame

    def __repr__(self):
        return f"InstanceCall({self.receiver!r})"


class Method(Value):
    """``receiver.name`` where the receiver is an API value: a method we know by name."""

    __slots__ = ("receiver", "name")

    def __init__(self, receiver: Value, name: str):
        self.receiver = receiver
        self.name = name

    def __repr__(self):
        return f"Method({self.receiver!r}.{self.name})"


class Function(Value):
    """A function or lambda of the project (``scope`` is its body's scope); ``bound`` is the
    instance a method was read from."""

    __slots__ = ("scope", "bound", "frame")

    def __init__(self, scope, bound: Optional[Value] = None, frame=None):
        self.scope = scope
        self.bound = bound
        self.frame = frame          # the frame it was defined in (closures)

    def __repr__(self):
        return f"Function({self.scope.name})"


class Class(Value):
    __slots__ = ("scope",)

    def __init__(self, scope):
        self.scope = scope

    def __repr__(self):
        return f"Class({self.scope.name})"


class Instance(Value):
    """An instance of a project class, made by ``node`` (its construction call)."""

    __slots__ = ("cls", "node", "args", "at", "frame")

    def __init__(self, cls: Class, node, args: Args, at, frame):
        self.cls = cls
        self.node = node
        self.args = args
        self.at = at
        self.frame = frame

    def __repr__(self):
        return f"Instance({self.cls.scope.name})"


class Super(Value):
    """``super()`` (or ``super(C, self)``) in a method of ``cls``: attributes come from the
    classes after ``cls`` in the instance's order, bound to the instance."""

    __slots__ = ("cls", "instance")

    def __init__(self, cls: "Class", instance: Value):
        self.cls = cls
        self.instance = instance

    def __repr__(self):
        return f"Super({self.cls.scope.name})"


class Module(Value):
    """A project module (``index`` is its ModuleIndex)."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index

    def __repr__(self):
        return f"Module({self.index.path})"


class Partial(Value):
    """``functools.partial(target, *args, **keywords)`` (a partial of a partial flattens)."""

    __slots__ = ("target", "args", "node")

    def __init__(self, target: Value, args: Args, node):
        self.target = target
        self.args = args
        self.node = node

    def __repr__(self):
        return f"Partial({self.target!r})"


class Sequence(Value):
    """A list, tuple or set the code shows. ``items`` are Args or Values; a ``Spread`` item
    stands for the elements of another sequence (``[*a]``, ``a + b``)."""

    __slots__ = ("kind", "items", "complete")

    def __init__(self, kind: SequenceKind, items: tuple, complete: bool = True):
        self.kind = kind
        self.items = items
        self.complete = complete

    def __repr__(self):
        return f"Sequence({self.kind}, {len(self.items)})"


class Spread:
    __slots__ = ("arg",)

    def __init__(self, arg):
        self.arg = arg


class Mapping(Value):
    """A dict the code shows: string keys to Args/Values; ``complete`` is False when some key
    is not known (a ``**`` of something unknown, a computed key)."""

    __slots__ = ("entries", "complete", "node")

    def __init__(self, entries: Tuple[Tuple[str, object], ...], complete: bool, node=None):
        self.entries = entries
        self.complete = complete
        self.node = node

    def get(self, key: str):
        for name, item in reversed(self.entries):
            if name == key:
                return item
        return None

    def __repr__(self):
        return f"Mapping({[k for k, _ in self.entries]}, complete={self.complete})"


class Union(Value):
    """One of several values (a name bound in both branches of an ``if``)."""

    __slots__ = ("options",)

    def __init__(self, options: tuple):
        self.options = options

    def __repr__(self):
        return f"Union({list(self.options)!r})"


class ParamValue(Value):
    """A parameter whose call is not known (its default may still be)."""

    __slots__ = ("param",)

    def __init__(self, param):
        self.param = param

    def __repr__(self):
        return f"Param({self.param.name})"


class TrainOp(Value):
    """The op a ``minimize``/``apply_gradients`` call (``site``) returns."""

    __slots__ = ("site",)

    def __init__(self, site):
        self.site = site

    def __repr__(self):
        return f"TrainOp(line {self.site.node.lineno})"


class CollectionRead(Value):
    """``get_collection(key)`` (``live``: ``get_collection_ref``). ``key`` is None when unknown."""

    __slots__ = ("key", "live", "node", "at")

    def __init__(self, key: Optional[str], live: bool, node, at):
        self.key = key
        self.live = live
        self.node = node
        self.at = at

    def __repr__(self):
        return f"CollectionRead({self.key})"


class KerasUpdates(Value):
    """``model.updates`` / ``model.get_updates_for(x)``."""

    __slots__ = ("model",)

    def __init__(self, model: Value):
        self.model = model


class ArgScopeStack(Value):
    """What ``with slim.arg_scope(...) as sc`` binds: every arg_scope open at that point."""

    __slots__ = ("entries",)

    def __init__(self, entries: tuple):
        self.entries = entries      # ApiCall values of arg_scope calls, outermost first


def options(value: Value):
    """The alternatives of a value (a Union's options, else the value itself)."""
    if type(value) is Union:
        return value.options
    return (value,)


def union(values) -> Value:
    flat = []
    seen = set()
    for value in values:
        for option in options(value):
            # Constants are one value by what they hold; anything else by identity.
            key = id(option) if type(option) is not Const else (Const, repr(option.value))
            if key not in seen:
                seen.add(key)
                flat.append(option)
    if not flat:
        return UNKNOWN
    if len(flat) == 1:
        return flat[0]
    return Union(tuple(flat))
