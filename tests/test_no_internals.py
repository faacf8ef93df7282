"""The pipeline's source uses other packages through their public API only (issue 15).

Flagged in ``tka/``, ``tasks/`` and ``flows/``: ``gc.freeze``, ``malloc_trim`` and ``ctypes``; importing a private
name or module of another package; reading a leading-underscore attribute of anything but ``self``/``cls``, a
class of the same module or a name imported from the project; ``self._x``/``super()._x`` in a subclass of another package's class where ``_x`` is
that class's, and overriding such a method; assigning to an attribute of an imported module or class.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PACKAGES = frozenset({"tka", "tasks", "flows"})
BANNED_TEXT = ("gc.freeze", "malloc_trim", "ctypes")
# Leading-underscore names that are documented public API.
PUBLIC_UNDERSCORE = frozenset({"_exit", "_replace", "_asdict", "_fields", "_make", "_field_defaults"})


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _root(node: ast.expr) -> ast.expr:
    """The innermost value of an attribute chain ``a.b.c`` (``a``)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node


def _pure_chain(node: ast.expr) -> bool:
    """``a.b.c`` made of names and attributes only (no call, subscript)."""
    return isinstance(_root(node), ast.Name)


class Finder(ast.NodeVisitor):
    """Collects ``(line, what)`` for every use of another package's internals in one module."""

    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self.foreign: dict[str, str] = {}  # local name -> dotted path of the other package's module/object
        self.local_classes: set[str] = set()
        self.project: set[str] = set()  # local names of the project's own modules and objects
        self.classes: list[tuple[list[str], set[str]]] = []  # (foreign bases as dotted paths, own member names)

    # --- bindings --------------------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            if top in PROJECT_PACKAGES:
                self.project.add(alias.asname or top)
                continue
            if any(_private(part) for part in alias.name.split(".")):
                self.found.append((node.lineno, f"import of private module {alias.name}"))
            local = alias.asname or top
            self.foreign[local] = alias.name if alias.asname else top

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level or module.split(".")[0] in PROJECT_PACKAGES:
            self.project.update(alias.asname or alias.name for alias in node.names)
            return
        if any(_private(part) for part in module.split(".")):
            self.found.append((node.lineno, f"import from private module {module}"))
        for alias in node.names:
            if _private(alias.name):
                self.found.append((node.lineno, f"import of private name {module}.{alias.name}"))
            self.foreign[alias.asname or alias.name] = f"{module}.{alias.name}"

    def _is_foreign(self, node: ast.expr) -> bool:
        root = _root(node)
        return isinstance(root, ast.Name) and root.id in self.foreign

    # --- classes ---------------------------------------------------------------------------------------------
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.local_classes.add(node.name)
        bases = [ast.unparse(b) for b in node.bases if _pure_chain(b) and self._is_foreign(b)]
        paths = [self._dotted(b) for b in bases]
        own = {n.name for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        own |= {t.id for n in ast.walk(node) if isinstance(n, ast.Assign | ast.AnnAssign)
                for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}
        own |= {t.attr for n in ast.walk(node) if isinstance(n, ast.Assign | ast.AnnAssign)
                for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"}
        for item in node.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and _private(item.name):
                for path in paths:
                    if hasattr(_resolve(path), item.name):
                        self.found.append((item.lineno, f"{node.name}.{item.name} overrides {path}'s private"))
        self.classes.append((paths, own))
        self.generic_visit(node)
        self.classes.pop()

    def _dotted(self, expr: str) -> str:
        head, _, rest = expr.partition(".")
        return f"{self.foreign[head]}.{rest}" if rest else self.foreign[head]

    # --- uses ------------------------------------------------------------------------------------------------
    def visit_Attribute(self, node: ast.Attribute) -> None:
        if _private(node.attr) and node.attr not in PUBLIC_UNDERSCORE:
            value = node.value
            mine = isinstance(value, ast.Name) and (value.id in {"self", "cls"} or value.id in self.local_classes)
            ours = isinstance(_root(value), ast.Name) and _root(value).id in self.project
            is_super = isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "super"
            if not mine and not is_super and not ours:
                self.found.append((node.lineno, f"private attribute {ast.unparse(node)}"))
            elif (mine or is_super) and self.classes:
                paths, own = self.classes[-1]
                if (is_super or node.attr not in own) and any(hasattr(_resolve(p), node.attr) for p in paths):
                    self.found.append((node.lineno, f"{ast.unparse(node)}: a private of {', '.join(paths)}"))
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assigned(target, node.lineno)
        # ``module = xlsxwriter.workbook``: the local name is the other package's module too
        if _pure_chain(node.value) and self._is_foreign(node.value):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.foreign[target.id] = self._dotted(ast.unparse(node.value))
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._assigned(node.target, node.lineno)
        self.generic_visit(node)

    def _assigned(self, target: ast.expr, line: int) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._assigned(element, line)
        elif isinstance(target, ast.Attribute) and _pure_chain(target) and self._is_foreign(target):
            self.found.append((line, f"assignment to another package's global {ast.unparse(target)}"))

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "setattr" and node.args \
                and _pure_chain(node.args[0]) and self._is_foreign(node.args[0]):
            self.found.append((node.lineno, f"setattr on another package's {ast.unparse(node.args[0])}"))
        self.generic_visit(node)


def _resolve(path: str) -> object:
    """The module, class or object at a dotted ``path`` (None if it cannot be imported)."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name, None)
        return obj
    return None


def findings(source: str) -> list[tuple[int, str]]:
    """Every use of another package's internals in ``source``, by line."""
    found = [(n, f"uses {word}") for n, line in enumerate(source.splitlines(), start=1)
             for word in BANNED_TEXT if word in line]
    finder = Finder()
    finder.visit(ast.parse(source))
    return sorted(found + finder.found)


def _sources() -> Iterator[Path]:
    for package in sorted(PROJECT_PACKAGES):
        yield from sorted((ROOT / package).rglob("*.py"))


# One use of internals of each kind (the lines FLAGGED), and uses that are fine.
SAMPLE: tuple[str, ...] = (
    "import gc",
    "import msoffcrypto.method.ecma376_agile as agile",
    "import xlsxwriter.workbook",
    "from sqlalchemy.dialects import sqlite",
    "from great_expectations.execution_engine import PandasExecutionEngine",
    "from xlsxwriter.worksheet import Worksheet",
    "from pandas._libs import lib",
    "from tka.validate.workbook import _Book",
    "gc.freeze()",
    "agile._random_buffer = None",
    "x = sqlite.DATE._storage_format",
    "def f(column_type, dialect):",
    "    return column_type._cached_bind_processor(dialect)",
    "module = xlsxwriter.workbook",
    "module.ZipFile = None",
    "class Engine(PandasExecutionEngine):",
    "    def f(self, data):",
    "        return self._apply_row_condition_filter(data)",
    "class Sheet(Worksheet):",
    "    def _write_cell(self, row, col, cell):",
    "        super()._write_cell(row, col, cell)",
    "class Mine:",
    "    def _helper(self):",
    "        return self._helper, Mine._helper",
    "from tka.sample import pools",
    "y = pools._CHN_SYLLABLES",
    "import os",
    "os._exit(3)",
    "from odf.element import Element",
    "Element.namespaces = {}",
)
FLAGGED = [7, 9, 10, 11, 13, 15, 18, 20, 21, 30]


def test_the_finder_flags_each_kind_of_internals_use() -> None:
    source = "\n".join(SAMPLE)
    assert sorted({line for line, _ in findings(source)}) == FLAGGED


def test_source_uses_no_third_party_internals() -> None:
    sources = list(_sources())
    assert len(sources) > 50  # the walk found the packages
    assert [f"{path.relative_to(ROOT)}:{line}: {what}" for path in sources
            for line, what in findings(path.read_text("utf-8"))] == []
