"""The `evaluate` stage: every detector source (kicky.evaluate.sources: simulator truth, label caches,
degraded truth) through the same analysis, scored against simulator truth — detection AP on the
dataset's frames and downstream accuracy per split — then metrics/eval.{json,md}, plots and a W&B
(offline) run. With no dataset (`data: null`, the analysis benchmark `kicky analyse`: conf/analyse.yaml)
only the downstream scores, and the table by input and by outcome.

Each clip's scores are journalled as they are made (`<metrics>/.eval_resume/<config key>/<clip>.json`,
atomic, with the sizes and times of the files they came from), so a rerun of the same command after a
`kill -9` scores only the clips it had not finished; the journal goes once the metrics are written."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path


from kicky.checks import number
from kicky.core import store
from kicky.errors import KickyError
from kicky.evaluate import coco_ap, downstream, plots, table
from kicky.evaluate.sources import Source, sources as make_sources
from kicky.evaluate.truth_coco import dataset_images, truth_gt
from kicky.io.atomic import write_json, write_text

__all__ = ["Source", "run"]

def _machine() -> str:
    from kicky.detect.student import machine
    return machine("cpu")


def _wandb(ev: dict, conf: dict, out: Path, images: list[Path]) -> None:
    lg = conf.get("logger") or {}
    if lg.get("name", "none") != "wandb":
        return
    os.environ.setdefault("WANDB_MODE", lg.get("mode", "offline"))
    os.environ.setdefault("WANDB_SILENT", "true")
    import wandb
    run = wandb.init(project=lg.get("project", "kicky"), group=conf.get("experiment_name"), job_type="evaluate",
                     dir=str(out), config={k: v for k, v in conf.items() if k != "logger"},
                     name=f"evaluate_{'_'.join(ev['sources'])}")
    try:
        keys = ["goal_acc", "goal_balanced_acc", "goal_precision", "goal_recall", "foot_acc", "pose_capture",
                "speed_err_median", "speed_err_p90"]
        cols = ["detector", "split", "clips", *keys, "detect_fps", "x_realtime"]
        rows = [[n, sp, d["n"], *(d[k] for k in keys), s["throughput"]["detect_fps"], s["throughput"]["x_realtime"]]
                for n, s in ev["sources"].items() for sp, d in s["downstream"].items()]
        ap = [[n, sp, kind, c, a[kind]["per_class"][c]["AP"], a[kind]["per_class"][c]["AP50"]]
              for n, s in ev["sources"].items() for sp, a in s["detection"].items() for kind in coco_ap.IOU_TYPES
              for c in ev["classes"]]
        run.log({"eval_table": wandb.Table(columns=cols, data=rows),
                 "per_class_ap_table": wandb.Table(columns=["detector", "split", "type", "class", "AP", "AP50"], data=ap),
                 **{p.stem: wandb.Image(str(p)) for p in images}})
        run.summary.update({f"{n}/{k}": v for n, s in ev["sources"].items()
                            for k, v in s["downstream"]["overall"].items() if isinstance(v, (int, float))})
    finally:
        from kicky.io.wandb_run import close
        close(run)


def _lean(ev: dict) -> dict:
    """eval.json for `dvc metrics`: everything but the PR curves (those go to the plots)."""
    out = json.loads(json.dumps(ev))
    for s in out["sources"].values():
        for a in s["detection"].values():
            for kind in coco_ap.IOU_TYPES:
                a[kind].pop("pr", None)
    return out


NOT_KEYED = ("out", "metrics", "plots", "logger", "experiment_name", "workers")   # settings no clip's scores depend on


class Journal:
    """Finished clips of an interrupted evaluation: `<metrics>/.eval_resume/<key of the config>/<clip>.json`,
    each holding the clip's COCO results and downstream row per source and the stamp (size, mtime) of
    every file they came from; an entry whose stamp no longer matches is scored again."""

    def __init__(self, metrics: Path, conf: dict):
        keyed = {k: v for k, v in conf.items() if k not in NOT_KEYED}
        key = hashlib.sha1(json.dumps(keyed, sort_keys=True, default=str).encode()).hexdigest()[:12]
        self.root = metrics / ".eval_resume"
        self.dir = self.root / key

    @staticmethod
    def stamp(files: list[Path], frames: dict[int, int]) -> list:
        st = [(f, f.stat()) for f in files]
        return json.loads(json.dumps({"files": [[str(f), s.st_size, s.st_mtime_ns] for f, s in st],
                                      "frames": sorted(frames.items())}))

    def get(self, clip: str, stamp: list) -> dict | None:
        try:
            doc = json.loads((self.dir / f"{clip}.json").read_text())
        except (OSError, ValueError):
            return None
        return doc["sources"] if isinstance(doc, dict) and doc.get("stamp") == stamp else None

    def put(self, clip: str, stamp: list, sources: dict) -> dict:
        """Journal a finished clip; returns its entry as it reads back (the values a resumed run uses)."""
        doc = json.loads(json.dumps({"stamp": stamp, "sources": sources}))
        write_json(self.dir / f"{clip}.json", doc)
        return doc["sources"]

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        try:
            self.root.rmdir()
        except OSError:   # another configuration's journal is still there
            pass


def score_clip(path: Path, sources: list[Source], classes: list[str], frames: dict[int, int], analysis: dict | None,
               pose: bool, split: str | None, known_lens: bool) -> dict:
    """One clip through every source: {source: {"results": COCO results on its dataset frames, "row":
    its downstream scores}} (`known_lens`: the clip's own focal length, a calibrated lens)."""
    from kicky.analysis.config import lens_settings
    from kicky.core.clips import load_clip
    clip = load_clip(path, stream=True)
    if known_lens:
        analysis = lens_settings(analysis, clip.truth)
    part = {}
    for s in sources:
        dets, detector = s.detections(clip, classes)
        part[s.name] = {"results": coco_ap.results(dets, frames, classes),
                        "row": downstream.clip_row(dets, clip, analysis, pose if s.pose is None else s.pose, split,
                                                   detector)}
    return part


def _job(args):
    return score_clip(*args)


def run(conf: dict) -> dict:
    import contextlib

    from tqdm import tqdm

    from kicky.analysis.config import settings
    from kicky.core.clips import clip_id, find_clips, read_truth
    from kicky.core.domain import CLASSES
    from kicky.io.pool import worker_pool

    settings(conf.get("analysis"))            # the analysis settings checked before any clip
    if conf.get("truth") == "annotations":       # your own footage: the goal annotator's labels
        from kicky.evaluate import human
        return human.run(conf)
    if conf.get("truth", "sim") != "sim":
        raise KickyError(f"truth={conf.get('truth')!r}: use sim (simulator truth.json) or annotations "
                         f"(<clips>/annotations.json from python -m kicky.annotate goals)")
    sources = make_sources(conf)
    if not sources:
        raise KickyError("no sources to evaluate: give e.g. sources.oracle.kind=truth")
    n = number({"n": conf.get("n") or 0}, "n", int, 0)
    known_lens = conf.get("known_lens", False)
    if not isinstance(known_lens, bool):
        raise KickyError(f"known_lens must be true or false, got {known_lens!r}")
    workers = number({"workers": conf.get("workers", 1)}, "workers", int, 1)
    if conf.get("data"):
        images, splits, classes = dataset_images(conf["data"])
    else:                                      # no dataset: the downstream scores only
        images, splits, classes = [], {}, list(CLASSES)
    paths = find_clips(conf["clips"])
    if conf.get("splits"):   # only the clips (and dataset frames) of these splits, e.g. [test]
        from kicky.dataset.splits import keep_clips
        paths = keep_clips(paths, conf["clips"], conf["data"], conf["splits"], split_of=splits)
        images = [im for im in images if splits.get(im["clip_id"]) in conf["splits"]]
    if n:                    # the first n clips (and their dataset frames)
        paths = paths[:n]
        images = [im for im in images if im["clip_id"] in {clip_id(p) for p in paths}]
    ids = [clip_id(p) for p in paths]
    for s in sources:
        s.check(ids)
    truths = {}
    for p in paths:
        f = (p / "truth.json") if p.is_dir() else None
        if f is None or not f.is_file():
            raise KickyError(f"{p} has no truth.json: evaluation scores against simulator truth, so it needs "
                             f"simulated clips (kicky.sim)")
        truths[clip_id(p)] = f
    lost = sorted({im["clip_id"] for im in images} - set(ids))
    if lost:
        raise KickyError(f"dataset {conf['data']} has frames of {len(lost)} clip(s) not in {conf['clips']} "
                         f"(first: {lost[0]}): evaluate with the clips it was built from")
    loaded = {c: read_truth(truths[c]) for c in sorted({im["clip_id"] for im in images})}
    dataset = bool(conf.get("data"))
    gt = coco_ap.gt_coco(truth_gt(images, loaded, classes)) if dataset else None
    del loaded
    by_clip: dict[str, dict[int, int]] = {}
    for im in images:
        by_clip.setdefault(im["clip_id"], {})[im["frame"]] = im["id"]

    res = {s.name: {k: [] for k in coco_ap.IOU_TYPES} for s in sources}
    rows: dict[str, list[dict]] = {s.name: [] for s in sources}
    journal = Journal(Path(conf["metrics"]), conf)
    stamps, done = {}, {}
    for p in paths:
        cid = clip_id(p)
        files = [p / "clip.mp4", truths[cid], *(store.cache_path(s.path, cid) for s in sources if s.path is not None)]
        stamps[cid] = journal.stamp([f for f in files if f.is_file()], by_clip.get(cid, {}))
        got = journal.get(cid, stamps[cid])
        if got is not None and set(got) == {s.name for s in sources}:
            done[cid] = got
    if done:
        print(f"{len(done)}/{len(paths)} clips already evaluated in {journal.dir} (an interrupted run), "
              f"evaluating {len(paths) - len(done)}")
    pose = bool(conf.get("pose", True))
    todo = [p for p in paths if clip_id(p) not in done]
    jobs = [(p, sources, classes, by_clip.get(clip_id(p), {}), conf.get("analysis"), pose, splits.get(clip_id(p)),
             known_lens) for p in todo]
    with contextlib.ExitStack() as stack:
        mapper = map if workers == 1 or len(jobs) <= 1 else stack.enter_context(worker_pool(workers)).map
        scored = mapper(_job, jobs)
        for p in tqdm(paths, desc="evaluating", unit="clip"):
            cid = clip_id(p)
            part = done.get(cid)
            if part is None:
                part = journal.put(cid, stamps[cid], next(scored))
            for s in sources:
                for k, v in part[s.name]["results"].items():
                    res[s.name][k].extend(v)
                rows[s.name].append(part[s.name]["row"])

    split_imgs = {sp: [im["id"] for im in images if sp == "overall" or im["split"] == sp] for sp in downstream.SPLITS}
    ev = {"clips": str(conf["clips"]), "dataset": str(conf["data"]) if dataset else None, "n_clips": len(paths),
          "classes": classes, "known_lens": known_lens, "machine": _machine(), "sources": {}}
    for s in sources:
        det = {}
        for sp in downstream.SPLITS if dataset else ():
            det[sp] = {"images": len(split_imgs[sp]),
                       **{k: coco_ap.score(gt, res[s.name][k], split_imgs[sp], classes, k) for k in coco_ap.IOU_TYPES}}
        ev["sources"][s.name] = {"kind": s.kind, "path": None if s.path is None else str(s.path),
                                 **({"degrade": s.degrade, "draws": s.draws} if s.degrade is not None else {}),
                                 "detection": det, "downstream": downstream.summary(rows[s.name]),
                                 "throughput": downstream.throughput(rows[s.name])}

    md = table.markdown(ev, None if dataset else rows)
    metrics, plot_dir, out = Path(conf["metrics"]), Path(conf["plots"]), Path(conf["out"])
    pngs = []
    if dataset:
        pngs = [plots.per_class_ap(ev, "overall", plot_dir / "eval_per_class_ap.png")]
        pngs += [plots.pr_curves(ev, s.name, "overall", plot_dir / f"eval_pr_{s.name}.png") for s in sources]
    write_json(metrics / "eval.json", _lean(ev), indent=1)
    write_json(metrics / "eval_headline.json", table.headline_figures(ev), indent=1)
    if dataset:
        write_json(plot_dir / "eval_pr.json", plots.pr_rows(ev, "overall"))
        write_json(plot_dir / "eval_ap.json", plots.ap_rows(ev, "overall"), indent=1)
    write_text(metrics / "eval.md", md)
    write_json(out / "eval_full.json", {**ev, "rows": rows}, indent=1)
    journal.clear()
    print(md)
    _wandb(ev, conf, out, pngs)
    return {**ev, "rows": rows}
