"""`python -m kicky.sim n_clips=200 seed=0 out=data/clips [sim=sample] [workers=2]`

Renders simulated shot clips (clip.mp4 + truth.json each), skipping clips already done, and prints
the outcome x foot distribution."""
from __future__ import annotations

import os
import sys

import hydra
from omegaconf import DictConfig, OmegaConf

from kicky.errors import KickyError
from kicky.sim.batch import run


@hydra.main(version_base="1.3", config_path="../../conf", config_name="simulate")
def main(cfg: DictConfig) -> None:
    try:
        run(OmegaConf.to_container(cfg, resolve=True))
    except KickyError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    os.environ.setdefault("HYDRA_FULL_ERROR", "0")
    main()
