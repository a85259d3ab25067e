"""The shape of the code, checked: no import cycles, no protege imports hidden inside functions
in the core, a serving path that never loads training or report code, and apps that use only
the public API (``protege`` and, for CLI plugins, ``protege.cli.common``)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import protege

SRC = Path(protege.__file__).parent
APPS = SRC / "apps"


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in SRC.rglob("*.py")}


def protege_imports(path: Path):
    """(imported module, line, at module level?) for every protege import outside TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
               for n in ast.walk(node)}
    top = {id(n) for node in tree.body for n in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for name in names:
            if name == "protege" or name.startswith("protege."):
                while name not in MODULES:
                    name = name.rpartition(".")[0]
                yield name, node.lineno, id(node) in top


def test_no_import_cycles_and_no_hidden_imports_in_the_core():
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    hidden = []
    for name, path in MODULES.items():
        for target, line, at_top in protege_imports(path):
            if target != name and target != "protege":
                graph[name].add(target)
            if not at_top and not name.startswith("protege.apps."):
                hidden.append(f"{path.relative_to(SRC)}:{line} imports {target} inside a function")
    assert hidden == []
    cycles = _cycles(graph)
    assert cycles == [], f"import cycles: {cycles}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
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
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


SERVING = "import protege, protege.router, protege.students.runtime, protege.teachers, protege.store"
NEVER_IN_SERVING = ("protege.train", "protege.dataset", "protege.evaluate.report", "protege.evaluate.runner",
                    "protege.evaluate.promote", "protege.worker", "torch", "transformers", "peft")


def test_serving_never_loads_training_or_report_code():
    code = f"import json, sys; {SERVING}; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    offending = [m for m in loaded if m.startswith(NEVER_IN_SERVING)]
    assert offending == []
    assert "protege.router" in loaded and "protege.students.runtime" in loaded


def test_training_and_eval_entry_points_load_on_first_use():
    code = ("import json, sys, protege; before = 'protege.train.pipeline' in sys.modules; "
            "names = [n for n in protege.__all__ if getattr(protege, n) is None]; "
            "print(json.dumps([before, names, protege.gate_site.__module__]))")
    before, missing, gate_module = json.loads(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert before is False and missing == [] and gate_module == "protege.evaluate.promote"


def test_apps_import_only_the_public_api():
    public = set(protege.__all__)
    private = []
    for path in APPS.rglob("*.py"):
        app = path.relative_to(APPS).parts[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "protege":
                private += [f"{path.name}: protege.{a.name}" for a in node.names if a.name not in public]
        for target, line, _ in protege_imports(path):
            allowed = target in ("protege", "protege.cli.common") or target.startswith(f"protege.apps.{app}")
            if not allowed:
                private.append(f"{path.relative_to(SRC)}:{line}: {target}")
    assert private == []


def test_every_sql_statement_lives_in_the_store():
    outside = []
    for path in SRC.rglob("*.py"):
        if path.is_relative_to(SRC / "store"):
            continue
        for target in ("import sqlalchemy", "from sqlalchemy", "protege.store.tables", ".engine.connect", ".engine.begin"):
            if target in path.read_text(encoding="utf-8"):
                outside.append(f"{path.relative_to(SRC)}: {target}")
    assert outside == []
