"""Every top-level config composes as its entry point would, and every experiment preset composes
into the training config with the values it sets."""
from pathlib import Path

import pytest
import yaml

from tests.helpers import CONF, compose_conf

TOP = sorted(p.stem for p in CONF.glob("*.yaml"))
PRESETS = sorted(p.stem for p in (CONF / "experiment").glob("*.yaml"))


@pytest.mark.parametrize("name", TOP)
def test_top_level_config_composes(name):
    cfg = compose_conf(name, hydra=True)
    assert isinstance(cfg, dict) and cfg


@pytest.mark.parametrize("preset", PRESETS)
def test_experiment_preset_composes_into_train(preset):
    cfg = compose_conf("train", [f"experiment={preset}"])
    own = {k: v for k, v in yaml.safe_load((CONF / "experiment" / f"{preset}.yaml").read_text()).items()
           if k != "defaults" and not isinstance(v, dict)}
    for key, value in own.items():
        assert cfg[key] == value, (preset, key)


def test_the_lists_are_not_empty():
    assert {"train", "infer", "label", "build", "evaluate"} <= set(TOP) and len(PRESETS) >= 4
    assert Path(CONF / "experiment").is_dir()


def test_sim_presets_inherit_from_default():
    """Presets change only what they name (tests/sim/test_determinism.py: default.yaml = SimConfig)."""
    from kicky.sim.config import SimConfig
    plain = yaml.safe_load((CONF / "sim" / "default.yaml").read_text())
    own = {"width", "height", "balanced"}
    for preset, size in (("sample", (640, 360)), ("test", (320, 180))):
        got = compose_conf("simulate", [f"sim={preset}"])["sim"]
        assert (got["width"], got["height"]) == size
        assert {k: v for k, v in got.items() if k not in own} == {k: v for k, v in plain.items() if k not in own}
        SimConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in got.items()})


# One typed schema per config group that has one: (group, option) -> the schema whose defaults the
# YAML must repeat exactly (same keys, same values, same kinds: 1 is not 1.0).
def _schemas():
    from kicky.analysis.config import AnalysisConfig
    from kicky.annotate.config import AnnotateConfig
    from kicky.app.config import AppConfig
    from kicky.coach.config import SCHEMAS as COACH
    from kicky.dataset.config import DatasetConfig
    from kicky.detect.config import StudentConfig
    from kicky.sim.config import SimConfig
    return {("sim", "default"): SimConfig, ("analysis", "default"): AnalysisConfig, ("app", "default"): AppConfig,
            ("student", "default"): StudentConfig, ("dataset", "classes3"): DatasetConfig,
            ("annotate", "default"): AnnotateConfig, **{("coach", b): schema for b, schema in COACH.items()}}


def _yaml_settings(group: str, option: str) -> dict:
    """The option's YAML as its group composes it (the coach's backends lay themselves over rules.yaml),
    less the coach's knowledge table: content, not settings (its shape: kicky.coach.config)."""
    from kicky.core.config import load_option
    own = load_option(group, option)
    own.pop("knowledge", None) if group == "coach" else None
    return own


def _plain(x):
    """Data with its kinds kept and tuples as lists (JSON keeps 1 and 1.0 apart)."""
    import json
    return json.dumps(x, sort_keys=True, default=list)


@pytest.mark.parametrize("group,option", sorted(_schemas()))
def test_schema_and_yaml_cannot_disagree(group, option):
    from kicky.core.config import schema_defaults
    schema = _schemas()[(group, option)]
    own = _yaml_settings(group, option)
    assert _plain(own) == _plain(schema_defaults(schema)), f"conf/{group}/{option}.yaml != {schema.__name__}()"
    # the group as its stage composes it is the schema's defaults too
    stage = {"sim": "simulate", "analysis": "analyse", "app": "app_run", "student": "infer", "dataset": "build",
             "coach": "infer", "annotate": "annotate_run"}[group]
    got = compose_conf(stage, [f"coach={option}"] if group == "coach" else [])[group]
    got.pop("knowledge", None) if group == "coach" else None
    assert _plain(got) == _plain(schema_defaults(schema))


def test_coach_settings_are_checked_once_with_one_clear_line():
    from kicky.coach import default_conf
    from kicky.coach.config import coach_settings
    from kicky.errors import KickyError
    rules = default_conf("rules")
    assert coach_settings(rules) == rules and coach_settings(default_conf("openai"))["timeout"] == 60.0
    kb = rules["knowledge"]
    for bad, says in (({"backend": "gpt"}, "coach.backend='gpt': use one of rules, openai"),
                      ({"temperature": 0.5}, "coach: unknown key 'temperature'"),        # rules has no model
                      ({"guard": "yes"}, "coach.guard must be true or false"),
                      ({"speed_tolerance": {"kmh": "ten"}}, "coach.speed_tolerance.kmh must be a number"),
                      ({"knowledge": {**kb, "angles": {}}}, r"coach.knowledge lacks angles.knee.low \(and 5 more\)"),
                      ({"knowledge": {**kb, "speed": {**kb["speed"], "slow_kmh": "fast"}}},
                       "coach.knowledge.speed.slow_kmh must be a number"),
                      ({"knowledge": {**kb, "keep": []}}, "coach.knowledge.keep must be a list")):
        with pytest.raises(KickyError, match=says):
            coach_settings({**rules, **bad})
    with pytest.raises(KickyError, match="coach: unknown key 'base_ulr'"):
        coach_settings({**default_conf("openai"), "base_ulr": "http://127.0.0.1:1/v1"})


