"""Framework knowledge outside the tables, and free-string comparisons (issue 23, item 3).

A *framework literal* is a string constant in ``core/`` or ``rules/`` that is shaped like a
Python name or a dotted path (``"cond"``, ``"tensorflow.keras."``) and is not one of:

- a docstring, or a piece of an f-string (message text);
- a Python-language name: a keyword, a builtin (also as ``builtins.X``), a method of a builtin
  type, a standard-library module, an ``ast`` node class or field, a dunder, ``self``/``cls``,
  a codec or file-mode word (``PYTHON_WORDS`` below);
- a rule code (``BNU002``);
- a name of the package's own making: an entry of ``__slots__``, a string annotation (a forward
  reference), the value of an ``Enum`` member (the enum is where a vocabulary word is defined);
- display text: what ``__repr__``/``__str__`` return;
- the name in ``getattr``/``hasattr``/``setattr`` of an attribute the package's own classes
  define (``getattr(item, "frame", None)``), or a key of an object's ``__dict__`` (a cache kept
  on the object: ``self.__dict__.get("_cache")``).

Everything else names something of a framework (an API, module, keyword or class) or is a free
vocabulary word (``"keras"`` as a family, ``"given"`` as a flag state) that belongs in an enum:
either way it belongs in a table module (``tf_api``, ``torch_api``, ``keras_flax_api``) or an
enum, and ``tests/test_architecture.py`` fails on it.

A *free-string comparison* is ``x.kind == "..."`` / ``x.family != "..."`` / ``x.state in
("...", ...)`` on one of ``VOCABULARY_ATTRIBUTES``, with at least one string literal on the
other side.

Usage: ``python benchmarks/literals.py [--list] [--package DIR]`` prints both counts for the whole
package and per file (``--list``: every framework literal with its line; ``--package``: count
another copy of the package, e.g. an older commit's ``git archive``).
"""
from __future__ import annotations

import ast
import builtins
import keyword
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Iterator, List, Tuple

PACKAGE = Path(__file__).resolve().parent.parent / "flake8_bn_update_ops"
# The modules whose job is to hold the knowledge.
TABLE_MODULES = frozenset({"tf_api.py", "torch_api.py", "keras_flax_api.py"})
CHECKED_FOLDERS = ("core", "rules")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\.?")
_RULE_CODE = re.compile(r"BNU\d{3}")
_DUNDER = re.compile(r"__\w+__")


def _standard_library() -> frozenset:
    names = getattr(sys, "stdlib_module_names", None)     # Python >= 3.10
    if names is not None:
        return frozenset(names)
    import sysconfig

    folder = Path(sysconfig.get_paths()["stdlib"])
    return frozenset(set(sys.builtin_module_names) | {
        path.stem if path.suffix == ".py" else path.name.split(".")[0] for path in folder.iterdir()})


def _ast_words() -> frozenset:
    words = set()
    pending = [ast.AST]
    while pending:
        node_type = pending.pop()
        pending.extend(node_type.__subclasses__())
        words.add(node_type.__name__)
        words.update(getattr(node_type, "_fields", ()))
        words.update(getattr(node_type, "_attributes", ()))
    # Node classes of newer Pythons, named by ``hasattr(ast, ...)`` checks on older ones.
    words.update({"Match", "TryStar", "TypeAlias", "_fields", "_attributes"})
    return frozenset(words)


def _python_words() -> frozenset:
    # Not the soft keywords: ``case`` is also ``tf.case``, and none of them is reserved.
    words = set(keyword.kwlist) | set(dir(builtins))
    words |= {f"builtins.{name}" for name in dir(builtins)} | {"builtins."}
    for kind in (list, dict, set, str, tuple, bytes):
        words.update(name for name in dir(kind) if not name.startswith("_"))
    words |= _standard_library() | _ast_words()
    words |= {"self", "cls", "_", "ascii", "utf-8", "surrogatepass", "rb", "stdin", "fromlist"}
    return frozenset(words)


PYTHON_WORDS = _python_words()


