"""Does MediaPipe Pose find the rendered shooter at the kick frame, and where do its landmarks land?

Renders the kick frame of simulated shot clips, runs MediaPipe Pose (the model in the wheel, offline)
on a square crop around the shooter, and compares its landmarks with the simulator's projected joints.
`python -m kicky.sim.posecheck --n 40 --width 1920 --height 1080` prints a markdown summary.
"""
from __future__ import annotations

import argparse

import numpy as np

from kicky.sim.people import J

# MediaPipe landmark index -> our joint; MediaPipe "left" is the person's own left, like our "l_".
MP_TO_JOINT: dict[int, str] = {
    11: "l_shoulder", 12: "r_shoulder", 13: "l_elbow", 14: "r_elbow", 15: "l_wrist", 16: "r_wrist",
    23: "l_hip", 24: "r_hip", 25: "l_knee", 26: "r_knee", 27: "l_ankle", 28: "r_ankle",
    31: "l_foot", 32: "r_foot"}
MP_IDX = np.array(list(MP_TO_JOINT))
OUR_IDX = np.array([J[name] for name in MP_TO_JOINT.values()])
HEIGHT_BUCKETS = ((0, 80), (80, 150), (150, 10_000))


def crop_box(joints_uv: np.ndarray, width: int, height: int, pad: float = 0.6) -> tuple[int, int, int, int]:
    """Square (x0, y0, x1, y1) around the joints, padded by `pad` x joint-box height each side, clipped."""
    lo, hi = np.min(joints_uv, 0), np.max(joints_uv, 0)
    side = float(max(hi - lo)) + 2 * pad * float(hi[1] - lo[1])
    cx, cy = (lo + hi) / 2
    x0, y0 = int(np.floor(cx - side / 2)), int(np.floor(cy - side / 2))
    x1, y1 = int(np.ceil(cx + side / 2)), int(np.ceil(cy + side / 2))
    return max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)


def pose_on_crop(pose, image_bgr: np.ndarray, box: tuple[int, int, int, int]
                 ) -> tuple[np.ndarray, np.ndarray] | None:
    """Run `pose` on the crop; landmarks (33, 2) in full-image pixels and visibility (33,), or None."""
    x0, y0, x1, y1 = box
    crop = np.ascontiguousarray(image_bgr[y0:y1, x0:x1, ::-1])
    if crop.shape[0] < 2 or crop.shape[1] < 2:
        return None
    res = pose.process(crop)
    if res.pose_landmarks is None:
        return None
    lm = res.pose_landmarks.landmark
    xy = np.array([[p.x * (x1 - x0) + x0, p.y * (y1 - y0) + y0] for p in lm])
    return xy, np.array([p.visibility for p in lm])


def joint_errors(lm_xy: np.ndarray, joints_uv: np.ndarray) -> np.ndarray:
    """Per mapped joint pixel error, normalised by the joint-box height."""
    h = max(float(np.ptp(joints_uv[:, 1])), 1.0)
    return np.linalg.norm(lm_xy[MP_IDX] - joints_uv[OUR_IDX], axis=1) / h


def lr_agrees(lm_xy: np.ndarray, joints_uv: np.ndarray) -> bool:
    """MediaPipe's left ankle lies nearer our l_ankle than our r_ankle."""
    d = np.linalg.norm(joints_uv[[J["l_ankle"], J["r_ankle"]]] - lm_xy[27], axis=1)
    return bool(d[0] < d[1])


def measure(n_clips: int, seed: int = 0, width: int = 1920, height: int = 1080, pad: float = 0.6,
            progress: bool = True) -> dict:
    """Run pose on the shooter at the kick frame of the first `n_clips` shot clips of `seed`."""
    import mediapipe as mp
    from tqdm import tqdm

    from kicky.sim.config import SimConfig
    from kicky.sim.render import Renderer
    from kicky.sim.scenario import sample

    cfg = SimConfig(width=width, height=height)
    rows, errs, lr = [], [], []
    bar = tqdm(total=n_clips, desc=f"posecheck {width}x{height}", unit="shot", disable=not progress)
    with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1) as pose:
        index = 0
        while len(rows) < n_clips:
            scn = sample(cfg, np.random.default_rng([seed, index]))
            index += 1
            if scn.kind != "shot":
                continue
            k = scn.kick_frame
            frame = Renderer(scn).frame(k)
            player = next(p for p in scn.players if p.id == scn.shooter)
            uv, _ = scn.camera_at(k).project(player.joints[k])
            got = pose_on_crop(pose, frame.image, crop_box(uv, width, height, pad))
            err = None
            if got is not None:
                e = joint_errors(got[0], uv)
                errs.append(e)
                err = float(np.median(e))
                lr.append(lr_agrees(got[0], uv))
            rows.append({"clip": index - 1, "height_px": float(np.ptp(uv[:, 1])), "captured": got is not None,
                         "error": err})
            bar.update()
    bar.close()
    captured = sum(r["captured"] for r in rows)
    return {"n": len(rows), "captured": captured, "capture_rate": captured / max(len(rows), 1),
            "median_error": float(np.median(np.concatenate(errs))) if errs else None,
            "lr_agreement": float(np.mean(lr)) if lr else None, "rows": rows}


def _fmt(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--width", type=int, default=1920)
    ap.add_argument("--height", type=int, default=1080)
    a = ap.parse_args(argv)
    r = measure(a.n, a.seed, a.width, a.height)
    print(f"| {a.width}x{a.height} | n | captured | capture rate | median error | L/R agreement |")
    print("|---|---|---|---|---|---|")
    print(f"| all | {r['n']} | {r['captured']} | {_fmt(r['capture_rate'])} | {_fmt(r['median_error'])} "
          f"| {_fmt(r['lr_agreement'])} |")
    for lo, hi in HEIGHT_BUCKETS:
        b = [x for x in r["rows"] if lo <= x["height_px"] < hi]
        c = [x["error"] for x in b if x["captured"]]
        print(f"| height {lo}-{hi if hi < 10_000 else ''} px | {len(b)} | {len(c)} "
              f"| {_fmt(len(c) / len(b) if b else None)} | {_fmt(float(np.median(c)) if c else None)} | |")


if __name__ == "__main__":
    main()
