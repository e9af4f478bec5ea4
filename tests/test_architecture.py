"""The package's import graph: no new import cycles, and the light stages stay torch-free.

Every module of `xstilts` is parsed with `ast`; imports inside functions count, since a
function-level import is an edge of the architecture just as a top-level one is.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "xstilts"

# The cycles the package still has (issue 17 breaks them). The test fails on any cycle
# not listed here, and on a listed one that no longer exists, so the list only shrinks.
KNOWN_CYCLES = [
    frozenset({
        "xstilts.data.demo", "xstilts.data.layouts_choice", "xstilts.data.layouts_qa",
        "xstilts.data.layouts_retrieval", "xstilts.data.layouts_tagging",
        "xstilts.data.layouts_text", "xstilts.data.schemas",
    }),
    frozenset({
        "xstilts.config", "xstilts.data.prepared", "xstilts.mlm", "xstilts.models.base",
        "xstilts.models.sentence_encoder", "xstilts.multitask", "xstilts.provenance",
        "xstilts.scoring", "xstilts.tasks.retrieval", "xstilts.test_split",
        "xstilts.training",
    }),
]

# Stages that must import without torch (reports, audit and scoring run on any machine).
LIGHT = [
    "xstilts.metrics.averages", "xstilts.metrics.bootstrap", "xstilts.metrics.classification",
    "xstilts.metrics.qa", "xstilts.metrics.retrieval", "xstilts.metrics.tagging",
    "xstilts.tables", "xstilts.table1", "xstilts.table3", "xstilts.results",
    "xstilts.comparison", "xstilts.figures", "xstilts.translation",
    "xstilts.audit", "xstilts.status", "xstilts.scoring",
]


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if name.endswith(".__init__"):
            name = name[: -len(".__init__")]
        found[name] = path
    return found


def import_graph() -> dict[str, set[str]]:
    mods = modules()

    def targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        if node.level:
            base = module.split(".")
            if mods[module].name != "__init__.py":
                base = base[:-1]
            base = base[: len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        return [f"{target}.{alias.name}" if f"{target}.{alias.name}" in mods else target
                for alias in node.names]

    edges: dict[str, set[str]] = {module: set() for module in mods}
    for module, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in targets(module, node):
                    while target and target not in mods:
                        target = target.rpartition(".")[0]
                    if target and target not in (module, "xstilts"):
                        edges[module].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
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
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_cycle_finder_finds_a_cycle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [frozenset({"a", "b", "c"})]


def test_no_new_import_cycles():
    found = cycles(import_graph())
    new = [sorted(cycle) for cycle in found if cycle not in KNOWN_CYCLES]
    assert not new, f"import cycles (function-level imports included): {new}"
    gone = [sorted(cycle) for cycle in KNOWN_CYCLES if cycle not in found]
    assert not gone, f"these cycles are broken or changed; update KNOWN_CYCLES: {gone}"


def test_light_stages_import_without_torch():
    code = ("import importlib, sys\n"
            f"for name in {LIGHT!r}:\n"
            "    importlib.import_module(name)\n"
            "print('torch' in sys.modules)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=PACKAGE.parent, check=True)
    assert run.stdout.strip() == "False", "a light stage imports torch"
