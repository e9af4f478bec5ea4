"""The package's import graph: stage packages, imports only downward, no cycles, and the
light stages torch-free; and the workflow's rule files, included in the pipeline's order.

Every module of `xstilts` is parsed with `ast`; imports inside functions count, since a
function-level import is an edge of the architecture just as a top-level one is.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "xstilts"
UNIT_TESTS = PACKAGE.parent / "tests" / "unit"

# The stages, lowest first (docs/architecture.md). A module may import its own stage and
# the stages below it, never one above.
STAGES = ("runtime", "spec", "metrics", "data", "store", "models", "formats", "config", "train",
          "evaluate", "report", "audit")

# Stages that must import without torch (reports, audit and scoring run on any machine).
LIGHT_STAGES = ("metrics", "report", "audit")
LIGHT_MODULES = ("xstilts.evaluate.scoring", "xstilts.store.splits", "xstilts.config")


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


def stage_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in STAGES:
        raise AssertionError(f"{module}: not inside a stage package ({', '.join(STAGES)})")
    return parts[1]


def test_no_import_cycles():
    found = [sorted(cycle) for cycle in cycles(import_graph())]
    assert not found, f"import cycles (function-level imports included): {found}"


def test_every_module_lives_in_a_stage():
    loose = [name for name in modules() if name != "xstilts"
             and name.split(".")[1] not in STAGES]
    assert not loose, f"modules outside the stage packages: {loose}"


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    rank = {stage: index for index, stage in enumerate(STAGES)}
    return [f"{module} -> {target}" for module, targets in sorted(edges.items())
            if module != "xstilts" for target in sorted(targets)
            if target.startswith("xstilts.") and rank[stage_of(target)] > rank[stage_of(module)]]


def test_upward_import_finder_finds_one():
    edges = {"xstilts.train.loop": {"xstilts.evaluate.scoring", "xstilts.store.prepared"},
             "xstilts.evaluate.scoring": {"xstilts.train.loop", "xstilts.runtime.warm"}}
    assert upward_imports(edges) == ["xstilts.train.loop -> xstilts.evaluate.scoring"]


def test_imports_only_go_down_the_stages():
    upward = upward_imports(import_graph())
    assert not upward, f"imports of a higher stage: {upward}"


def test_light_stages_import_without_torch():
    light = [name for name in modules() if name.split(".")[1:2] in ([s] for s in LIGHT_STAGES)]
    light += LIGHT_MODULES
    code = ("import importlib, sys\n"
            f"for name in {light!r}:\n"
            "    importlib.import_module(name)\n"
            "print('torch' in sys.modules)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=PACKAGE.parent, check=True)
    assert run.stdout.strip() == "False", "a light stage imports torch"


def test_every_format_declares_its_kind_without_torch():
    # config, report and audit ask a format's kind (xstilts.formats.kind_of), which imports
    # the format's module: no format module may import torch at module level
    code = ("import sys\n"
            "from xstilts.formats import FORMAT_MODULES, get_format\n"
            "kinds = [get_format(name).kind.value for name in FORMAT_MODULES]\n"
            "print(len(kinds), 'torch' in sys.modules)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=PACKAGE.parent, check=True)
    assert run.stdout.split()[1] == "False", "a format module imports torch"
    assert int(run.stdout.split()[0]) >= 6


def defined_in(mods: dict[str, Path]) -> dict[str, dict[str, str]]:
    """{module: {name: the module that defines it}} of each module's top-level names; a
    name a module imports from another (a package's re-exports) leads to its source."""
    names: dict[str, dict[str, str]] = {}
    for module, path in mods.items():
        found = names.setdefault(module, {})
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                found[node.name] = module
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Name):
                        found[target.id] = module
            elif isinstance(node, ast.ImportFrom) and node.module and node.module in mods:
                for alias in node.names:
                    found[alias.asname or alias.name] = f"{node.module}:{alias.name}"
    for found in names.values():  # follow re-exports to where a name is defined
        for name, source in found.items():
            for _ in range(5):
                if ":" not in source:
                    break
                origin, imported = source.split(":")
                source = names.get(origin, {}).get(imported, origin)
            found[name] = source.split(":")[0]
    return names


def modules_imported_by(test_file: Path, mods: dict[str, Path], names: dict) -> set[str]:
    """The package modules a test file imports, directly or through a name they define."""
    tested = set()
    for node in ast.walk(ast.parse(test_file.read_text())):
        if isinstance(node, ast.Import):
            tested |= {alias.name for alias in node.names if alias.name in mods}
        elif isinstance(node, ast.ImportFrom) and node.module in mods:
            tested.add(node.module)
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                tested.add(submodule if submodule in mods
                           else names[node.module].get(alias.name, node.module))
    return tested


# Modules that only run inside a whole job, tested end to end (tests/workflow/ names them
# where they are exercised) rather than in a unit test of their stage.
END_TO_END = {
    "xstilts.audit.deep": "tests/workflow/test_audit.py",
    "xstilts.evaluate.repredict": "tests/workflow/test_audit.py",
    "xstilts.evaluate.zero_shot": "tests/workflow/test_workflow.py",
    "xstilts.formats.multitask": "tests/workflow/test_workflow.py",
    "xstilts.train.multitask": "tests/workflow/test_workflow.py",
}


def test_every_module_has_a_home_in_the_unit_tests():
    # tests mirror the packages: a module of stage S is imported (itself, or a name it
    # defines) by a test in tests/unit/S/; a package whose __init__ defines nothing needs
    # none
    mods = modules()
    names = defined_in(mods)
    homeless = []
    for module in sorted(mods):
        if module in ("xstilts", *END_TO_END) or not names[module]:
            continue
        folder = UNIT_TESTS / stage_of(module)
        if not any(module in modules_imported_by(test, mods, names)
                   for test in folder.rglob("test_*.py")):
            homeless.append(f"{module} (tests/unit/{stage_of(module)}/)")
    assert not homeless, f"modules no unit test of their stage imports: {homeless}"


def test_modules_tested_end_to_end_name_a_test_that_runs_them():
    for module, test in END_TO_END.items():
        assert (PACKAGE.parent / test).is_file(), f"{module}: {test} does not exist"


# The rule files, one per stage of the pipeline, in the order the data flows through them
# (docs/architecture.md): the Snakefile's includes read as the data flow.
RULES = PACKAGE.parent / "rules"
PIPELINE = ("common", "data", "train", "evaluate", "tables", "report")


def test_the_snakefile_includes_the_rule_files_in_pipeline_order():
    snakefile = (PACKAGE.parent / "Snakefile").read_text()
    included = re.findall(r'^include: "rules/(\w+)\.smk"', snakefile, re.MULTILINE)
    assert tuple(included) == PIPELINE
    assert sorted(path.stem for path in RULES.glob("*.smk")) == sorted(PIPELINE)


def test_input_functions_live_in_common_and_rules_in_the_stage_files():
    # a rule names its input and parameter functions; rules/common.smk defines them
    inline = [path.name for path in sorted(RULES.glob("*.smk"))
              if path.name != "common.smk" and re.search(r"\blambda\b", path.read_text())]
    assert not inline, f"rule files with an inline lambda: {inline}"
    common = (RULES / "common.smk").read_text()
    assert not re.search(r"^(rule|use rule|localrules|ruleorder)\b", common, re.MULTILINE)
