"""`python -m kicky.evaluate.realframes run=outputs/train/<run> [data=../shared/realdata/ball_broadcast/valid]
[out=metrics/realframes.json] [size=[1920,1080]] [threshold=0.3] [sliced=true] ...`
(or `ballnet=outputs/ballnet/<run>` in place of run=: the ball specialist, each still its own window)

The sim-to-real gap of the ball: the student over real frames with YOLO ball boxes (`images/`,
`labels/<stem>.txt`, lines `0 cx cy w h` normalised; class 0 = ball; an image without a label file
has no ball). Each image is resized to `size` (the real set is 1920x1080 stretched to 640x640) and
run through `Student` with kicky.detect's settings (conf/detect.yaml: device, fp16, batch,
threshold, sliced, slice). Scored for the ball only: recall (the ball rule of
kicky/core/quality.py on boxes) and pycocotools bbox AP50 / AP@50:95 -> `out` (JSON, with every
image's truth and predicted balls) and one summary line. Evaluation only: never train on these frames."""
from __future__ import annotations

import math
from pathlib import Path

import hydra
from omegaconf import DictConfig

from kicky.checks import number
from kicky.cli import call
from kicky.core.config import CONF_PATH
from kicky.errors import KickyError

IMAGE_EXT = (".jpg", ".jpeg", ".png", ".bmp")
Box = tuple[float, float, float, float]          # x0, y0, x1, y1 in pixels
Ball = tuple[float, float, float, float, float]   # x0, y0, x1, y1, score


def load_yolo(data: str | Path, size: tuple[int, int]) -> list[tuple[Path, list[Box]]]:
    """(image path, ball boxes in pixels of an image of `size` = (width, height)) for every image of
    a YOLO folder, sorted by name; one clear error for a missing folder, no labels or a bad line."""
    data = Path(data)
    images = sorted(p for p in (data / "images").glob("*") if p.suffix.lower() in IMAGE_EXT) \
        if (data / "images").is_dir() else []
    if not images:
        raise KickyError(f"no real frames at {data} (expected images/*.jpg and labels/*.txt, YOLO format): "
                         f"point data= at such a folder, e.g. data=../shared/realdata/ball_broadcast/valid")
    labels = data / "labels"
    if not labels.is_dir() or not any(labels.glob("*.txt")):
        raise KickyError(f"no YOLO labels in {labels} (one <image stem>.txt per image, lines `0 cx cy w h`)")
    W, H = size
    out = []
    for img in images:
        boxes, lab = [], labels / f"{img.stem}.txt"
        for n, line in enumerate(lab.read_text().splitlines() if lab.is_file() else [], 1):
            if not line.strip():
                continue
            try:
                cls, cx, cy, w, h = line.split()
                cls, cx, cy, w, h = int(cls), float(cx), float(cy), float(w), float(h)
            except ValueError:
                raise KickyError(f"{lab}:{n}: expected `class cx cy w h`, got {line.strip()!r}") from None
            if cls == 0:
                boxes.append(((cx - w / 2) * W, (cy - h / 2) * H, (cx + w / 2) * W, (cy + h / 2) * H))
        out.append((img, boxes))
    if not any(b for _, b in out):
        raise KickyError(f"no ball (class 0) in the labels of {labels}: nothing to score")
    return out


def read_frame(path: Path, size: tuple[int, int]):
    """An RGB frame of `size` (width, height), as the student sees a clip's frame."""
    import cv2
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise KickyError(f"unreadable image {path}")
    return cv2.cvtColor(cv2.resize(img, size, interpolation=cv2.INTER_LINEAR), cv2.COLOR_BGR2RGB)


def found(truth: list[Box], balls: list[Ball], threshold: float, ball_px: float = 3.0) -> int:
    """Truth balls of one image found by a predicted ball with score >= threshold whose box centre is
    within max(ball_px, one truth diameter) of the truth centre; greedy by distance, one-to-one (the
    rule of kicky.core.quality, where the diameter is that of a disc of the ball's area: sqrt(w h))."""
    pairs = []
    for i, (px0, py0, px1, py1, s) in enumerate(balls):
        if s < threshold:
            continue
        for j, (x0, y0, x1, y1) in enumerate(truth):
            d = math.hypot((px0 + px1 - x0 - x1) / 2, (py0 + py1 - y0 - y1) / 2)
            if d <= max(ball_px, math.sqrt(max(x1 - x0, 0) * max(y1 - y0, 0))):
                pairs.append((d, i, j))
    used_p, used_t = set(), set()
    for _, i, j in sorted(pairs):
        if i not in used_p and j not in used_t:
            used_p.add(i), used_t.add(j)
    return len(used_t)


