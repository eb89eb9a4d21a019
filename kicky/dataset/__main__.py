"""`python -m kicky.dataset [dataset=classes3|classes5] labels=labels clips=data/clips out=datasets/<name>`

Builds the COCO instance-segmentation dataset (rfdetr layout) from teacher labels, split by clip."""
from __future__ import annotations

import hydra
from omegaconf import DictConfig

from kicky.dataset.run import run
from kicky.cli import call
from kicky.core.config import CONF_PATH


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="build")
def main(cfg: DictConfig) -> None:
    call(run, cfg)


if __name__ == "__main__":
    main()
