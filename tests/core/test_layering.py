"""The layers hold (docs/ARCHITECTURE.md): core/ never imports Qt (CONVENTIONS.md rule 1),
dependencies point down, no module imports itself round a loop, and views reach providers only
through the modules `providers/startup.py` lists. `lint-imports` (pyproject.toml) checks the
order of core's rooms in CI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import aiuteur_desktop

CORE = Path(aiuteur_desktop.__file__).parent / "core"
QT_ROOTS = {"PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2"}


def test_no_core_module_imports_qt() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in QT_ROOTS]
    assert offenders == []


def test_importing_all_of_core_loads_no_qt() -> None:
    modules = sorted(
        "aiuteur_desktop." + ".".join(p.relative_to(CORE.parent).with_suffix("").parts)
        for p in CORE.rglob("*.py")
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m.replace('.__init__', ''))\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {sorted(QT_ROOTS)!r}]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _imports(root: Path) -> list[tuple[str, str]]:
    """(file, imported module) for every import under `root`, relative imports resolved."""
    out = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                out += [(str(path.relative_to(root.parent)), a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                out.append((str(path.relative_to(root.parent)), node.module))
    return out


def _modules() -> dict[str, Path]:
    package = CORE.parent
    out = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports, counting imports inside functions (they
    run as surely as the others, only later) but not those under `if TYPE_CHECKING:`.
    `from package import name` is an edge to `package.name` when that is a module."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for stmt in node.body
            for inner in ast.walk(stmt)
        }
        edges: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name in modules}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    if full in modules:
                        edges.add(full)
                    elif node.module in modules:
                        edges.add(node.module)
        graph[name] = edges - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_itself_round_a_loop() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_check_finds_a_loop_through_an_import_inside_a_function() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_core_is_rooms_with_a_handful_of_shared_modules_at_its_root() -> None:
    root_files = sorted(p.name for p in CORE.glob("*.py"))
    assert len(root_files) <= 8, root_files


def test_dependencies_point_down() -> None:
    """views → providers → core (DESIGN.md "Layers"): never upwards."""
    package = CORE.parent
    up_from_core = [
        (f, m)
        for f, m in _imports(CORE)
        if m.startswith(("aiuteur_desktop.providers", "aiuteur_desktop.views"))
    ]
    up_from_providers = [
        (f, m) for f, m in _imports(package / "providers") if m.startswith("aiuteur_desktop.views")
    ]
    assert up_from_core == [] and up_from_providers == []


def test_views_reach_providers_only_through_the_listed_modules_and_never_commit() -> None:
    from aiuteur_desktop.providers.startup import VIEW_MODULES

    graph = _graph()
    concrete = sorted(
        (view, module)
        for view, imported in graph.items()
        if view.startswith("aiuteur_desktop.views")
        for module in imported
        if module.startswith("aiuteur_desktop.providers.") and module not in VIEW_MODULES
    )
    views = CORE.parent / "views"
    commits = [
        f"{path.relative_to(views)}:{n}"
        for path in views.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ".commit(" in line
    ]
    assert concrete == [] and commits == []
