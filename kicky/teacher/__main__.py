"""`python -m kicky.teacher [teacher=motion|oracle|sam3_locate] clips=data/clips out=labels`

Labels every clip with the teacher chain (cached per clip), then writes coverage, noball_clips.json
and, for simulated clips, label precision / recall / IoU against truth."""
from __future__ import annotations

import os
import sys

import hydra
from omegaconf import DictConfig, OmegaConf

from kicky.errors import KickyError
from kicky.teacher.label import run


@hydra.main(version_base="1.3", config_path="../../conf", config_name="label")
def main(cfg: DictConfig) -> None:
    try:
        run(OmegaConf.to_container(cfg, resolve=True))
    except KickyError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    os.environ.setdefault("HYDRA_FULL_ERROR", "0")
    main()
