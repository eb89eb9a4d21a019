"""The crop cache: one pass over the clips cuts native-resolution crops of three-frame windows into
uint8 arrays on disk, so training epochs never decode video.

Per sampled frame (every `crops.every`-th), a crop is one of: `ball` (the labelled ball somewhere
inside, at least `margin` px from the edge), `negative` (placed away from the labelled ball: no ball
in it) or `random` (anywhere; it may hold the ball), drawn with the config's ratios. A frame with no
labelled ball gives a random crop with no target (`crops.unlabelled: random`: the labels say there is
no ball there, as the oracle's do) or none (`skip`: a teacher that finds the ball in a third of the
frames does not say it is absent from the rest; its misses would be taught as background).
Layout: `<root>/<split>/<clip_id>/x.npy` (N, crop, crop, 9) uint8 (t-1, t, t+1 RGB), `box.npy`
(N, 4) float32 ball box in crop pixels (NaN: none), `kind.npy`, `meta.json`. Each clip directory
appears in one rename and records what made it, so a rerun (or a killed pass) redoes only the clips
missing or made from other labels."""
from __future__ import annotations

import bisect
import json
import random
import zlib
from pathlib import Path

import numpy as np

from kicky.errors import KickyError

KINDS = ("ball", "negative", "random")
UNLABELLED = ("random", "skip")   # what a frame with no labelled ball gives


def ball_boxes(label_path: str | Path) -> tuple[dict, list[tuple[float, float, float, float] | None]]:
    """(header, per frame the highest-scoring ball's box from its mask, or None) of a label cache.
    Reads the RLE boxes directly: no full-frame mask is decoded (1080p caches stay cheap)."""
    from kicky.io.rle import box_and_area
    try:
        doc = json.loads(Path(label_path).read_text())
        boxes = []
        for fr in doc["frames"]:
            best = None
            for d in fr:
                if d["class"] != "ball":
                    continue
                (x, y, w, h), area = box_and_area(d["rle"])
                if area > 0 and (best is None or d["score"] > best[0]):
                    best = (float(d["score"]), (x, y, x + w, y + h))
            boxes.append(best[1] if best else None)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise KickyError(f"corrupt label cache {label_path}: {e.__class__.__name__}: {e} (delete it to relabel)") from None
    return {k: v for k, v in doc.items() if k != "frames"}, boxes


def _inside(box, x0: int, y0: int, c: int):
    """The ball box in crop coordinates, clipped to the crop; None when its centre is outside."""
    bx0, by0, bx1, by1 = box[0] - x0, box[1] - y0, box[2] - x0, box[3] - y0
    cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
    if not (0 <= cx < c and 0 <= cy < c):
        return None
    return (max(bx0, 0.0), max(by0, 0.0), min(bx1, float(c)), min(by1, float(c)))


def _overlaps(box, x0: int, y0: int, c: int, margin: int) -> bool:
    return box[2] + margin > x0 and box[0] - margin < x0 + c and box[3] + margin > y0 and box[1] - margin < y0 + c


