"""One `kicky` command for every stage (kicky/__main__.py, [project.scripts]): every command names a
config that exists and a module or root script that exists; a command runs the stage's own Hydra
entry point (its overrides and --cfg job); an unknown command is one line and rc 2."""
import importlib.util
import os
import subprocess
import sys
import tomllib

import pytest

from kicky.__main__ import COMMANDS, ROOT, usage

TIMEOUT = 300


def kicky(*args, cwd="/tmp"):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kicky", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)


def test_every_command_has_its_config_and_its_entry_point():
    for name, (target, cfg, _) in COMMANDS.items():
        assert (ROOT / "conf" / f"{cfg}.yaml").is_file(), name
        if target.endswith(".py"):
            assert (ROOT / target).is_file(), name
        else:
            spec = importlib.util.find_spec(target)
            assert spec is not None, name
            if spec.submodule_search_locations:   # a package: it needs a __main__
                assert importlib.util.find_spec(f"{target}.__main__") is not None, name
        assert name in usage()


STAGES = ("sim", "teacher", "dataset", "train", "detect", "evaluate", "coach", "app", "annotate")


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_has_one_shape(stage):
    """kicky/<stage>/run.py: run(conf), and __main__.py: the Hydra entry point that calls it."""
    import ast
    pkg = ROOT / "kicky" / stage
    tree = ast.parse((pkg / "run.py").read_text())
    assert "run" in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}, stage
    main = (pkg / "__main__.py").read_text()
    assert "@hydra.main(" in main and "CONF_PATH" in main and f"kicky.{stage}.run import run" in main, stage


def test_the_console_script_is_declared():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["kicky"] == "kicky.__main__:main"


@pytest.mark.parametrize("name, key, value", [("sim", "n_clips", "3"), ("train", "res", "432"),
                                              ("ballnet-train", "epochs", "7"), ("evaluate", "pose", "false"),
                                              ("sim-stats", "out", "x.json"), ("posecheck", "width", "640"),
                                              ("train-bench", "epochs", "2"), ("ballnet-bench", "reps", "2"),
                                              ("analyse", "known_lens", "true")])
def test_a_command_runs_the_stages_hydra_entry_point(name, key, value):
    p = kicky(name, f"{key}={value}", "--cfg", "job")
    assert p.returncode == 0, p.stderr
    assert f"{key}: {value}" in p.stdout


def test_no_command_lists_them_and_a_wrong_one_is_one_line():
    p = kicky()
    assert p.returncode == 0 and p.stdout.startswith("usage: kicky <command>")
    assert all(name in p.stdout for name in COMMANDS)
    p = kicky("simulate")
    assert p.returncode == 2 and p.stderr.strip().count("\n") == 0 and "unknown command 'simulate'" in p.stderr
