"""The layout holds: a shared core (tap_zohodesk/api) that the tap and the target stand on and
that points back at neither, no import circle anywhere, and no file over 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("tap_zohodesk", "target_zohodesk")
LIMIT = 400


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _runtime_imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules ``path`` imports, type-only imports (``if TYPE_CHECKING:``) included: a
    reader follows them too, so they count for circles and for the layers."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found |= {n for n in names if n in modules}
    return found


def test_no_import_circle():
    modules = _modules()
    graph = {name: _runtime_imports(path, modules) - {name} for name, path in modules.items()}
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in trail:
            raise AssertionError("import circle: " + " -> ".join((*trail[trail.index(name):], name)))
        if name in done:
            return
        for nxt in sorted(graph[name]):
            visit(nxt, (*trail, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())


def test_the_core_points_back_at_neither_the_tap_nor_the_target():
    modules = _modules()
    for name, path in modules.items():
        imports = _runtime_imports(path, modules)
        if name.startswith("tap_zohodesk.api"):
            assert all(i.startswith("tap_zohodesk.api") for i in imports), (name, imports)
        if name.startswith("target_zohodesk"):
            assert all(i.startswith(("tap_zohodesk.api", "target_zohodesk")) for i in imports), (name, imports)


def test_no_file_over_400_lines():
    long = [f"{p.relative_to(ROOT)}: {n}" for folder in (*PACKAGES, "tests", "scripts", "benchmarks")
            for p in (ROOT / folder).rglob("*.py") if (n := len(p.read_text().splitlines())) > LIMIT]
    assert not long, long


def test_no_function_over_60_lines():
    long = [f"{p.relative_to(ROOT)}:{node.lineno} {node.name}: {node.end_lineno - node.lineno + 1}"
            for folder in (*PACKAGES, "scripts", "benchmarks") for p in (ROOT / folder).rglob("*.py")
            for node in ast.walk(ast.parse(p.read_text()))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 60]
    assert not long, long
