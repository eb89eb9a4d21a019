"""Issue 17, item 6: bad and unusual inputs through every stage's entry point.

The corpus is made at test time (tests/reliability/corpus.py) from one tiny simulated clip and a few
synthetic videos. Each case runs its stage as the command line would — the stage's Hydra config
composed with the case's overrides, then `kicky.cli.call` (what every entry point does after
parsing) — in-process, since a process per case costs seconds of imports here; a representative
handful runs as real subprocesses at the end. Every case checks the exit status (2 for an error,
0 with an honest "no shot found" for valid footage without a shot), exactly one `error: ...` line,
no traceback, no output left behind by a failed run, and the user's files unchanged."""
from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import cv2
import pytest
from omegaconf import OmegaConf

from kicky.cli import call
from tests.helpers import compose_conf
from tests.reliability import corpus as C

ROOT = Path(__file__).resolve().parents[2]

# stage -> (Hydra config, run function, overrides every case gets unless it sets the key itself)
STAGES = {
    "infer": ("infer", "kicky.infer.run:run", ["source=teacher", "teacher=motion", "out={tmp}/out"]),
    "label": ("label", "kicky.teacher.run:run", ["out={tmp}/out", "reports={tmp}/out_reports", "workers=1"]),
    "build": ("build", "kicky.dataset.run:run",
              ["labels={base}/labels", "clips={base}/clips", "out={tmp}/out", "reports={tmp}/out_reports",
               "workers=1", "dataset.split.train=1", "dataset.split.valid=0", "dataset.split.test=0"]),
    "train": ("train", "kicky.train.run:run",
              ["data={base}/ds", "out={tmp}/out", "model=nano", "res=96", "epochs=1", "limit_batches=1",
               "batch_size=1", "logger=none", "run_test=false"]),
    "evaluate": ("evaluate", "kicky.evaluate.run:run",
                 ["clips={base}/clips", "data={base}/ds", "metrics={tmp}/out_metrics", "plots={tmp}/out_plots",
                  "out={tmp}/out", "pose=false", "logger.name=none", "~sources.student", "~sources.motion"]),
    "detect": ("detect", "kicky.detect.run:run", ["clips={base}/clips", "out={tmp}/out", "device=cpu"]),
    "sim": ("simulate", "kicky.sim.run:run", ["n_clips=1", "sim=test", "out={tmp}/out", "workers=1"]),
}
FAST = "analysis.pose.enabled=false"


@dataclass
class Base:
    """The corpus's raw material: a simulated clip dir, its oracle labels, a dataset built from them
    (every frame in train) and the clip's decoded frames."""
    root: Path
    clip: Path
    frames: list

    @property
    def mp4(self) -> Path:
        return self.clip / "clip.mp4"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Base:
    from kicky.dataset.run import run as build
    from kicky.teacher.run import run as label
    root = tmp_path_factory.mktemp("bad_inputs_base")
    clip = C.sim_clip(root / "clips")
    label(compose_conf("label", ["teacher=oracle", f"clips={root / 'clips'}", f"out={root / 'labels'}",
                                 f"reports={root / 'rep'}", "workers=1"]))
    build(compose_conf("build", [f"labels={root / 'labels'}", f"clips={root / 'clips'}", f"out={root / 'ds'}",
                                 f"reports={root / 'rep'}", "workers=1", "dataset.split.train=1",
                                 "dataset.split.valid=0", "dataset.split.test=0", "dataset.sampling.every=24"]))
    return Base(root, clip, C.frames_of(clip / "clip.mp4"))


# ------------------------------------------------------------------ how each case makes its input
# A maker gets (the case's folder, base) and returns its overrides; {tmp} and {base} are filled in.

def video(make: Callable[[Path, Base], Path], *extra: str):
    """Footage made by `make` into the case folder, given as clip=."""
    def build(tmp, b):
        return [f"clip={make(tmp / 'footage', b)}", *extra]
    return build


