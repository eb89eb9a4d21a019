"""`python -m kicky.analysis clips=DIR n=200 [degrade='${curve}']`

Runs the shot analysis on oracle detections (simulator truth), clean and degraded, over a folder of
simulated clips and prints goal / foot / pose / speed accuracy against truth."""
from __future__ import annotations

import hydra
from omegaconf import DictConfig

from kicky.analysis.evaluate import run
from kicky.cli import call
from kicky.core.config import CONF_PATH


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="analyse")
def main(cfg: DictConfig) -> None:
    call(run, cfg)


if __name__ == "__main__":
    main()
