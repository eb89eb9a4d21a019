"""`python -m kicky.sim n_clips=200 seed=0 out=data/clips [sim=sample] [workers=2]`

Renders simulated shot clips (clip.mp4 + truth.json each), skipping clips already done, and prints
the outcome x foot distribution."""
from __future__ import annotations

import hydra
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH
from kicky.sim.run import run


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="simulate")
def main(cfg: DictConfig) -> None:
    call(run, cfg)


if __name__ == "__main__":
    main()
