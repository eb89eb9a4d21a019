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
