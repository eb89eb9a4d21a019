"""dvc.yaml's stages list what they really run: every kicky module a stage's command imports (through
any chain of imports, in functions too) and every config group it composes lies under one of the
stage's deps, so an edit anywhere its numbers come from reruns it."""
import ast
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
QUIET = {"kicky/cli.py", "kicky/errors.py", "kicky/__init__.py"}   # messages and wiring: no effect on outputs


def _module_file(mod: str) -> Path | None:
    p = ROOT / Path(*mod.split("."))
    for f in (p.with_suffix(".py"), p / "__init__.py"):
        if f.is_file():
            return f
    return None


def _imports(f: Path):
    pkg = ".".join(f.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(f.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kicky"):
            yield node.module
            for a in node.names:                       # from kicky.core import store: a module too
                yield f"{node.module}.{a.name}"
        elif isinstance(node, ast.ImportFrom) and node.level:
            yield pkg + ("." + node.module if node.module else "")
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("kicky"))


def closure(entry: Path) -> set[str]:
    seen, todo = set(), [entry]
    while todo:
        f = todo.pop()
        rel = f.relative_to(ROOT).as_posix()
        if rel in seen:
            continue
        seen.add(rel)
        for mod in _imports(f):
            parts = mod.split(".")
            for k in range(2, len(parts) + 1):         # the package __init__s on the way are run too
                g = _module_file(".".join(parts[:k]))
                if g is not None and g.relative_to(ROOT).as_posix() not in seen:
                    todo.append(g)
    return seen - QUIET


def entries(cmd: str) -> list[Path]:
    """The files a command runs: `python -m pkg` runs pkg/__main__.py, `python -m pkg.mod` mod.py."""
    mods = re.findall(r"python -m (kicky[\w.]*)", cmd)
    out = [_module_file(m + ".__main__") or _module_file(m) for m in mods]
    out += [ROOT / s for s in re.findall(r"python (\w+\.py)", cmd)]
    return [p for p in out if p is not None]


def stages():
    doc = yaml.safe_load((ROOT / "dvc.yaml").read_text())
    for name, st in doc["stages"].items():
        yield name, st.get("do", st)


def test_each_stage_depends_on_the_code_it_runs():
    missing = []
    for name, st in stages():
        deps = [d if isinstance(d, str) else next(iter(d)) for d in st.get("deps", [])]
        for entry in entries(st["cmd"]):
            for f in sorted(closure(entry)):
                if not any(f == d or f.startswith(d.rstrip("/") + "/") for d in deps):
                    missing.append(f"{name}: {f}")
    assert not missing, "dvc.yaml deps miss:\n" + "\n".join(missing)


def test_the_closure_follows_imports_inside_functions():
    got = closure(ROOT / "kicky" / "infer" / "run.py")
    assert {"kicky/analysis/analyse.py", "kicky/core/clips.py", "kicky/io/frames.py"} <= got
