"""`python -m kicky.dataset [dataset=classes3|classes5] labels=labels clips=data/clips out=datasets/<name>`

Builds the COCO instance-segmentation dataset (rfdetr layout) from teacher labels, split by clip."""
from __future__ import annotations

import os
import sys

import hydra
from omegaconf import DictConfig, OmegaConf

from kicky.dataset.build import run
from kicky.errors import KickyError


@hydra.main(version_base="1.3", config_path="../../conf", config_name="build")
def main(cfg: DictConfig) -> None:
    try:
        run(OmegaConf.to_container(cfg, resolve=True))
    except KickyError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    os.environ.setdefault("HYDRA_FULL_ERROR", "0")
    main()
