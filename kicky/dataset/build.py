"""Building the dataset: teacher labels -> an rfdetr-ready COCO instance-segmentation dataset.

<out>/{train,valid,test}/_annotations.coco.json + JPEG frames, <out>/manifest.json (split of every
clip, frames taken, tiles cut), <out>/stats.json; the whole directory appears atomically when complete.
Each clip is first built into `.<out name>.parts/<clip>/` beside it (its JPEGs, then part.json, written
last and atomically, with a key of its labels, video and settings): a rerun after a `kill -9` reuses
the clips finished before it (losing at most those in progress), links their files into the dataset
and removes the parts once the dataset is complete.
With `dataset.tiles.enabled`, train and valid frames also (or only) give native-resolution tiles
(kicky.dataset.tiles); the test split keeps whole frames, which is what the evaluation scores."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import cv2
from tqdm import tqdm

from kicky.core.clips import VIDEO_EXT
from kicky.core.store import NAME, read_labels
from kicky.dataset.coco import ANN, CocoWriter
from kicky.dataset.derive import derive
from kicky.dataset.sampling import sample_frames
from kicky.dataset.splits import SPLITS, assign
from kicky.dataset.stats import split_stats
from kicky.dataset.tiles import crop_instances, frame_rng, plan_tiles, tile_settings
from kicky.errors import KickyError
from kicky.io.atomic import check_replaceable, staged_dir, write_json
from kicky.io.pool import worker_pool
from kicky.io.video import read_frames


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


TILED_SPLITS = ("train", "valid")   # the test split keeps whole frames: the evaluation scores those


def _write(folder: Path, name: str, bgr, quality: int) -> None:
    if not cv2.imwrite(str(folder / name), bgr, [cv2.IMWRITE_JPEG_QUALITY, quality]):
        raise KickyError(f"could not write {name}")


PART = "part.json"   # a finished clip's part: written last (atomically), after its JPEGs


def parts_dir(out: Path) -> Path:
    """Where the clips of `out` are built before the dataset is assembled (hidden, beside it)."""
    return out.parent / f".{out.name}.parts"


def part_key(ds: dict, split: str, labels: Path, video: Path) -> str:
    """What a clip's part depends on: the settings, its split, its labels (content) and its video."""
    st = video.stat()
    h = hashlib.sha1(json.dumps({"v": 1, "ds": ds, "split": split, "video": [str(video), st.st_size, st.st_mtime_ns]},
                                sort_keys=True, default=str).encode())
    h.update(Path(labels).read_bytes())
    return h.hexdigest()[:16]