def clip_copy(damage: Callable[[Path], None] | None = None, *extra: str, key: str = "clip"):
    """A copy of the simulated clip dir (damaged by `damage`), given as clip= (or clips= its parent)."""
    def build(tmp, b):
        d = tmp / "clips" / b.clip.name
        shutil.copytree(b.clip, d)
        if damage:
            damage(d)
        return [f"{key}={d if key == 'clip' else d.parent}", *extra]
    return build


def folder_of(make: Callable[[Path, Base], Path], *extra: str):
    """A clip folder holding what `make` wrote, given as clips=."""
    def build(tmp, b):
        make(tmp / "clips", b)
        return [f"clips={tmp / 'clips'}", *extra]
    return build


def copied(what: str, damage: Callable[[Path], None], *extra: str):
    """A copy of base/<what> damaged by `damage`, given in place of the base one."""
    key = {"labels": "labels", "ds": "data", "clips": "clips"}[what]

    def build(tmp, b):
        d = tmp / what
        shutil.copytree(b.root / what, d)
        damage(d)
        return [f"{key}={d}", *extra]
    return build


def fixed(*overrides: str):
    return lambda tmp, b: list(overrides)


def _in(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def frames(n, fn=None):
    """The first n frames of the simulated clip, each through fn."""
    return lambda b: [fn(f) if fn else f for f in b.frames[:n]]


def still(n, fn=None):
    """The clip's first frame n times, through fn: footage whose truth is known ("no shot found")
    whatever the teacher makes of a run-up (it takes the shooter's leg for a ball on some machines)."""
    return lambda b: [fn(b.frames[0]) if fn else b.frames[0]] * n


def encoded(name: str, pick, **kw):
    return lambda d, b: C.write_video(_in(d, name), pick(b), **kw)


VFR_KEEP = [i for i in range(45) if i % 3 != 2]        # every third frame dropped, the others keep their time


def sam3_dir(config_text: str):
    def build(tmp, b):
        (tmp / "sam3").mkdir()
        (tmp / "sam3" / "config.json").write_text(config_text)
        return ["teacher.chain=[sam3]", f"teacher.backends.sam3.weights={tmp / 'sam3'}"]
    return build


def write(path: str, text: str):
    return lambda d: (d / path).write_text(text)


def chop(path: str):
    return lambda d: C.truncated_json(d / path, d / path)


def student_run(damage: str):
    """A run dir as detect reads it, its checkpoint truncated or its config.yaml broken."""
    def build(tmp, b):
        run = tmp / "run"
        run.mkdir()
        (run / "config.yaml").write_text("model: {rfdetr: RFDETRSegNano}\nres: 96\n" if damage == "checkpoint"
                                         else "model: [\n")
        (run / "metrics.json").write_text(json.dumps({"classes": ["ball", "player", "goal"]}))
        (C.truncated_checkpoint if damage == "checkpoint" else C.torch_checkpoint)(run / "checkpoint_best_total.pth")
        return [f"run={run}"]
    return build


def resume_truncated(tmp, b):
    (tmp / "out").mkdir()
    C.truncated_checkpoint(tmp / "out" / "last.ckpt")
    return ["resume=true"]


def earlier_run_with_corrupt_report(tmp, b):
    out = tmp / "out"
    out.mkdir()
    (out / "report.json").write_text('{"shot_found": tr')
    return [f"clip={b.clip}", "source=truth", FAST]


def labels_source(damage: Callable[[Path], None]):
    """A copy of the base labels, damaged, as an evaluation source."""
    def build(tmp, b):
        shutil.copytree(b.root / "labels", tmp / "labels")
        damage(tmp / "labels")
        return [f"+sources.teacher={{kind: labels, path: {tmp / 'labels'}}}"]
    return build


def rm_images(d):
    for p in (d / "train").glob("*.jpg"):
        p.unlink()


def no_bbox(d):
    C.coco_without_bbox(d / "train" / "_annotations.coco.json")


@dataclass
class Case:
    id: str
    stage: str
    make: Callable[[Path, Base], list[str]]
    error: str | None = None       # a piece of the one error line (exit 2) ...
    says: str | None = None        # ... or of stdout (exit 0)
    owned: tuple[str, ...] = ("out", "out_reports", "out_metrics", "out_plots")   # the stage's outputs
    writes: str = "out/report.json"   # exit 0: a file the run must have written


CASES = [
    # ---- damaged or foreign files given as a clip
    Case("zero-bytes", "infer", video(lambda d, b: C.zero_bytes(_in(d, "zero.mp4"))), "is empty (0 bytes)"),
    Case("truncated", "infer", video(lambda d, b: C.truncated(b.mp4, _in(d, "cut.mp4"))), "damaged, cut short"),
    Case("garbage", "infer", video(lambda d, b: C.garbage_after_header(_in(d, "junk.mp4"))), "damaged, cut short"),
    Case("scrambled-frames", "infer", video(lambda d, b: C.scrambled_payload(b.mp4, _in(d, "scr.mp4"))),
         "damaged, cut short"),
    Case("text-renamed-mp4", "infer", video(lambda d, b: C.text_as_video(_in(d, "notes.mp4"))), "damaged, cut short"),
    Case("audio-only", "infer", video(lambda d, b: C.audio_only(_in(d, "voice.mp4"))), "no video stream"),
    Case("missing-file", "infer", fixed("clip={tmp}/nowhere.mp4"), "video not found"),
    Case("ballnet-missing", "infer", video(lambda d, b: b.mp4, "ballnet={tmp}/no_ballnet"), "no trained ballnet at"),
    Case("folder-without-clip", "infer", video(lambda d, b: _in(d / "empty", "x").parent), "video not found"),
    # ---- unusual but valid footage: exit 0 and an honest report
    Case("image-renamed-mp4", "infer", video(lambda d, b: C.image_as_video(_in(d, "photo.mp4"))),
         says="too short to hold a shot"),
    Case("one-frame", "infer", video(encoded("one.mp4", frames(1))), says="too short to hold a shot"),
    Case("vertical", "infer", video(encoded("tall.mp4", still(24, lambda f: f.transpose(1, 0, 2).copy()))),
         says="no shot found"),
    Case("60fps", "infer", video(encoded("f60.mp4", still(40), fps=60)), says="no shot found"),
    Case("vfr", "infer", video(encoded("vfr.mp4", still(len(VFR_KEEP)), pts=VFR_KEEP)),
         says="no shot found"),
    Case("4k-short", "infer", video(encoded("k4.mp4", frames(3, lambda f: cv2.resize(f, (3840, 2160))))),
         says="too short to hold a shot"),
    Case("grayscale", "infer", video(encoded("gray.mp4", still(24, lambda f: cv2.cvtColor(f, cv2.COLOR_BGR2GRAY)),
                                             pix_fmt="gray", in_fmt="gray")), says="no shot found"),
    Case("odd-size-321x179", "infer", video(encoded("odd.mkv", still(24, lambda f: cv2.resize(f, (321, 179))),
                                                    codec="ffv1")), says="no shot found"),
    Case("webm", "infer", video(encoded("clip.webm", still(24), codec="libvpx")), says="no shot found"),
    Case("mkv", "infer", video(encoded("clip.mkv", still(24))), says="no shot found"),
    Case("noise", "infer", video(lambda d, b: C.write_video(_in(d, "noise.mp4"), C.noise_frames(24))),
         says="no shot found"),
    Case("plain-colour", "infer", video(lambda d, b: C.write_video(_in(d, "green.mp4"), C.plain_frames(24))),
         says="no shot found"),
    Case("not-football", "infer", video(lambda d, b: C.write_video(_in(d, "sq.mp4"), C.moving_square(30, 160, 96))),
         says="no shot found"),
    Case("earlier-run-corrupt-report", "infer", earlier_run_with_corrupt_report, says="GOAL"),
    # ---- damaged truth.json, wrong source, user's folders as out=
    Case("truth-truncated", "infer", clip_copy(chop("truth.json"), "source=truth"), "corrupt"),
    Case("truth-not-simulator", "infer", clip_copy(write("truth.json", '{"frames": 3}'), "source=truth"),
         "is not a simulator truth file"),
    Case("truth-source-on-footage", "infer", video(encoded("own.mp4", frames(8)), "source=truth"),
         "source=truth needs the simulator's truth.json"),
    Case("out-is-a-user-folder", "infer", lambda t, b: [f"clip={b.clip}", "source=truth", f"out={t / 'mine'}"],
         "already holds files this stage did not write"),
    Case("out-is-a-file", "infer", lambda t, b: [f"clip={b.clip}", "source=truth", f"out={t / 'mine' / 'notes.txt'}"],
         "is a file"),
    # ---- bad config values
    Case("source-unknown", "infer", fixed("clip={base}/clips", "source=camera"), "use one of truth, teacher, student"),
    Case("analysis-choice", "infer", lambda t, b: [f"clip={b.clip}", "source=truth", "analysis.speed.method=fast"],
         "analysis.speed.method='fast': use one of plain, depth"),
    Case("analysis-negative", "infer", lambda t, b: [f"clip={b.clip}", "source=truth", "analysis.ball.gap_max=-3"],
         "analysis.ball.gap_max=-3 must be >= 0"),
    Case("analysis-not-a-flag", "infer", lambda t, b: [f"clip={b.clip}", "source=truth", "analysis.pose.enabled=maybe"],
         "analysis.pose.enabled must be true or false"),
    Case("motion-wrong-type", "infer", video(encoded("own.mp4", frames(8)), "teacher.backends.motion.diff_thr=abc"),
         "teacher.backends.motion.diff_thr='abc': expected a whole number"),
    Case("motion-unknown-choice", "infer",
         video(encoded("own.mp4", frames(8)), "teacher.backends.motion.person_model=yolo"),
         "person_model='yolo': use one of mediapipe, none"),
    # ---- the label stage
    Case("label-webm-folder", "label", folder_of(encoded("kick.webm", frames(20), codec="libvpx")),
         says="motion", writes="out/kick/labels.json"),
    Case("label-zero-byte-clip", "label", folder_of(lambda d, b: C.zero_bytes(_in(d, "zero.mp4"))), "is empty (0 bytes)"),
    Case("label-no-clips", "label", folder_of(lambda d, b: d.mkdir()), "no clips in"),
    Case("label-oracle-on-footage", "label", folder_of(encoded("own.mp4", frames(8)), "teacher=oracle"),
         "oracle teacher needs simulator truth"),
    Case("label-truth-truncated", "label", clip_copy(chop("truth.json"), "teacher=oracle", key="clips"), "corrupt"),
    Case("label-sam3-config-corrupt", "label", lambda t, b: [f"clips={b.root / 'clips'}", *sam3_dir('{"model_type": "sa')(t, b)],
         "config.json is not valid JSON"),
    Case("label-sam3-config-foreign", "label", lambda t, b: [f"clips={b.root / 'clips'}", *sam3_dir('{"model_type": "bert"}')(t, b)],
         "is not a SAM3 config"),
    Case("label-sam3-weights-unset", "label",
         fixed("clips={base}/clips", "teacher.chain=[sam3]", "teacher.backends.sam3.weights=null"),
         "set teacher.backends.sam3.weights=<dir>"),
    Case("label-mode-unknown", "label", fixed("clips={base}/clips", "teacher.mode=video"), "teacher.mode='video': use one of"),
    Case("label-backend-unknown", "label", fixed("clips={base}/clips", "teacher.chain=[yolo]"), "unknown teacher backend 'yolo'"),
    Case("label-workers-zero", "label", fixed("clips={base}/clips", "workers=0"), "workers=0 is out of range"),
    # ---- the dataset stage
    Case("build-label-cache-truncated", "build", copied("labels", lambda d: C.truncated_json(
        d / "sim3_00000" / "labels.json", d / "sim3_00000" / "labels.json")), "corrupt label cache"),
    Case("build-label-cache-foreign", "build", copied("labels", write("sim3_00000/labels.json", '{"frames": 3}')),
         "corrupt label cache"),
    Case("build-video-missing", "build", lambda t, b: [f"clips={_in(t / 'clips', 'x').parent}"], "no video for labelled clip"),
    Case("build-no-labels", "build", lambda t, b: [f"labels={_in(t / 'labels', 'x').parent}"], "no teacher labels"),
    Case("build-every-zero", "build", fixed("dataset.sampling.every=0"), "dataset.sampling.every=0 is out of range"),
    Case("build-every-fraction", "build", fixed("dataset.sampling.every=2.5"), "expected a whole number"),
    Case("build-jpeg-quality-500", "build", fixed("dataset.jpeg_quality=500"), "dataset.jpeg_quality=500 is out of range"),
    Case("build-split-not-a-number", "build", fixed("dataset.split.train=most"), "dataset.split.train must be a number, got 'most'"),
    Case("build-out-user-folder", "build", lambda t, b: [f"out={t / 'mine'}"], "already holds files"),
    # ---- the training stage (all stop before rfdetr starts)
    Case("train-images-missing", "train", copied("ds", rm_images), "is missing: rebuild it"),
    Case("train-coco-without-bbox", "train", copied("ds", no_bbox), "has no bbox"),
    Case("train-coco-truncated", "train", copied("ds", chop("train/_annotations.coco.json")), "unreadable dataset"),
    Case("train-resume-truncated-ckpt", "train", resume_truncated, "is truncated or not a torch checkpoint"),
    Case("train-pretrain-not-a-checkpoint", "train",
         lambda t, b: [f"pretrain_weights={C.zip_not_checkpoint(t / 'weights.pth')}"], "not a torch checkpoint"),
    Case("train-res-invalid", "train", fixed("res=100"), "nearest valid"),
    Case("train-epochs-not-a-number", "train", fixed("epochs=many"), "epochs must be a positive integer"),
    # ---- the evaluation and detection stages
    Case("eval-manifest-truncated", "evaluate", copied("ds", chop("manifest.json")), "unreadable dataset"),
    Case("eval-manifest-a-list", "evaluate", copied("ds", write("manifest.json", "[]")), "unreadable dataset"),
    Case("eval-label-cache-corrupt", "evaluate", labels_source(write("sim3_00000/labels.json", "{")),
         "corrupt label cache"),
    Case("eval-truth-not-simulator", "evaluate", clip_copy(write("truth.json", "[]"), key="clips"),
         "is not a simulator truth file"),
    Case("detect-checkpoint-truncated", "detect", student_run("checkpoint"), "is truncated or not a torch checkpoint"),
    Case("detect-run-config-corrupt", "detect", student_run("config"), "unreadable run files"),
    # ---- the simulator's settings
    Case("sim-fps-text", "sim", fixed("sim.fps=fast"), "sim.fps='fast': expected a whole number"),
    Case("sim-fps-fraction", "sim", fixed("sim.fps=29.97"), "sim.fps=29.97: expected a whole number"),
    Case("sim-width-odd", "sim", fixed("sim.width=321"), "must be even"),
    Case("sim-range-text", "sim", fixed("sim.speed_kmh=fast"), "sim.speed_kmh='fast': expected a [lo, hi] pair"),
    Case("sim-weights-text", "sim", fixed("sim.outcome_weights.goal=often"), "sim.outcome_weights="),
    Case("sim-flag-text", "sim", fixed("sim.balanced=yes please"), "sim.balanced='yes please': expected true or false"),
]


def _overrides(stage: str, own: list[str], tmp: Path, b: Base) -> list[str]:
    fill = lambda s: s.replace("{tmp}", str(tmp)).replace("{base}", str(b.root))  # noqa: E731
    own = [fill(o) for o in own]
    keys = {o.lstrip("~+").split("=")[0] for o in own}
    return own + [fill(o) for o in STAGES[stage][2] if o.lstrip("~+").split("=")[0] not in keys]


def _user_files(tmp: Path) -> None:
    (tmp / "mine").mkdir()
    (tmp / "mine" / "notes.txt").write_text("the user's own notes\n")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, base: Base, tmp_path: Path, capsys):
    _user_files(tmp_path)
    over = _overrides(case.stage, case.make(tmp_path, base), tmp_path, base)
    conf_name, target, _ = STAGES[case.stage]
    before = C.snapshot(tmp_path)
    base_before = C.snapshot(base.root)
    capsys.readouterr()
    mod, fn = target.split(":")
    run = getattr(importlib.import_module(mod), fn)
    code = 0
    try:
        call(run, OmegaConf.create(compose_conf(conf_name, over)))
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    errors = [x for x in err.splitlines() if x.startswith("error:")]
    assert "Traceback" not in err, err
    after = C.snapshot(tmp_path)
    mine = {k: v for k, v in before.items() if k.split(os.sep)[0] not in case.owned}
    assert {k: after.get(k) for k in mine} == mine, "the user's files changed"
    assert C.snapshot(base.root) == base_before, "an input changed"
    if case.error is not None:
        assert code == 2 and len(errors) == 1, err
        assert case.error in errors[0], errors[0]
        assert after == before, "a failed run left files behind"
        assert not C.hidden_leftovers(tmp_path)
    else:
        assert code == 0 and not errors, err
        assert case.says in out, out
        assert (tmp_path / case.writes).is_file() and not C.hidden_leftovers(tmp_path)
        if case.stage == "infer":
            rep = json.loads((tmp_path / "out" / "report.json").read_text())
            assert rep["shot_found"] == (case.says == "GOAL")
            if not rep["shot_found"]:
                assert rep["message"] and f"no shot found ({rep['message']})" in out


