"""Shared test helpers: the one Hydra compose of a config the way its entry point sees it."""
from __future__ import annotations

from pathlib import Path

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"


def compose_conf(name: str, overrides: list[str] | None = None, hydra: bool = False) -> dict:
    """conf/<name>.yaml with `overrides`, resolved to plain data; `hydra`: with Hydra's own settings
    set, as in a run, so `${hydra:...}` interpolations resolve too (the `hydra` key is dropped)."""
    with initialize_config_dir(str(CONF), version_base="1.3"):
        cfg = compose(name, overrides=list(overrides or []), return_hydra_config=hydra)
        if hydra:
            from hydra.core.hydra_config import HydraConfig
            HydraConfig.instance().set_config(cfg)
            return {k: OmegaConf.to_container(cfg[k], resolve=True) if OmegaConf.is_config(cfg[k])
                    else OmegaConf.select(cfg, k) for k in cfg if k != "hydra"}
    return OmegaConf.to_container(cfg, resolve=True)
