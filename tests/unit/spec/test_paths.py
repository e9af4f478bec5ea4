"""The path contract: every path the workflow writes is defined once, in xstilts/spec/paths.py.

The rules, the Snakefile, the package, the scripts and the benchmarks name the patterns of
`xstilts.spec.paths`; a path literal typed anywhere else (outside docstrings and comments)
fails here, and so does a pattern whose wildcards are not the ones the rules fill.
"""

from __future__ import annotations

import ast
import io
import re
import string
import tokenize
from pathlib import Path

import pytest
import yaml
from workflow import copy_workflow, snakemake

from xstilts.spec import paths
from xstilts.store import atomic

ROOT = Path(__file__).resolve().parents[3]
CONTRACT = ROOT / "xstilts" / "spec" / "paths.py"
PYTHON_TREES = ("xstilts", "scripts", "benchmarks")
WORKFLOW_FILES = [ROOT / "Snakefile", *sorted((ROOT / "rules").glob("*.smk"))]

# A path the workflow writes: a root of the contract at the start of a path (not inside
# another one, e.g. benchmarks/results/), or the suffix of work in progress.
ROOTS = [paths.DATA, *sorted({pattern.split("/", 1)[0] + "/" for pattern in (
    paths.BASE_MODEL, paths.SCORES, paths.LOGS + "/")})]
PATH_LITERAL = re.compile(
    r"(?<![\w./-])(?:" + "|".join(re.escape(root) for root in ROOTS) + r")"
    r"|(?:" + "|".join(re.escape(suffix) for suffix in (paths.PARTIAL, paths.WORK, paths.TRASH))
    + r")$")

# Every pattern of the contract and the wildcards its rule fills.
EXPECTED_WILDCARDS = {
    "PREPARED": ["dataset"],
    "BASE_MODEL": [],
    "INTERMEDIATE_MODEL": ["task", "seed"],
    "TARGET_MODEL": ["intermediate", "target", "seed"],
    "PREDICTIONS": ["intermediate", "target", "seed"],
    "SCORES": ["intermediate", "target", "seed"],
    **{name: [] for name in ("TABLE2", "TABLE2_LONG", "TABLE2_CI", "TABLE2_RECORDS",
                             "TABLE2_PROVENANCE", "TABLE1", "TABLE3", "PAPER_COMPARISON",
                             "TRANSLATION_QUALITY", "TRANSLATION_QUALITY_PROVENANCE",
                             "TABLE1_PROVENANCE", "TABLE3_PROVENANCE",
                             "PAPER_COMPARISON_PROVENANCE", "FIGURES_PROVENANCE",
                             "CURVES_PROVENANCE", "REPORT_TABLES_PROVENANCE")},
    **{name: ["table"] for name in ("EXTRA_TABLE", "EXTRA_TABLE_LONG", "EXTRA_TABLE_CI",
                                    "EXTRA_TABLE_RECORDS", "EXTRA_TABLE_PROVENANCE")},
    "PREPARE_LOG": ["dataset"],
    "BASE_MODEL_LOG": [],
    "INTERMEDIATE_LOG": ["task", "seed"],
    "TARGET_LOG": ["intermediate", "target", "seed"],
    "PREDICT_LOG": ["intermediate", "target", "seed"],
    "RETRIEVAL_LOG": ["intermediate", "seed"],
    "SCORE_LOG": ["intermediate", "target", "seed"],
    "EXTRA_TABLE_LOG": ["table"],
    **{name: [] for name in ("TABLE2_LOG", "TABLE3_LOG", "TABLE1_LOG", "PAPER_COMPARISON_LOG",
                             "FIGURES_LOG", "TRANSLATION_QUALITY_LOG", "CURVES", "CURVES_LOG",
                             "REPORT_TABLES", "REPORT_TABLES_LOG", "AUDIT_DIGEST", "AUDIT_PAGE",
                             "AUDIT_LOG")},
}
# Patterns filled by helpers, not by a rule's wildcards.
HELPER_PATTERNS = {"FIGURE": ["figure", "extension"], "EXTRA_GRID": ["table"]}


def docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes of a module, its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def constant_paths(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of the string constants of a module, docstrings left out, plus the paths
    spelled as `/`-joined constants (`root / "data" / "prepared"`)."""
    skip = docstrings(tree)
    found = [(node.lineno, node.value) for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and id(node) not in skip]
    divisions = [node for node in ast.walk(tree)
                 if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)]
    inner = {id(node.left) for node in divisions}
    for node in divisions:
        if id(node) not in inner:  # the whole `a / b / c`, once
            parts, operand = [], node
            while isinstance(operand, ast.BinOp) and isinstance(operand.op, ast.Div):
                parts.append(operand.right)
                operand = operand.left
            parts.append(operand)
            run: list[str] = []
            for part in [*reversed(parts), None]:
                if (isinstance(part, ast.Call) and isinstance(part.func, ast.Name)
                        and part.func.id == "Path" and len(part.args) == 1):
                    part = part.args[0]  # Path("models") / "base"
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    run.append(part.value)
                    continue
                if len(run) > 1:
                    found.append((node.lineno, "/".join(run) + "/"))
                run = []
    return sorted(found)


def string_tokens(path: Path) -> list[tuple[int, str]]:
    """(line, value) of the string literals of a Snakemake file (comments left out)."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if token.type == tokenize.STRING:  # f-strings too, before Python 3.12
            body = token.string.lstrip("rRbBuUfF")
            quote = body[:3] if body[:3] in ('"""', "'''") else body[0]
            found.append((token.start[0], body[len(quote):-len(quote)]))
        elif token.type == getattr(tokenize, "FSTRING_MIDDLE", None):  # Python 3.12+
            found.append((token.start[0], token.string))
    return found


def literals_outside_the_contract() -> list[str]:
    found = []
    for tree_name in PYTHON_TREES:
        for path in sorted((ROOT / tree_name).rglob("*.py")):
            if path == CONTRACT:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            found += [f"{path.relative_to(ROOT)}:{line}: {text!r}"
                      for line, text in constant_paths(tree) if PATH_LITERAL.search(text)]
    for path in WORKFLOW_FILES:
        found += [f"{path.relative_to(ROOT)}:{line}: {text!r}"
                  for line, text in string_tokens(path) if PATH_LITERAL.search(text)]
    return found


def test_no_output_path_is_typed_outside_the_contract():
    assert literals_outside_the_contract() == []


def test_the_check_sees_each_way_of_typing_a_path():
    typed = ast.parse('"""results/table2.csv in a docstring is fine."""\n'
                      'A = "results/table2.csv"\n'
                      'B = f"models/target/{row}/x"\n'
                      'C = root / "data" / "prepared" / name\n'
                      'D = path.name + ".partial"\n'
                      'E = ROOT / "benchmarks" / "results"\n'
                      'F = Path("models") / "base"\n')
    flagged = [line for line, text in constant_paths(typed) if PATH_LITERAL.search(text)]
    assert flagged == [2, 3, 4, 5, 7]


def test_snakemake_files_are_checked_token_by_token(tmp_path):
    rule = tmp_path / "x.smk"
    rule.write_text('# results/a.csv in a comment is fine\nrule x:\n    output:\n'
                    '        "results/x.csv",\n    log:\n        f"logs/{name}.log",\n')
    assert [line for line, text in string_tokens(rule) if PATH_LITERAL.search(text)] == [4, 6]


def pattern_constants() -> dict[str, str]:
    return {name: value for name, value in vars(paths).items()
            if name.isupper() and isinstance(value, str) and "{" in value}


def test_each_pattern_has_the_wildcards_its_rule_fills():
    assert {name: paths.wildcards(value) for name, value in pattern_constants().items()} == {
        **{name: wildcards for name, wildcards in EXPECTED_WILDCARDS.items() if wildcards},
        **HELPER_PATTERNS}
    for name, wildcards in EXPECTED_WILDCARDS.items():
        assert paths.wildcards(getattr(paths, name)) == wildcards, name


def test_every_wildcard_is_constrained_by_the_rules():
    constrained = set()
    for path in WORKFLOW_FILES:
        for block in re.findall(r"wildcard_constraints:\n((?:\s+\w+=.*\n)+)", path.read_text()):
            constrained |= set(re.findall(r"^\s+(\w+)=", block, re.MULTILINE))
    used = {w for name in EXPECTED_WILDCARDS for w in paths.wildcards(getattr(paths, name))}
    assert used <= constrained, used - constrained


def test_fill_refuses_a_missing_wildcard_and_names_it():
    with pytest.raises(ValueError, match=r"no value for wildcard seed"):
        paths.fill(paths.SCORES, intermediate="mnli", target="xnli")
    with pytest.raises(ValueError, match=r"no wildcard sed to fill"):
        paths.fill(paths.SCORES, intermediate="mnli", target="xnli", sed=1)
    assert paths.fill(paths.SCORES, intermediate="mnli", target="xnli", seed=1) == (
        "results/scores/mnli/xnli/seed1.json")


def test_grid_files_of_table2_and_the_extra_tables():
    assert paths.grid_file("ci", paths.TABLE2_GRID) == paths.TABLE2_CI == (
        "results/table2_improvement_ci.csv")
    assert paths.fill(paths.EXTRA_TABLE_RECORDS, table="mlm") == paths.grid_file(
        "records", "table_mlm") == "results/table_mlm_records.csv"


def test_work_in_progress_suffixes_have_one_home():
    assert atomic.partial_path is paths.partial_path
    assert paths.partial_path(Path("results/table2.csv")) == Path("results/table2.csv.partial")
    assert paths.work_dir("models/base") == Path("models/base.work")
    assert set(paths.IN_PROGRESS) == {paths.PARTIAL, paths.WORK}


def test_every_caption_belongs_to_a_report_output():
    text = "\n".join(path.read_text() for path in WORKFLOW_FILES)
    wired = re.findall(
        r"report\((?:[^()]|\([^()]*\))*?caption=\"\.\./report/([\w-]+\.rst)\"", text)
    # and the report's first page, the global `report:` directive
    wired += re.findall(r'^report: "report/([\w-]+\.rst)"$', text, re.MULTILINE)
    assert sorted(wired) == sorted(path.name for path in (ROOT / "report").glob("*.rst"))


def test_snakefile_declares_its_minimum_snakemake_version():
    assert re.search(r'^min_version\("\d+(\.\d+)*"\)$', (ROOT / "Snakefile").read_text(),
                     re.MULTILINE)


def as_regex(pattern: str, values: dict[str, list[str]]) -> re.Pattern:
    """A pattern as a regular expression: a wildcard is one of `values` where given (as the
    rules' constraints make it), else any path component."""
    parts = []
    for literal, field, _, _ in string.Formatter().parse(pattern):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append("(?:" + "|".join(map(re.escape, values[field])) + ")"
                         if field in values else r"[^/]+")
    return re.compile("".join(parts))


@pytest.mark.workflow
def test_every_planned_output_and_log_is_a_pattern_of_the_contract(tmp_path):
    workdir = copy_workflow(tmp_path)
    plan = snakemake(workdir, "-n", "--forceall", "--configfile", "config/demo.yaml").stdout
    planned = {path for line in re.findall(r"^\s+(?:output|log): (.+)$", plan, re.MULTILINE)
               for path in line.split(", ")}
    extra_tables = {name for file in ("config.yaml", "demo.yaml")
                    for name in yaml.safe_load((ROOT / "config" / file).read_text())
                    .get("extra_tables") or {}}
    patterns = {name: as_regex(getattr(paths, name), {"table": sorted(extra_tables)})
                for name in [*EXPECTED_WILDCARDS, "FIGURE"]}
    matched = {path: [name for name, regex in patterns.items() if regex.fullmatch(path)]
               for path in planned}
    # each planned path is an instance of exactly one pattern, and each pattern is planned
    assert {path: names for path, names in matched.items() if len(names) != 1} == {}
    assert set(patterns) == {name for names in matched.values() for name in names}
