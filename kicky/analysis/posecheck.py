"""Does MediaPipe Pose find the rendered shooter at the kick frame, and where do its landmarks land?

Renders the kick frame of simulated shot clips, runs MediaPipe Pose (the model in the wheel, offline)
on a square crop around the shooter, and compares its landmarks with the simulator's projected joints.
`python -m kicky.analysis.posecheck n=40 width=1920 height=1080` (`kicky posecheck`, conf/posecheck.yaml)
prints a markdown summary.
"""
from __future__ import annotations

import numpy as np

import hydra
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH

from kicky.analysis.pose import crop_box, pose_on_crop
from kicky.checks import number
from kicky.sim.people import J

# MediaPipe landmark index -> our joint; MediaPipe "left" is the person's own left, like our "l_".
MP_TO_JOINT: dict[int, str] = {
    11: "l_shoulder", 12: "r_shoulder", 13: "l_elbow", 14: "r_elbow", 15: "l_wrist", 16: "r_wrist",
    23: "l_hip", 24: "r_hip", 25: "l_knee", 26: "r_knee", 27: "l_ankle", 28: "r_ankle",
    31: "l_foot", 32: "r_foot"}
MP_IDX = np.array(list(MP_TO_JOINT))
OUR_IDX = np.array([J[name] for name in MP_TO_JOINT.values()])
MIRROR_IDX = np.array([J[{"l": "r_", "r": "l_"}[n[0]] + n[2:]] for n in MP_TO_JOINT.values()])
ON_TARGET = 0.2  # an L/R-free median error above this means MediaPipe found something else
HEIGHT_BUCKETS = ((0, 80), (80, 150), (150, 10_000))


def joint_errors(lm_xy: np.ndarray, joints_uv: np.ndarray, mirror: bool = False) -> np.ndarray:
    """Per mapped joint pixel error / joint-box height; `mirror` compares with the other side's joints."""
    h = max(float(np.ptp(joints_uv[:, 1])), 1.0)
    return np.linalg.norm(lm_xy[MP_IDX] - joints_uv[MIRROR_IDX if mirror else OUR_IDX], axis=1) / h


def lr_free_errors(lm_xy: np.ndarray, joints_uv: np.ndarray) -> np.ndarray:
    """joint_errors under whichever whole-body left/right assignment fits better."""
    a, b = joint_errors(lm_xy, joints_uv), joint_errors(lm_xy, joints_uv, mirror=True)
    return a if np.median(a) <= np.median(b) else b


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
    rows, errs, free, lr = [], [], [], []
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
            cam, X = scn.camera_at(k), player.joints[k]
            uv, _ = cam.project(X)
            faces = float(np.cross(X[J["l_hip"]] - X[J["r_hip"]], [0, 0, 1]) @ (cam.center - X[J["head"]])) > 0
            got = pose_on_crop(pose, frame.image[:, :, ::-1], crop_box(uv, width, height, pad))   # the renderer's BGR
            err = err_free = lr_ok = None
            if got is not None:
                errs.append(joint_errors(got[0], uv))
                free.append(lr_free_errors(got[0], uv))
                err, err_free = float(np.median(errs[-1])), float(np.median(free[-1]))
                lr_ok = lr_agrees(got[0], uv)
                lr.append(lr_ok)
            rows.append({"clip": index - 1, "height_px": float(np.ptp(uv[:, 1])), "captured": got is not None,
                         "error": err, "error_lr_free": err_free, "lr_agrees": lr_ok,
                         "faces_camera": faces})
            bar.update()
    bar.close()
    captured = sum(r["captured"] for r in rows)
    on = sum(r["captured"] and r["error_lr_free"] < ON_TARGET for r in rows)
    pooled = lambda e: float(np.median(np.concatenate(e))) if e else None  # noqa: E731
    return {"n": len(rows), "captured": captured, "capture_rate": captured / max(len(rows), 1),
            "on_target_rate": on / max(len(rows), 1),
            "median_error": pooled(errs), "median_error_lr_free": pooled(free),
            "lr_agreement": float(np.mean(lr)) if lr else None, "rows": rows}


def _fmt(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def _line(name: str, rows: list[dict], overall: tuple | None = None) -> str:
    """One markdown row; bucket errors are medians of per-clip medians."""
    cap = [x for x in rows if x["captured"]]
    med = lambda k, f=np.median: float(f([x[k] for x in cap])) if cap else None  # noqa: E731
    e, ef, lr = overall or (med("error"), med("error_lr_free"), med("lr_agrees", np.mean))
    on = sum(x["error_lr_free"] < ON_TARGET for x in cap)
    rate = lambda k: k / len(rows) if rows else None  # noqa: E731
    return (f"| {name} | {len(rows)} | {_fmt(rate(len(cap)))} | {_fmt(rate(on))} | {_fmt(e)} | {_fmt(ef)} "
            f"| {_fmt(lr)} |")


def run(conf: dict) -> dict:
    n, seed = number(conf, "n", int, 1), number(conf, "seed", int)
    width, height = number(conf, "width", int, 2), number(conf, "height", int, 2)
    r = measure(n, seed, width, height)
    print(f"| {width}x{height} | n | capture | on target | median err | median err, L/R-free | L/R agree |")
    print("|---|---|---|---|---|---|---|")
    print(_line("all", r["rows"], (r["median_error"], r["median_error_lr_free"], r["lr_agreement"])))
    for lo, hi in HEIGHT_BUCKETS:
        label = f"{lo}-{hi} px" if hi < 10_000 else f">= {lo} px"
        print(_line(label, [x for x in r["rows"] if lo <= x["height_px"] < hi]))
    return r


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="posecheck")
def main(cfg: DictConfig) -> None:
    call(run, cfg)


if __name__ == "__main__":
    main()
