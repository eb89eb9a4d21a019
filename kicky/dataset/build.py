"""The `build` stage: teacher labels -> an rfdetr-ready COCO instance-segmentation dataset.

<out>/{train,valid,test}/_annotations.coco.json + JPEG frames, <out>/manifest.json (split of every
clip, frames taken, tiles cut), <out>/stats.json; the whole directory appears atomically when complete.
With `dataset.tiles.enabled`, train and valid frames also (or only) give native-resolution tiles
(kicky.dataset.tiles); the test split keeps whole frames, which is what the evaluation scores."""
from __future__ import annotations

from pathlib import Path

import cv2
from tqdm import tqdm

from kicky.checks import number
from kicky.dataset.coco import ANN, CocoWriter
from kicky.dataset.derive import derive
from kicky.dataset.sampling import sample_frames
from kicky.dataset.splits import SPLITS, assign
from kicky.dataset.stats import split_stats, stats_table
from kicky.dataset.tiles import crop_instances, frame_rng, plan_tiles, tile_settings
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


TILED_SPLITS = ("train", "valid")   # the test split keeps whole frames: the evaluation scores those


def _write(folder: Path, name: str, bgr, quality: int) -> None:
    if not cv2.imwrite(str(folder / name), bgr, [cv2.IMWRITE_JPEG_QUALITY, quality]):
        raise KickyError(f"could not write {name}")


def _clip_part(job: tuple) -> tuple[str, list[int], CocoWriter, list[dict]]:
    """One clip: its sampled frames (or their tiles) as JPEGs in its split's folder, their
    annotations, and the tiles cut (file, frame, origin, size, kind)."""
    cid, path, clips, folder, split, classes, ds = job
    head, labels = read_labels(path)
    smp = ds["sampling"]
    tiles = tile_settings(ds.get("tiles")) if split in TILED_SPLITS else None
    frames = sample_frames(labels, smp["every"], smp["fast_px"], smp["around"])
    part, n, cut = CocoWriter(classes), 0, []
    folder, quality = Path(folder), int(ds["jpeg_quality"])
    for i, bgr in read_frames(video_of(Path(clips), cid), frames):
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
    return cid, frames, part, cut


def _merge(parts, manifest: dict, writers: dict, taken: dict, tiles: dict) -> None:
    """Clip parts, in clip order, into their split's writer (so ids do not depend on the workers)."""
    for cid, frames, part, cut in parts:
        taken[cid] = frames
        if cut:
            tiles[cid] = cut
        writers[manifest[cid]].extend(part)


def check(ds: dict) -> dict:
    """`ds` with its sampling, JPEG and split settings typed and in range (one clear error naming
    the key), before any work."""
    def num(group: str | None, key: str, kind, low, high=float("inf")):
        name = f"dataset.{group + '.' if group else ''}{key}"
        return number({name: (ds[group] if group else ds)[key]}, name, kind, low, high)
    smp = {**ds["sampling"], "every": num("sampling", "every", int, 1), "fast_px": num("sampling", "fast_px", float, 0.0),
           "around": num("sampling", "around", int, 0)}
    split = {**ds["split"], "seed": num("split", "seed", int, 0), **{s: num("split", s, float, 0.0) for s in SPLITS}}
    return {**ds, "sampling": smp, "split": split, "jpeg_quality": num(None, "jpeg_quality", int, 1, 100)}


def run(conf: dict) -> dict:
    ds = check(conf["dataset"])
    workers = number(conf, "workers", int, 1)
    classes = tuple(ds["classes"])
    tiling = tile_settings(ds.get("tiles"))          # checked once here, before any work
    files = label_files(Path(conf["labels"]))
    sp = ds["split"]
    manifest = assign(list(files), {s: sp[s] for s in SPLITS}, sp["seed"])
    writers = {s: CocoWriter(classes) for s in SPLITS}
    taken: dict[str, list[int]] = {}
    tiles: dict[str, list[dict]] = {}
    out = Path(conf["out"])
    with staged_dir(out, "manifest.json") as tmp:
        for s in SPLITS:
            (tmp / s).mkdir()
        jobs = [(cid, path, str(conf["clips"]), str(tmp / manifest[cid]), manifest[cid], classes, ds)
                for cid, path in files.items()]
        bar = dict(total=len(jobs), desc=f"building {ds['name']}", unit="clip")
        if workers == 1 or len(jobs) <= 1:
            parts = tqdm(map(_clip_part, jobs), **bar)
            _merge(parts, manifest, writers, taken, tiles)
        else:
            with worker_pool(workers) as ex:
                _merge(tqdm(ex.map(_clip_part, jobs), **bar), manifest, writers, taken, tiles)
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
    table = stats_table(stats, classes)
    reports = Path(conf["reports"])
    write_json(reports / f"dataset_{ds['name']}.json", {"classes": list(classes), "splits": stats}, indent=1)
    md = f"# Dataset {ds['name']} ({len(files)} clips, split by clip)\n\n{table}\n"
    write_text(reports / f"dataset_{ds['name']}.md", md)
    print(md)
    return stats
