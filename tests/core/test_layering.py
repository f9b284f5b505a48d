"""core/ is the domain: it must never import Qt (CONVENTIONS.md rule 1)."""

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


def test_views_reach_providers_only_through_the_registry_and_never_commit() -> None:
    views = CORE.parent / "views"
    concrete = [
        (f, m)
        for f, m in _imports(views)
        if m.startswith("aiuteur_desktop.providers") and m != "aiuteur_desktop.providers.registry"
    ]
    commits = [
        f"{path.relative_to(views)}:{n}"
        for path in views.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ".commit(" in line
    ]
    assert concrete == [] and commits == []
