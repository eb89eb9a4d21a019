"""`python -m kicky.teacher [teacher=motion|oracle|sam3_locate] clips=data/clips out=labels`

Labels every clip with the teacher chain (cached per clip), then writes coverage, noball_clips.json
and, for simulated clips, label precision / recall / IoU against truth."""
from __future__ import annotations

import hydra
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH
from kicky.teacher.run import run


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="label")
def main(cfg: DictConfig) -> None:
    call(run, cfg)


if __name__ == "__main__":
    main()