def finished_part(folder: Path, key: str) -> tuple[list[int], CocoWriter, list[dict]] | None:
    """The part a previous (killed) run finished in `folder` with this key, else None (none, another
    key, or torn: it is built again)."""
    try:
        doc = json.loads((folder / PART).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("key") != key:
        return None
    if not all((folder / im["file_name"]).is_file() for im in doc["images"]):
        return None
    part = CocoWriter(tuple(doc["classes"]))
    part.images, part.annotations = doc["images"], doc["annotations"]
    return doc["frames"], part, doc["cut"]


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:   # a file system without hard links
        shutil.copy2(src, dst)


def _clip_part(job: tuple) -> tuple[str, list[int], CocoWriter, list[dict]]:
    """One clip: its sampled frames (or their tiles) as JPEGs in its part folder, their
    annotations, and the tiles cut (file, frame, origin, size, kind); part.json last."""
    cid, path, video, folder, split, classes, ds, key = job
    head, labels = read_labels(path)
    smp = ds["sampling"]
    tiles = tile_settings(ds.get("tiles")) if split in TILED_SPLITS else None
    frames = sample_frames(labels, smp["every"], smp["fast_px"], smp["around"])
    folder = Path(folder)
    if folder.exists():   # what a killed run left of this clip
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    try:
        return _write_part(cid, labels, frames, video, folder, split, classes, ds, key, tiles)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _write_part(cid, labels, frames, video, folder, split, classes, ds, key, tiles):
    part, n, cut = CocoWriter(classes), 0, []
    quality = int(ds["jpeg_quality"])
    for i, bgr in read_frames(video, frames):
        if i >= len(labels):
            break
        d = ds.get("derive")
        insts = derive(labels[i], d["rule"], d["dilate_px"]) if d else labels[i]
        H, W = bgr.shape[:2]
        meta = {"clip_id": cid, "frame": i}
        if tiles is None or tiles["keep_full"]:
            name = f"{cid}_{i:05d}.jpg"
            _write(folder, name, bgr, quality)
            part.add(name, W, H, insts, meta)
        if tiles is not None:
            insts = [x for x in insts if x.cls in classes]
            for t in plan_tiles(insts, W, H, tiles, frame_rng(tiles["seed"], cid, i)):
                name = t.name(cid, i)
                _write(folder, name, bgr[t.y:t.y + t.h, t.x:t.x + t.w], quality)
                part.add(name, t.w, t.h, crop_instances(insts, t, tiles["min_visible"], tiles["min_visible_px"]),
                         {**meta, **t.meta()})
                cut.append({"file": name, "frame": i, "origin": [t.x, t.y], "size": [t.w, t.h], "kind": t.kind})
        n += 1
    if n != len(frames):
        raise KickyError(f"clip {cid}: decoded {n} of {len(frames)} sampled frames (video shorter than its labels?)")
    write_json(folder / PART, {"key": key, "clip_id": cid, "classes": list(classes), "frames": frames,
                               "images": part.images, "annotations": part.annotations, "cut": cut})
    return cid, frames, part, cut


def _merge(parts, manifest: dict, writers: dict, taken: dict, tiles: dict) -> None:
    """Clip parts, in clip order, into their split's writer (so ids do not depend on the workers)."""
    for cid, frames, part, cut in parts:
        taken[cid] = frames
        if cut:
            tiles[cid] = cut
        writers[manifest[cid]].extend(part)


def build(ds: dict, labels: Path, clips: Path, out: Path, workers: int = 1) -> tuple[dict, int]:
    """The dataset `ds` (checked) from the label caches under `labels` and their clips, into `out`
    (replaced only when it is a dataset built before; each clip built in parallel and kept until the
    whole is written, so a rerun after a kill resumes): (stats per split, clips)."""
    classes = tuple(ds["classes"])
    tiling = tile_settings(ds.get("tiles"))          # checked once here, before any work
    files = label_files(labels)
    sp = ds["split"]
    manifest = assign(list(files), {s: sp[s] for s in SPLITS}, sp["seed"])
    writers = {s: CocoWriter(classes) for s in SPLITS}
    taken: dict[str, list[int]] = {}
    tiles: dict[str, list[dict]] = {}
    check_replaceable(out, "manifest.json")          # before any work: never build over a folder not ours
    parts = parts_dir(out)
    done, jobs = {}, []
    for cid, path in files.items():
        video = video_of(clips, cid)
        key = part_key(ds, manifest[cid], path, video)
        got = finished_part(parts / cid, key)
        if got is not None:
            done[cid] = got
        else:
            jobs.append((cid, path, video, str(parts / cid), manifest[cid], classes, ds, key))
    if done:
        print(f"{len(done)}/{len(files)} clips already built in {parts} (an interrupted run), building {len(jobs)}")
    bar = dict(total=len(jobs), desc=f"building {ds['name']}", unit="clip")
    try:
        if workers == 1 or len(jobs) <= 1:
            built = list(tqdm(map(_clip_part, jobs), **bar))
        else:
            with worker_pool(workers) as ex:
                built = list(tqdm(ex.map(_clip_part, jobs), **bar))
    except BaseException:   # the clips finished are kept for the rerun; no empty parts folder is left
        if parts.is_dir() and not any(parts.iterdir()):
            parts.rmdir()
        raise
    done.update((cid, (frames, part, cut)) for cid, frames, part, cut in built)
    with staged_dir(out, "manifest.json") as tmp:
        for s in SPLITS:
            (tmp / s).mkdir()
        for cid in files:
            for im in done[cid][1].images:
                _link(parts / cid / im["file_name"], tmp / manifest[cid] / im["file_name"])
        _merge(((cid, *done[cid]) for cid in files), manifest, writers, taken, tiles)
        stats = {}
        for s in SPLITS:
            coco = writers[s].to_json()
            if float(sp[s]) > 0 and not coco["images"]:
                raise KickyError(f"split {s} is empty: no frames sampled from its clips")
            write_json(tmp / s / ANN, coco)
            stats[s] = split_stats(coco)
        doc = {"dataset": ds["name"], "classes": list(classes), "splits": manifest, "frames": taken}
        if tiling is not None:
            doc.update(tile_settings={**tiling, "splits": list(TILED_SPLITS)}, tiles=tiles)
        write_json(tmp / "manifest.json", doc, indent=1)
        write_json(tmp / "stats.json", stats, indent=1)
    shutil.rmtree(parts, ignore_errors=True)          # the dataset is complete: its parts are no longer needed
    return stats, len(files)
