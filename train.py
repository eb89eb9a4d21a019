"""`python train.py [model=small] [res=384] [dataset=classes3] [trainer=gpu] [logger=wandb] [experiment=...]`

Trains the RF-DETR-Seg student on a built dataset (see conf/train.yaml); `-m` sweeps, and
`hparams_search=optuna` searches. Returns the run's objective (valid mAP or ball AP) to the sweeper."""
import hydra
from omegaconf import DictConfig

from kicky.cli import call


@hydra.main(version_base="1.3", config_path="conf", config_name="train")
def main(cfg: DictConfig) -> float:
    from kicky.train.run import run
    return call(run, cfg)


if __name__ == "__main__":
    main()