def score_balls(truth: list[list[Box]], balls: list[list[Ball]], size: tuple[int, int], threshold: float,
                ball_px: float = 3.0) -> dict:
    """Ball recall (see `found`) and pycocotools bbox AP50 / AP@50:95 over images of `size`; AP uses
    every predicted ball given, recall those with score >= threshold."""
    from kicky.evaluate.coco_ap import gt_coco, score
    if len(truth) != len(balls):
        raise ValueError(f"{len(truth)} truth images but {len(balls)} prediction lists")
    hits = [found(t, b, threshold, ball_px) for t, b in zip(truth, balls)]
    ids = list(range(1, len(truth) + 1))
    anns = [{"id": n, "image_id": k, "category_id": 0, "bbox": [x0, y0, x1 - x0, y1 - y0],
             "area": (x1 - x0) * (y1 - y0), "iscrowd": 0}
            for n, (k, (x0, y0, x1, y1)) in enumerate(((k, b) for k, t in zip(ids, truth) for b in t), 1)]
    gt = {"images": [{"id": k, "width": size[0], "height": size[1]} for k in ids], "annotations": anns,
          "categories": [{"id": 0, "name": "ball"}]}
    dt = [{"image_id": k, "category_id": 0, "bbox": [x0, y0, x1 - x0, y1 - y0], "score": float(s)}
          for k, b in zip(ids, balls) for x0, y0, x1, y1, s in b]
    ap = score(gt_coco(gt), dt, ids, ["ball"], "bbox")
    n = sum(len(t) for t in truth)
    return {"n_images": len(truth), "n_balls": n, "found": sum(hits), "recall": sum(hits) / n if n else None,
            "ap50": ap["AP50"], "ap": ap["AP"], "n_pred": len(dt), "found_per_image": hits}


def detect_balls(student, frames) -> tuple[list[list[Ball]], dict]:
    """The student's balls per frame (box and score; masks dropped) and its timing."""
    labels, timing = student.detect(frames)
    return [[(*(float(v) for v in i.box), float(i.score)) for i in f if i.cls == "ball"] for f in labels], timing


def ballnet_balls(detector, frames) -> tuple[list[list[Ball]], dict]:
    """The ball specialist's balls per still: each is its own three-frame window (f, f, f), so only
    its appearance cue can fire (a ball at rest, as far as the network can tell)."""
    out, seconds = [], 0.0
    for f in frames:
        labels, timing = detector.detect([f, f, f])
        out.append([(*(float(v) for v in i.box), float(i.score)) for i in labels[1] if i.cls == "ball"])
        seconds += timing["seconds"]
    return out, {"seconds": seconds}


def frame_size(v) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in v)
    except (TypeError, ValueError):
        w = h = 0
    if w < 1 or h < 1:
        raise KickyError(f"size={v!r}: expected [width, height] in pixels, e.g. [1920, 1080]")
    return w, h


def run(conf: dict) -> dict:
    from tqdm import tqdm

    from kicky.detect.config import student_settings
    from kicky.detect.student import Student
    from kicky.io.atomic import write_json

    size = frame_size(conf["size"])
    ball_px = number(conf, "ball_px", float, 0.0)
    if conf.get("sliced") and (conf.get("slice") or {}).get("mode") == "roi":
        raise KickyError("slice.mode=roi follows the ball from frame to frame of a clip; real frames are "
                         "unrelated stills: use slice.mode=grid")
    items = load_yolo(conf["data"], size)
    if conf.get("ballnet"):
        from kicky.ballnet.detect import BallDetector
        student = BallDetector.from_config({**conf, "run": conf["ballnet"], "checkpoint": "best", "scale": 1.0,
                                            "k": None, "name": "ballnet"})
        find = ballnet_balls
    else:
        student, find = Student.from_config(conf.get("run"), student_settings(conf, top_level=True)), detect_balls
        if "ball" not in student.classes:
            raise KickyError(f"the student of {conf['run']} has no ball class ({', '.join(student.classes)})")
    balls, seconds = [], 0.0
    with tqdm(total=len(items), desc="real frames", unit="img", leave=False) as bar:
        for i in range(0, len(items), student.batch):
            chunk = items[i:i + student.batch]
            got, timing = find(student, [read_frame(p, size) for p, _ in chunk])
            balls += got
            seconds += timing["seconds"]
            bar.update(len(chunk))
    s = score_balls([t for _, t in items], balls, size, student.threshold, ball_px)
    hits = s.pop("found_per_image")
    for k in ("recall", "ap50", "ap"):
        s[k] = None if s[k] is None else round(float(s[k]), 4)
    summary = {"data": str(conf["data"]), "size": list(size), "threshold": student.threshold, "ball_px": ball_px, **s,
               "detector": {**student.describe(), "frames": len(items), "seconds": round(seconds, 3),
                            "fps": round(len(items) / seconds, 2) if seconds else None},
               "images": [{"image": p.name, "truth": [[round(v, 2) for v in b] for b in t],
                           "balls": [[round(v, 4) for v in b] for b in bs], "found": h}
                          for (p, t), bs, h in zip(items, balls, hits)]}
    write_json(conf["out"], summary, indent=1)
    d = summary["detector"]
    how = "native resolution, each still as a static window" if conf.get("ballnet") else \
        f"@ {d['res']} px, sliced ball pass {'on' if student.sliced else 'off'}"
    print(f"kicky: {s['n_images']} real frames at {size[0]}x{size[1]}: ball recall {s['recall']:.3f} "
          f"({s['found']}/{s['n_balls']} at score >= {student.threshold:g}), AP50 {s['ap50']:.3f}, "
          f"AP {s['ap']:.3f}; {d['model']} {how}, {d['fps']} frames/s on {d['device']} -> {conf['out']}")
    return summary


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="realframes")
def main(cfg: DictConfig) -> None:
    call(run, cfg)


if __name__ == "__main__":
    main()
