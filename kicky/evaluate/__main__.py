"""`python -m kicky.evaluate [sources=...] [clips=data/clips] [dataset=classes3|classes5] [data=datasets/<name>]`
(or `python evaluate.py ...`, `kicky evaluate ...`)

Every detector source (oracle = simulator truth, each teacher's labels, each student's cached
detections) through the same analysis, scored against truth: detection AP per class and downstream
goal / leg / pose / speed per split, plus throughput -> metrics/eval.{json,md}, plots/eval_*.png and
a W&B run (offline by default). See conf/evaluate.yaml."""
from __future__ import annotations

import hydra
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="evaluate")
def main(cfg: DictConfig) -> None:
    from kicky.evaluate.run import run
    call(run, cfg)


if __name__ == "__main__":
    main()
