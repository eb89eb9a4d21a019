"""`python -m kicky.detect run=outputs/train/<run> clips=data/clips out=detections/student
[device=auto] [batch=8] [sliced=false] [threshold=0.3]`

The trained student over every clip -> `<out>/<clip_id>/labels.json` (the teacher's label format)
and `<out>/detect.json` (frames/s, and ball recall on simulated clips)."""
from __future__ import annotations

import hydra
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="detect")
def main(cfg: DictConfig) -> None:
    from kicky.detect.run import run
    call(run, cfg)


if __name__ == "__main__":
    main()
