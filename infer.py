"""`python infer.py clip=path.mp4 [source=student run=outputs/train/<run> | source=teacher teacher=motion |
source=truth] [out=outputs/infer/<clip_id>]`

Any clip -> `<out>/<clip_id>_annotated.mp4` (masks, player ids, possession, ball trail, goal verdict,
speed, foot; plays at once in a browser) + `<out>/report.json` (the ShotReport). See conf/infer.yaml."""
import hydra
from omegaconf import DictConfig

from kicky.cli import call


@hydra.main(version_base="1.3", config_path="conf", config_name="infer")
def main(cfg: DictConfig) -> None:
    from kicky.infer.run import run
    call(run, cfg)


if __name__ == "__main__":
    main()
