"""Imports follow the data flow: clip -> labels -> dataset -> model -> detections -> analysis ->
evaluation / report -> coach -> app. A module may import the base layer and stages before its own,
never one after it; stage code takes its config checks from the base layer, not the CLI module."""
import ast
from pathlib import Path

KICKY = Path(__file__).resolve().parents[1] / "kicky"
BASE = {"errors", "checks", "io", "core", "cli"}
FLOW = ["sim", "teacher", "dataset", "train", "detect", "ballnet", "analysis", "evaluate", "infer", "coach",
        "app", "annotate"]


def imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kicky."):
            yield node.lineno, node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("kicky."):
                    yield node.lineno, a.name, []


def test_every_package_is_placed():
    top = {p.stem if p.is_file() else p.name for p in KICKY.iterdir()
           if (p.suffix == ".py" or (p / "__init__.py").is_file()) and p.stem != "__init__"}
    entry = {"__main__"}   # `kicky <command>`: runs a stage by module name (runpy), imports none
    assert top <= BASE | set(FLOW) | entry, top - BASE - set(FLOW) - entry


def test_no_import_against_the_flow():
    rank = {n: i for i, n in enumerate(FLOW)}
    bad = []
    for f in KICKY.rglob("*.py"):
        me = f.relative_to(KICKY).parts[0].removesuffix(".py")
        for line, mod, names in imports(f):
            dep = mod.split(".")[1]
            if me in BASE and dep in rank:
                bad.append(f"{f.relative_to(KICKY)}:{line} base layer imports the stage {mod}")
            elif me in rank and dep in rank and rank[dep] > rank[me]:
                bad.append(f"{f.relative_to(KICKY)}:{line} {me} imports {mod}, a later stage")
            if mod == "kicky.cli" and set(names) & {"number", "typed"}:
                bad.append(f"{f.relative_to(KICKY)}:{line} takes {names} from the CLI module (use kicky.checks)")
    assert not bad, "\n".join(bad)


def test_the_checker_sees_a_violation(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("from kicky.coach import stream\nimport kicky.app.server\n")
    assert [m for _, m, _ in imports(f)] == ["kicky.coach", "kicky.app.server"]
