"""A corpus of bad and unusual inputs, made at test time from a tiny simulated clip and a few
synthetic videos (issue 17, item 6). Every maker writes into a folder it is given and returns the
path of what it made; all files are small (kilobytes to a few MB)."""
from __future__ import annotations

import json
import os
import zipfile
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from kicky.sim.config import SimConfig

SHOT_ONLY = {"goal": 1.0, "saved": 0.0, "post": 0.0, "over": 0.0, "wide": 0.0, "no_shot": 0.0}


def sim_clip(out: Path, fps: int = 30, seed: int = 3, index: int = 0, **kw) -> Path:
    """One simulated goal (320x180, tripod, one shooter, camera 8-10 m away): its clip dir."""
    from kicky.sim.clip import render_clip
    cfg = SimConfig(**{"width": 320, "height": 180, "fps": fps, "outcome_weights": SHOT_ONLY,
                       "handheld_prob": 0.0, "keeper_prob": 0.0, "extra_players": (0, 0),
                       "camera_distance_m": (8.0, 10.0), **kw})
    s = render_clip(cfg, seed, index, out)
    return Path(out) / s["clip_id"]


def frames_of(video: Path, n: int | None = None) -> list[np.ndarray]:
    """The first `n` (all) decoded frames of a video, BGR."""
    out = []
    with av.open(str(video)) as c:
        for f in c.decode(video=0):
            out.append(f.to_ndarray(format="bgr24"))
            if n is not None and len(out) >= n:
                break
    return out


def write_video(path: Path, frames: list[np.ndarray], fps: int = 30, codec: str = "libx264",
                pix_fmt: str = "yuv420p", pts: list[int] | None = None, in_fmt: str = "bgr24") -> Path:
    """Encode `frames` with PyAV; `pts` (in units of 1/fps s) gives a variable frame rate."""
    path = Path(path)
    with av.open(str(path), mode="w") as c:
        s = c.add_stream(codec, rate=fps)
        s.width, s.height, s.pix_fmt = frames[0].shape[1], frames[0].shape[0], pix_fmt
        s.codec_context.time_base = Fraction(1, fps)
        for i, img in enumerate(frames):
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format=in_fmt)
            vf.pts, vf.time_base = (i if pts is None else pts[i]), Fraction(1, fps)
            for p in s.encode(vf):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def noise_frames(n: int, w: int = 160, h: int = 96, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for _ in range(n)]


def plain_frames(n: int, w: int = 160, h: int = 96, bgr=(40, 160, 60)) -> list[np.ndarray]:
    return [np.full((h, w, 3), bgr, np.uint8) for _ in range(n)]


def moving_square(n: int, w: int, h: int) -> list[np.ndarray]:
    """A white square crossing a green field: valid footage with no ball, player or goal."""
    out = []
    for i in range(n):
        img = np.full((h, w, 3), (40, 140, 50), np.uint8)
        x = int(i * (w - 20) / max(n - 1, 1))
        cv2.rectangle(img, (x, h // 3), (x + max(w // 16, 4), h // 3 + max(h // 9, 4)), (255, 255, 255), -1)
        out.append(img)
    return out


# ------------------------------------------------------------------ damaged files

def zero_bytes(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def truncated(src: Path, path: Path, share: float = 0.4) -> Path:
    data = src.read_bytes()
    path.write_bytes(data[: int(len(data) * share)])
    return path


def garbage_after_header(path: Path, seed: int = 0) -> Path:
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + np.random.default_rng(seed).bytes(6000))
    return path


def scrambled_payload(src: Path, path: Path, seed: int = 0) -> Path:
    """The container intact, the compressed frames overwritten with noise from 10 % on (a disk error)."""
    data = bytearray(src.read_bytes())
    a = int(len(data) * 0.1)
    data[a:] = np.random.default_rng(seed).bytes(len(data) - a)
    path.write_bytes(bytes(data))
    return path


def audio_only(path: Path, seconds: float = 1.0) -> Path:
    """An AAC track in an mp4 container, no video stream."""
    with av.open(str(path), mode="w", format="mp4") as c:
        s = c.add_stream("aac", rate=16000)
        s.layout = "mono"
        n, t = 1024, 0
        while t < seconds * 16000:
            x = (0.2 * np.sin(2 * np.pi * 440 * (t + np.arange(n)) / 16000)).astype(np.float32)[None]
            fr = av.AudioFrame.from_ndarray(x, format="fltp", layout="mono")
            fr.sample_rate, fr.pts = 16000, t
            for p in s.encode(fr):
                c.mux(p)
            t += n
        for p in s.encode():
            c.mux(p)
    return path


def image_as_video(path: Path) -> Path:
    ok, png = cv2.imencode(".png", plain_frames(1)[0])
    path.write_bytes(png.tobytes())
    return path


def text_as_video(path: Path) -> Path:
    path.write_text("this is not a video\n")
    return path


# ------------------------------------------------------------------ damaged JSON and checkpoints

def truncated_json(src: Path, path: Path) -> Path:
    text = src.read_text()
    path.write_text(text[: len(text) // 2])
    return path


def coco_without_bbox(ann: Path) -> Path:
    doc = json.loads(ann.read_text())
    for a in doc["annotations"]:
        a.pop("bbox", None)
    ann.write_text(json.dumps(doc))
    return ann


def torch_checkpoint(path: Path) -> Path:
    import torch
    torch.save({"model": {"w": torch.zeros(2000)}}, path)
    return path


def truncated_checkpoint(path: Path) -> Path:
    torch_checkpoint(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def zip_not_checkpoint(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.txt", "hello")
    return path


# ------------------------------------------------------------------ the user's own files

def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` (relative path -> bytes), to check nothing of the user's changed."""
    root = Path(root)
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def hidden_leftovers(folder: Path) -> list[str]:
    """Staging folders / temp files (names starting with '.') a failed write left behind."""
    folder = Path(folder)
    return sorted(p.name for p in folder.rglob(".*")) if folder.exists() else []


def size_of(path: Path) -> int:
    return os.path.getsize(path)


def vfr_copy(src: Path, dst: Path, keep: list[int], fps: int = 30) -> Path:
    """A variable-frame-rate copy of simulated clip dir `src`: only the frames `keep`, each at its own
    time (pts = index / fps), and their truth."""
    dst.mkdir(parents=True)
    frames = frames_of(src / "clip.mp4")
    write_video(dst / "clip.mp4", [frames[i] for i in keep], fps=fps, pts=list(keep))
    truth = json.loads((src / "truth.json").read_text())
    truth.update(frames=[truth["frames"][i] for i in keep], n_frames=len(keep))
    (dst / "truth.json").write_text(json.dumps(truth))
    return dst