# ------------------------------------------------------------------ the real command lines

SUBPROCESS = [
    ("zero-bytes", ["infer.py", "clip={tmp}/zero.mp4", "source=teacher"], "is empty (0 bytes)"),
    ("one-frame", ["infer.py", "clip={tmp}/one.mp4", "source=teacher", "teacher.backends.motion.person_model=none",
                   "out={tmp}/out"], None),
    ("unknown-key", ["infer.py", "clip={tmp}/one.mp4", "analysis.speed.metod=plain"],
     "Could not override 'analysis.speed.metod'"),
    ("unknown-option", ["-m", "kicky.teacher", "teacher=yolo", "hydra.run.dir={tmp}/hydra"],
     "available options in 'teacher': base, motion, oracle, sam3_locate"),
    ("unquoted-path", ["infer.py", "clip={tmp}/clé.mp4"], "quote a value holding spaces"),
    ("sim-fps-text", ["-m", "kicky.sim", "sim.fps=fast", "out={tmp}/out", "hydra.run.dir={tmp}/hydra"],
     "sim.fps='fast': expected a whole number"),
    ("train-images-missing", ["train.py", "data={tmp}/ds", "out={tmp}/out", "logger=none", "hydra.run.dir={tmp}/hydra"],
     "is missing: rebuild it"),
]


@pytest.mark.parametrize("name, argv, error", SUBPROCESS, ids=[s[0] for s in SUBPROCESS])
def test_command_line(name, argv, error, base: Base, tmp_path: Path):
    _user_files(tmp_path)
    C.zero_bytes(tmp_path / "zero.mp4")
    C.write_video(tmp_path / "one.mp4", base.frames[:1])
    if name == "train-images-missing":
        shutil.copytree(base.root / "ds", tmp_path / "ds")
        rm_images(tmp_path / "ds")
    before = C.snapshot(tmp_path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if args[0].endswith(".py"):
        args[0] = str(ROOT / args[0])
    r = subprocess.run([sys.executable, *args], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "Traceback" not in r.stderr, r.stderr
    errors = [x for x in r.stderr.splitlines() if x.startswith("error:")]
    after = {k: v for k, v in C.snapshot(tmp_path).items() if not k.startswith("hydra")}
    if error is None:
        assert r.returncode == 0 and not errors, r.stderr
        assert "too short to hold a shot" in r.stdout, r.stdout
        assert {k: after[k] for k in before} == before
    else:
        assert r.returncode == 2 and len(errors) == 1 and error in errors[0], r.stderr
        assert after == before, "a failed run left files behind"
