"""`kicky <command> [hydra overrides]` (or `python -m kicky ...`): one command for every stage, in the
order data flows. `kicky` alone lists them. Each runs the stage's own Hydra entry point, so its
overrides, `--help`, `--cfg job` and `-m` sweeps are the stage's; infer runs the root script infer.py
(the report, then the coach beside it) from the checkout that holds it."""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# command -> (module or root script, config, what it does), in data-flow order
COMMANDS = {
    "sim": ("kicky.sim", "simulate", "render simulated shot clips with exact truth"),
    "sim-stats": ("kicky.sim.stats", "sim_stats", "a simulated clip set's summary (outcomes, feet, speeds)"),
    "contact-sheet": ("kicky.sim.contact_sheet", "contact_sheet", "kick frames of random clips with their truth"),
    "label": ("kicky.teacher", "label", "teacher labels for clips (motion | sam3 | oracle | chains)"),
    "build": ("kicky.dataset", "build", "COCO instance-segmentation dataset with clip-level splits"),
    "train": ("kicky.train", "train", "train the RF-DETR-Seg student (Hydra multirun, Optuna)"),
    "train-bench": ("kicky.train.bench", "train_bench", "stock rfdetr training against ours (GPU)"),
    "ballnet-train": ("kicky.ballnet.train", "ballnet", "train the ball specialist"),
    "detect": ("kicky.detect", "detect", "the student's detections for clips"),
    "ballnet-detect": ("kicky.ballnet.detect", "ballnet_detect", "the ball specialist's detections for clips"),
    "ballnet-bench": ("kicky.ballnet.bench", "ballnet_bench", "the ball specialist's frames/s (random weights)"),
    "merge": ("kicky.detect.merge", "merge", "players / goal from one source, the ball from another"),
    "analyse": ("kicky.evaluate", "analyse", "evaluate on simulator truth, clean and degraded, no dataset"),
    "posecheck": ("kicky.analysis.posecheck", "posecheck", "MediaPipe Pose on rendered shooters vs their joints"),
    "evaluate": ("kicky.evaluate", "evaluate", "every source against truth: AP, goal / leg / pose / speed"),
    "realframes": ("kicky.evaluate.realframes", "realframes", "ball recall / AP on real frames"),
    "infer": ("infer.py", "infer", "one clip -> report.json, annotated mp4, coach text"),
    "coach": ("kicky.coach", "coach_run", "the coach on a report"),
    "app": ("kicky.app", "app_run", "the web app (loopback)"),
    "annotate": ("kicky.annotate", "annotate_run", "clipper, rater and goal annotator (loopback)"),
}
# commands that run another command's entry point on a config of their own (`--config-name`)
ALIASES = {"analyse"}


def usage() -> str:
    w = max(map(len, COMMANDS))
    rows = [f"  {name:<{w}}  {doc}  (conf/{cfg}.yaml)" for name, (_, cfg, doc) in COMMANDS.items()]
    return "usage: kicky <command> [key=value ...]   (kicky <command> --help: its settings)\n\ncommands:\n" + \
        "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"error: unknown command {name!r}: one of {', '.join(COMMANDS)} (kicky --help)", file=sys.stderr)
        return 2
    target = COMMANDS[name][0]
    sys.argv = [f"kicky {name}", *(["--config-name", COMMANDS[name][1]] if name in ALIASES else []), *rest]
    if target.endswith(".py"):
        script = ROOT / target
        if not script.is_file():
            print(f"error: kicky {name} runs {target} from a checkout of kicky, and {script} does not exist: "
                  f"install with `pip install -e .` from the repository", file=sys.stderr)
            return 2
        sys.path.insert(0, str(ROOT))
        runpy.run_path(str(script), run_name="__main__")
    else:
        runpy.run_module(target, run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