def test_every_dataset_option_passes_its_schema():
    """classes5 changes only name, classes and derive; as the build stage composes it, the schema takes it
    whole, and a bad value in it is one line naming its key."""
    from kicky.core.config import schema_defaults
    from kicky.dataset.config import DatasetConfig, dataset_settings
    from kicky.errors import KickyError
    five = compose_conf("build", ["dataset=classes5"])["dataset"]
    got = dataset_settings(five)
    assert got["derive"] == {"rule": "accompany", "dilate_px": 2} and len(got["classes"]) == 5
    plain = schema_defaults(DatasetConfig)
    assert {k: v for k, v in got.items() if k not in ("name", "classes", "derive")} == \
        {k: v for k, v in plain.items() if k not in ("name", "classes", "derive")}
    for bad, says in (({"derive": {**five["derive"], "rule": "swap"}}, "dataset.derive.rule='swap': use one of"),
                      ({"classes": ["ball", "keeper"]}, "dataset.classes=.*drawn from ball"),
                      ({"augment": {**five["augment"], "rotate": {"p": 2}}}, r"dataset.augment.rotate.p=2.0 is out of range"),
                      ({"tiles": {**five["tiles"], "sizes": 3}}, "dataset.tiles: unknown key 'sizes'")):
        with pytest.raises(KickyError, match=says):
            dataset_settings({**five, **bad})


def test_the_motion_teachers_schema_and_yaml_cannot_disagree():
    """teacher.backends.motion is validated by MotionParams: the YAML repeats its defaults exactly, and
    the label stage composes them so."""
    from kicky.core.config import schema_defaults
    from kicky.teacher.motion import MotionParams
    own = yaml.safe_load((CONF / "teacher" / "base.yaml").read_text())["backends"]["motion"]
    assert _plain(own) == _plain(schema_defaults(MotionParams))
    assert _plain(compose_conf("label")["teacher"]["backends"]["motion"]) == _plain(schema_defaults(MotionParams))


def test_every_schema_is_held_to_its_yaml():
    """A frozen dataclass named *Config in a stage's config.py is a group's schema: it must be listed
    above, so its YAML is checked."""
    import dataclasses
    import importlib

    root = Path(__file__).resolve().parents[1] / "kicky"
    found = set()
    for f in root.glob("*/config.py"):
        mod = importlib.import_module(f"kicky.{f.parent.name}.config")
        found |= {v for k, v in vars(mod).items() if k.endswith("Config") and dataclasses.is_dataclass(v)
                  and v.__module__ == mod.__name__}
    assert found and found <= set(_schemas().values()), found - set(_schemas().values())


def test_the_configs_ship_inside_the_package():
    """kicky/conf is the config folder an installed kicky reads (pyproject's package-data puts every
    file of conf/ into the wheel); in a checkout it is conf/ itself."""
    import fnmatch
    import tomllib

    from kicky.core.config import conf_dir
    assert conf_dir().resolve() == CONF.resolve()
    globs = tomllib.loads((CONF.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["kicky"]
    files = [p.relative_to(CONF.parent).as_posix() for p in CONF.rglob("*") if p.is_file()]
    unshipped = [f for f in files if not any(fnmatch.fnmatch("conf/" + f.split("/", 1)[1], g) for g in globs)]
    assert files and not unshipped, unshipped


def test_no_config_is_read_by_a_path_from_the_source_tree():
    """Configs are found through the package (kicky.core.config: conf_dir, and CONF_PATH for every
    Hydra entry point), never by walking up from a module's file to a checkout."""
    import re
    root = Path(__file__).resolve().parents[1] / "kicky"
    bad = [f"{f.relative_to(root)}:{i}" for f in root.rglob("*.py") for i, line in enumerate(f.read_text().splitlines(), 1)
           if re.search(r"__file__.*(\.parents\[|\.parent\.parent)", line) and f.name != "__main__.py"
           or re.search(r"config_path=(?!CONF_PATH)", line)]
    assert not bad, bad
    scripts = [f.name for f in root.parent.glob("*.py") if "config_path=" in f.read_text()
               and "config_path=CONF_PATH" not in f.read_text()]
    assert not scripts, scripts


def test_commands_without_a_log_folder_write_no_log_file():
    """A command run where the user stands (hydra_dirs: none) logs to the terminal, not to a
    <name>.log file left in that folder."""
    for f in sorted(CONF.glob("*.yaml")):
        defaults = (yaml.safe_load(f.read_text()) or {}).get("defaults", [])
        if {"hydra_dirs": "none"} in defaults:
            assert {"override hydra/job_logging": "stdout"} in defaults, f.name


def test_annotate_settings_bind_to_loopback_unless_public():
    from kicky.annotate.config import annotate_settings
    from kicky.errors import KickyError
    assert annotate_settings({"port": 8000})["host"] == "127.0.0.1"
    assert annotate_settings({"host": "0.0.0.0", "public": True})["public"] is True
    for bad, says in (({"host": "0.0.0.0"}, "annotate.host=0.0.0.0: the tools bind to loopback unless asked"),
                      ({"port": 70000}, "port"), ({"port": "http"}, "annotate.port must be a number"),
                      ({"prot": 8000}, "annotate: unknown key 'prot'")):
        with pytest.raises(KickyError, match=says):
            annotate_settings(bad)