def _own_attributes() -> frozenset:
    """Attribute names the package's own classes define (``__slots__`` entries, ``self.x = ...``)."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__slots__"
                                                    for t in node.targets):
                names.update(part.value for part in ast.walk(node.value)
                             if isinstance(part, ast.Constant) and isinstance(part.value, str))
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) \
                    and isinstance(node.value, ast.Name) and node.value.id == "self":
                names.add(node.attr)
    return frozenset(names)


OWN_ATTRIBUTES = _own_attributes()
_ATTRIBUTE_FUNCTIONS = frozenset({"getattr", "hasattr", "setattr"})

# Attributes whose values are vocabulary words (each should hold an enum member).
VOCABULARY_ATTRIBUTES = frozenset({"kind", "family", "state", "via", "origin", "mode", "fix_safety"})


def _exempt_nodes(tree: ast.AST) -> set:
    """ids of string constants that are not knowledge: docstrings, f-string parts, ``__slots__``
    entries, string annotations, Enum member values."""
    exempt = set()
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body \
                and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            exempt.add(id(node.body[0].value))
        if isinstance(node, ast.JoinedStr):
            exempt.update(id(part) for part in ast.walk(node))
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__slots__"
                                                for t in node.targets):
            exempt.update(id(part) for part in ast.walk(node.value))
        if isinstance(node, ast.arg) and node.annotation is not None:
            exempt.update(id(part) for part in ast.walk(node.annotation))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            exempt.update(id(part) for part in ast.walk(node.returns))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _ATTRIBUTE_FUNCTIONS \
                and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) \
                and node.args[1].value in OWN_ATTRIBUTES:
            exempt.add(id(node.args[1]))     # reading an attribute of the package's own objects
        if isinstance(node, ast.Attribute) and node.attr == "__dict__":
            holder = parents.get(id(node))      # ``x.__dict__["name"]``, ``x.__dict__.get("name")``
            if isinstance(holder, ast.Subscript):
                exempt.update(id(part) for part in ast.walk(holder.slice))
            elif isinstance(holder, ast.Attribute):
                call = parents.get(id(holder))
                if isinstance(call, ast.Call) and call.args:
                    exempt.add(id(call.args[0]))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in ("__repr__", "__str__"):
            exempt.update(id(part) for part in ast.walk(node))   # display text
        if isinstance(node, ast.AnnAssign):
            exempt.update(id(part) for part in ast.walk(node.annotation))
        if isinstance(node, ast.ClassDef) and any("Enum" in ast.unparse(base) or "Vocabulary" in ast.unparse(base)
                                                  for base in node.bases):
            for statement in node.body:
                if isinstance(statement, ast.Assign):
                    exempt.update(id(part) for part in ast.walk(statement.value))
    return exempt


def framework_literals(path: Path) -> Iterator[Tuple[int, str]]:
    """(line, text) of each framework literal in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    exempt = _exempt_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if type(node) is not ast.Constant or type(node.value) is not str or id(node) in exempt:
            continue
        text = node.value
        if not _IDENTIFIER.fullmatch(text) or text in PYTHON_WORDS or _RULE_CODE.fullmatch(text) \
                or _DUNDER.fullmatch(text):
            continue
        found.append((node.lineno, node.col_offset, text))
    for line, _, text in sorted(found):     # in source order
        yield line, text


def _has_string(node: ast.AST) -> bool:
    if type(node) is ast.Constant:
        return type(node.value) is str
    if type(node) in (ast.Tuple, ast.List, ast.Set):
        return any(_has_string(element) for element in node.elts)
    return False


def free_string_comparisons(path: Path) -> Iterator[Tuple[int, str]]:
    """(line, source) of each comparison of a vocabulary attribute with a string literal."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if type(node) is not ast.Compare:
            continue
        sides = [node.left] + list(node.comparators)
        attributes = [side for side in sides if type(side) is ast.Attribute and side.attr in VOCABULARY_ATTRIBUTES]
        if attributes and any(_has_string(side) for side in sides):
            found.append((node.lineno, node.col_offset, ast.unparse(node)))
    for line, _, text in sorted(found):
        yield line, text


def checked_modules() -> List[Path]:
    return sorted(path for folder in CHECKED_FOLDERS for path in (PACKAGE / folder).rglob("*.py"))


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


def _vocabulary_words() -> frozenset:
    """The words of this checkout's enums (``core/kinds.py``, ``tf_api.Family``)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from enum import Enum

    from flake8_bn_update_ops import tf_api
    from flake8_bn_update_ops.core import kinds

    enums = [item for item in vars(kinds).values() if isinstance(item, type) and issubclass(item, Enum)]
    return frozenset(member.value for enum in enums + [tf_api.Family] for member in enum)


def main(argv=None) -> int:
    global PACKAGE
    argv = sys.argv[1:] if argv is None else argv
    if "--package" in argv:
        PACKAGE = Path(argv[argv.index("--package") + 1]).resolve()
    literal_counts = Counter({_name(path): len(list(framework_literals(path))) for path in checked_modules()})
    comparison_counts = Counter({_name(path): len(list(free_string_comparisons(path)))
                                 for path in sorted(PACKAGE.rglob("*.py"))})
    vocabulary = _vocabulary_words()
    words = Counter(_name(path) for path in checked_modules() for _, text in framework_literals(path)
                    if text in vocabulary)
    print(f"framework literals outside the tables (core/, rules/): {sum(literal_counts.values())} "
          f"(of which vocabulary words that are now enum members: {sum(words.values())})")
    for name, count in sorted(literal_counts.items()):
        if count:
            print(f"  {name}: {count} ({words[name]} vocabulary)")
    print(f"free-string comparisons (whole package): {sum(comparison_counts.values())}")
    for name, count in sorted(comparison_counts.items()):
        if count:
            print(f"  {name}: {count}")
    if "--list" in argv:
        for path in checked_modules():
            for line, text in framework_literals(path):
                print(f"{_name(path)}:{line}: {text!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
