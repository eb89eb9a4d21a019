"""`python infer.py clip=path.mp4 [source=student run=outputs/train/<run> | source=teacher teacher=motion |
source=truth] [out=outputs/infer/<clip_id>]`

Any clip -> `<out>/<clip_id>_annotated.mp4` (masks, player ids, possession, ball trail, goal verdict,
speed, foot; plays at once in a browser) + `<out>/report.json` (the ShotReport) + `<out>/coach.md`
(coach=rules|openai|none). See conf/infer.yaml."""
import hydra
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH


def infer_and_coach(conf: dict) -> dict:
    """The report and video (kicky.infer), then the coach's text beside them (kicky.coach): the coach
    comes after the report in the data flow, so the entry point joins them."""
    from kicky.coach.coaching import beside
    from kicky.infer.run import out_dir, run
    doc = run(conf)
    beside(doc, conf.get("coach"), out_dir(conf, doc["clip_id"]))
    return doc


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="infer")
def main(cfg: DictConfig) -> None:
    call(infer_and_coach, cfg)


if __name__ == "__main__":
    main()