def plan(boxes: list, shape: tuple[int, int], crop: int, cfg: dict, rng: np.random.Generator):
    """Crops of one clip: (frame, x0, y0, kind) rows and their (N, 4) ball boxes in crop pixels."""
    H, W = shape
    if crop > min(H, W):
        raise KickyError(f"crop={crop} is larger than the clip's frames ({W}x{H}): use crop <= {min(H, W)}")
    ratios = np.array([float(cfg.get(k, 0.0)) for k in KINDS])
    if (ratios < 0).any() or not ratios.sum():
        raise KickyError(f"crops.ball / negative / random must be >= 0 with a positive sum, got {ratios.tolist()}")
    ratios /= ratios.sum()
    every, per, m = int(cfg.get("every", 1)), int(cfg.get("per_frame", 1)), int(cfg.get("margin", 8))
    unlabelled = str(cfg.get("unlabelled", "random"))
    if unlabelled not in UNLABELLED:
        raise KickyError(f"crops.unlabelled={unlabelled!r}: use one of {', '.join(UNLABELLED)}")
    rows, out = [], []
    for t in range(0, len(boxes), max(every, 1)):
        if boxes[t] is None and unlabelled == "skip":
            continue
        for _ in range(max(per, 1)):
            b = boxes[t]
            kind = KINDS[rng.choice(3, p=ratios)] if b is not None else "random"
            x0, y0 = int(rng.integers(0, W - crop + 1)), int(rng.integers(0, H - crop + 1))
            if kind == "ball":
                cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
                lo_x, hi_x = max(0, int(np.ceil(cx + m - crop))), min(W - crop, int(cx - m))
                lo_y, hi_y = max(0, int(np.ceil(cy + m - crop))), min(H - crop, int(cy - m))
                pick = lambda lo, hi, c, size: int(rng.integers(lo, hi + 1)) if lo <= hi else \
                    int(np.clip(round(c - crop / 2), 0, size - crop))   # noqa: E731  (a ball at the edge)
                x0, y0 = pick(lo_x, hi_x, cx, W), pick(lo_y, hi_y, cy, H)
            elif kind == "negative":
                for _ in range(50):
                    if not _overlaps(b, x0, y0, crop, m):
                        break
                    x0, y0 = int(rng.integers(0, W - crop + 1)), int(rng.integers(0, H - crop + 1))
                else:
                    kind = "random"   # the frame has no ball-free place this large
            inside = _inside(b, x0, y0, crop) if b is not None else None
            if kind == "negative" and inside is not None:
                inside = None
            rows.append((t, x0, y0, KINDS.index(kind)))
            out.append(inside if inside is not None else (np.nan,) * 4)
    return np.array(rows, np.int64).reshape(-1, 4), np.array(out, np.float32).reshape(-1, 4)


def _extract(job: tuple) -> dict:
    """Cut one clip's planned crops into its cache directory (streaming: three frames in memory)."""
    from kicky.ballnet.frames import rgb_frames, windows
    from kicky.io.atomic import staged_dir, write_json
    clip, final, rows, boxes, crop, meta = job
    with staged_dir(final, "meta.json") as tmp:
        x = np.lib.format.open_memmap(tmp / "x.npy", "w+", np.uint8, (len(rows), crop, crop, 9))
        by_frame: dict[int, list[int]] = {}
        for i, t in enumerate(rows[:, 0]):
            by_frame.setdefault(int(t), []).append(i)
        n = 0
        for t, win in windows(rgb_frames(clip), 1):
            if t == 0 and win[1].shape[:2] != tuple(meta["shape"]):
                raise KickyError(f"{clip}: frames are {win[1].shape[1]}x{win[1].shape[0]} but its labels say "
                                 f"{meta['shape'][1]}x{meta['shape'][0]}: relabel it")
            for i in by_frame.get(t, ()):
                _, x0, y0, _ = rows[i]
                x[i] = np.concatenate([f[y0:y0 + crop, x0:x0 + crop] for f in win], axis=2)
            n = t + 1
        if rows.size and int(rows[:, 0].max()) >= n:
            raise KickyError(f"{clip}: {n} frames decoded but its labels have {meta['frames']}: relabel it")
        x.flush()
        del x
        np.save(tmp / "box.npy", boxes)
        np.save(tmp / "kind.npy", rows[:, 3].astype(np.uint8))
        write_json(tmp / "meta.json", {**meta, "crops": len(rows), "decoded_frames": n})
    return {"clip": meta["clip"], "crops": len(rows)}


def _meta_ok(d: Path, meta: dict) -> bool:
    try:
        m = json.loads((d / "meta.json").read_text())
    except (OSError, ValueError):
        return False
    return all(m.get(k) == v for k, v in meta.items()) and (d / "x.npy").is_file()


