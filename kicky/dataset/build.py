"""The `build` stage: teacher labels -> an rfdetr-ready COCO instance-segmentation dataset.

<out>/{train,valid,test}/_annotations.coco.json + JPEG frames, <out>/manifest.json (split of every
clip, frames taken), <out>/stats.json; the whole directory appears atomically when complete."""
from __future__ import annotations

from pathlib import Path

import cv2
from tqdm import tqdm

from kicky.cli import number
from kicky.dataset.coco import ANN, CocoWriter
from kicky.dataset.derive import derive
from kicky.dataset.sampling import sample_frames
from kicky.dataset.splits import SPLITS, assign
from kicky.dataset.stats import split_stats, stats_table
from kicky.errors import KickyError
from kicky.io.atomic import staged_dir, write_json, write_text
from kicky.io.pool import worker_pool
from kicky.io.video import read_frames
from kicky.teacher.clips import VIDEO_EXT
from kicky.teacher.store import NAME, read_labels


def label_files(root: Path) -> dict[str, Path]:
    files = {p.parent.name: p for p in sorted(Path(root).glob(f"*/{NAME}"))}
    if not files:
        raise KickyError(f"no teacher labels in {root}: run the label stage first (python -m kicky.teacher)")
    return files


def video_of(clips: Path, clip_id: str) -> Path:
    for p in (clips / clip_id / "clip.mp4", *(clips / f"{clip_id}{e}" for e in VIDEO_EXT)):
        if p.is_file():
            return p
    raise KickyError(f"no video for labelled clip {clip_id} in {clips}")


def _clip_part(job: tuple) -> tuple[str, list[int], CocoWriter]:
    """One clip: its sampled frames as JPEGs in its split's folder and their annotations."""
    cid, path, clips, folder, classes, ds = job
    head, labels = read_labels(path)
    smp = ds["sampling"]
    frames = sample_frames(labels, smp["every"], smp["fast_px"], smp["around"])
    part, n = CocoWriter(classes), 0
    for i, bgr in read_frames(video_of(Path(clips), cid), frames):
        if i >= len(labels):
            break
        d = ds.get("derive")
        insts = derive(labels[i], d["rule"], d["dilate_px"]) if d else labels[i]
        name = f"{cid}_{i:05d}.jpg"
        if not cv2.imwrite(str(Path(folder) / name), bgr, [cv2.IMWRITE_JPEG_QUALITY, int(ds["jpeg_quality"])]):
            raise KickyError(f"could not write {name}")
        part.add(name, bgr.shape[1], bgr.shape[0], insts, {"clip_id": cid, "frame": i})
        n += 1
    if n != len(frames):
        raise KickyError(f"clip {cid}: decoded {n} of {len(frames)} sampled frames (video shorter than its labels?)")
    return cid, frames, part


def _merge(parts, manifest: dict, writers: dict, taken: dict) -> None:
    """Clip parts, in clip order, into their split's writer (so ids do not depend on the workers)."""
    for cid, frames, part in parts:
        taken[cid] = frames
        writers[manifest[cid]].extend(part)


def run(conf: dict) -> dict:
    ds = conf["dataset"]
    workers = number(conf, "workers", int, 1)
    classes = tuple(ds["classes"])
    files = label_files(Path(conf["labels"]))
    sp = ds["split"]
    manifest = assign(list(files), {s: float(sp[s]) for s in SPLITS}, int(sp["seed"]))
    writers = {s: CocoWriter(classes) for s in SPLITS}
    taken: dict[str, list[int]] = {}
    out = Path(conf["out"])
    with staged_dir(out) as tmp:
        for s in SPLITS:
            (tmp / s).mkdir()
        jobs = [(cid, path, str(conf["clips"]), str(tmp / manifest[cid]), classes, ds) for cid, path in files.items()]
        bar = dict(total=len(jobs), desc=f"building {ds['name']}", unit="clip")
        if workers == 1 or len(jobs) <= 1:
            parts = tqdm(map(_clip_part, jobs), **bar)
            _merge(parts, manifest, writers, taken)
        else:
            with worker_pool(workers) as ex:
                _merge(tqdm(ex.map(_clip_part, jobs), **bar), manifest, writers, taken)
        stats = {}
        for s in SPLITS:
            coco = writers[s].to_json()
            if float(sp[s]) > 0 and not coco["images"]:
                raise KickyError(f"split {s} is empty: no frames sampled from its clips")
            write_json(tmp / s / ANN, coco)
            stats[s] = split_stats(coco)
        write_json(tmp / "manifest.json", {"dataset": ds["name"], "classes": list(classes), "splits": manifest,
                                           "frames": taken}, indent=1)
        write_json(tmp / "stats.json", stats, indent=1)
    table = stats_table(stats, classes)
    reports = Path(conf["reports"])
    write_json(reports / f"dataset_{ds['name']}.json", {"classes": list(classes), "splits": stats}, indent=1)
    md = f"# Dataset {ds['name']} ({len(files)} clips, split by clip)\n\n{table}\n"
    write_text(reports / f"dataset_{ds['name']}.md", md)
    print(md)
    return stats
