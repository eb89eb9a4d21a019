"""`python infer.py clip=path.mp4 [source=student run=outputs/train/<run> | source=teacher teacher=motion |
source=truth] [ballnet=models/ballnet] [out=outputs/infer/<clip_id>]`
`python infer.py clip=<folder> [workers=4] ...`: every clip of the folder, the models loaded once
(kicky/infer/folder.py; `<out>/speed.json`: where the time went, stage by stage).

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
    from kicky.infer.folder import is_folder, run_folder
    from kicky.infer.run import out_dir, run
    if is_folder(conf.get("clip")):         # a folder of clips: each one's report, video and coach text
        return run_folder(conf, on_done=lambda doc, out: beside(doc, conf.get("coach"), out))
    doc = run(conf)
    beside(doc, conf.get("coach"), out_dir(conf, doc["clip_id"]))
    return doc


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="infer")
def main(cfg: DictConfig) -> None:
    call(infer_and_coach, cfg)


if __name__ == "__main__":
    main()