def build(jobs: dict[str, list[tuple[Path, Path]]], root: Path, crop: int, cfg: dict, seed: int,
          workers: int = 1) -> dict[str, list[Path]]:
    """Cache the crops of {split: [(clip path, label cache)]} under root/<split>/<clip_id>; returns
    {split: [clip cache dirs]}. Clips already cached from the same labels and settings are kept."""
    from tqdm import tqdm

    from kicky.core.clips import clip_id
    todo, done = [], {s: [] for s in jobs}
    for split, pairs in jobs.items():
        for clip, labels in pairs:
            cid = clip_id(clip)
            head, boxes = ball_boxes(labels)
            shape = (int(head.get("height") or 0), int(head.get("width") or 0))
            if not all(shape):
                from kicky.io.video import probe
                info = probe(clip / "clip.mp4" if clip.is_dir() else clip)
                shape = (info["height"], info["width"])
            meta = {"clip": cid, "split": split, "labels": head.get("fingerprint"), "frames": len(boxes),
                    "shape": list(shape), "crop": crop, "seed": seed, "crops_cfg": cfg}
            final = root / split / cid
            done[split].append(final)
            if _meta_ok(final, meta):
                continue
            rng = np.random.default_rng([seed, zlib.crc32(cid.encode())])
            rows, bx = plan(boxes, shape, crop, cfg, rng)
            todo.append((clip, final, rows, bx, crop, meta))
    if todo:
        n = sum(len(j[2]) for j in todo)
        print(f"kicky: cutting {n} crops of {crop} px from {len(todo)} clips ({n * crop * crop * 9 / 2 ** 30:.2f} GiB) "
              f"into {root}", flush=True)
        bar = dict(total=len(todo), desc="crops", unit="clip")
        if workers <= 1 or len(todo) == 1:
            for j in tqdm(todo, **bar):
                _extract(j)
        else:
            from kicky.io.pool import worker_pool
            with worker_pool(min(workers, len(todo))) as ex:
                for _ in tqdm(ex.map(_extract, todo), **bar):
                    pass
    return done


class CropSet:
    """A torch-style dataset over cached crops (paths opened lazily per process as memmaps, or
    in-memory (x, box) arrays): item -> {x (crop, crop, 9) uint8, box (4,), heat, ind, mask, offset,
    size}. `augment` (train only): horizontal flip and brightness / contrast, the same for all three
    frames of a window; `augment.paste` (p > 0): a crop with no labelled ball gets a synthetic one
    with probability p (kicky/ballnet/paste.py), its box the target."""

    def __init__(self, parts: list, stride: int, augment: dict | None = None, max_objs: int = 4,
                 min_radius: int = 1):
        self.parts, self.stride, self.augment = list(parts), int(stride), augment
        self.max_objs, self.min_radius = max_objs, min_radius
        self._open: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.sizes = [len(self._arrays(i)[1]) for i in range(len(self.parts))]
        self.starts = np.cumsum([0] + self.sizes).tolist()

    def _arrays(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        if i not in self._open:
            p = self.parts[i]
            if isinstance(p, (str, Path)):
                p = (np.load(Path(p) / "x.npy", mmap_mode="r"), np.load(Path(p) / "box.npy"))
            self._open[i] = p
        return self._open[i]

    def __getstate__(self):
        return {**self.__dict__, "_open": {i: v for i, v in self._open.items()
                                           if not isinstance(self.parts[i], (str, Path))}}

    def __len__(self) -> int:
        return self.starts[-1]

    def boxes(self) -> np.ndarray:
        return np.concatenate([self._arrays(i)[1] for i in range(len(self.parts))]) if self.parts else np.zeros((0, 4))

    def __getitem__(self, k: int) -> dict:
        import torch

        from kicky.ballnet.targets import encode
        i = bisect.bisect_right(self.starts, k) - 1
        xs, bs = self._arrays(i)
        x, box = np.array(xs[k - self.starts[i]]), bs[k - self.starts[i]].astype(np.float32).copy()
        c = x.shape[1]
        a = self.augment
        pc = (a or {}).get("paste") or {}
        if float(pc.get("p", 0.0)) > 0 and not np.isfinite(box).all() and random.random() < float(pc["p"]):
            from kicky.ballnet.paste import paste
            box = np.array(paste(x, np.random.default_rng(random.getrandbits(63)), float(pc.get("diameter", 10.0)), pc),
                           np.float32)
        if a:
            if random.random() < float(a.get("flip", 0.5)):
                x = x[:, ::-1]
                box[[0, 2]] = c - box[[2, 0]]
            gain = 1 + random.uniform(-1, 1) * float(a.get("contrast", 0.0))
            bias = random.uniform(-1, 1) * float(a.get("brightness", 0.0)) * 255
            if gain != 1 or bias:
                lut = np.clip((np.arange(256) - 128) * gain + 128 + bias, 0, 255).astype(np.uint8)
                x = lut[x]
        h, w = -(-x.shape[0] // self.stride), -(-c // self.stride)
        t = encode(box[None], (h, w), self.stride, self.max_objs, self.min_radius)
        return {"x": torch.from_numpy(np.ascontiguousarray(x)), "box": torch.from_numpy(box),
                **{k: torch.from_numpy(v) for k, v in t.items()}}
