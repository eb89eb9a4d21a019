"""`python -m kicky.train [model=small] [res=384] [dataset=classes3] [trainer=gpu] [logger=wandb] [experiment=...]`
(or `python train.py ...`, `kicky train ...`)

Trains the RF-DETR-Seg student on a built dataset (see conf/train.yaml); `-m` sweeps, and
`hparams_search=optuna` searches. Returns the run's objective (valid mAP or ball AP) to the sweeper."""
from __future__ import annotations

import hydra
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="train")
def main(cfg: DictConfig) -> float:
    from kicky.train.run import run
    return call(run, cfg)


if __name__ == "__main__":
    main()
