"""`python -m kicky.coach report=<report.json> [coach=openai coach.base_url=...] [out=coach.md]`:
the coaching text printed as it streams (see conf/coach_run.yaml)."""
from __future__ import annotations

import hydra
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH
from kicky.coach.run import run


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="coach_run")
def main(cfg: DictConfig) -> None:
    call(run, cfg)


if __name__ == "__main__":
    main()
