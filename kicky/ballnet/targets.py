"""CenterNet targets and their inverse. A box (x0, y0, x1, y1 in input pixels, exclusive right/bottom)
becomes, at output stride s: a Gaussian peak of 1 at the cell p = floor(centre / s), the sub-pixel
offset centre / s - p and the size (w, h) / s at that cell. `decode` reads peaks (3x3 max-pool NMS,
top k) back into boxes: decoding an encoded box gives the box back exactly."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def gaussian_radius(w: float, h: float, min_overlap: float = 0.7) -> float:
    """CenterNet's radius: the largest corner shift that keeps IoU >= min_overlap (three cases)."""
    a1, b1, c1 = 1, h + w, w * h * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + np.sqrt(b1 ** 2 - 4 * a1 * c1)) / 2
    a2, b2, c2 = 4, 2 * (h + w), (1 - min_overlap) * w * h
    r2 = (b2 + np.sqrt(b2 ** 2 - 4 * a2 * c2)) / 2
    a3, b3, c3 = 4 * min_overlap, -2 * min_overlap * (h + w), (min_overlap - 1) * w * h
    r3 = (b3 + np.sqrt(b3 ** 2 - 4 * a3 * c3)) / 2
    return float(min(r1, r2, r3))


def encode(boxes: np.ndarray, out_hw: tuple[int, int], stride: int, max_objs: int = 4,
           min_radius: int = 1) -> dict[str, np.ndarray]:
    """Targets of (N, 4) boxes (rows with NaN are no box) on an output grid of out_hw:
    heat (1, h, w) float32; ind (M,) flat cell index; mask (M,) 1 where a box is; offset, size (M, 2)."""
    h, w = out_hw
    heat = np.zeros((1, h, w), np.float32)
    ind = np.zeros(max_objs, np.int64)
    mask = np.zeros(max_objs, np.float32)
    offset = np.zeros((max_objs, 2), np.float32)
    size = np.zeros((max_objs, 2), np.float32)
    k = 0
    for b in np.asarray(boxes, np.float64).reshape(-1, 4):
        if k >= max_objs or not np.isfinite(b).all() or b[2] <= b[0] or b[3] <= b[1]:
            continue
        cx, cy = (b[0] + b[2]) / 2 / stride, (b[1] + b[3]) / 2 / stride
        px, py = int(np.floor(cx)), int(np.floor(cy))
        if not (0 <= px < w and 0 <= py < h):
            continue
        bw, bh = (b[2] - b[0]) / stride, (b[3] - b[1]) / stride
        r = max(int(gaussian_radius(np.ceil(bw), np.ceil(bh))), int(min_radius))
        _draw(heat[0], px, py, r)
        ind[k], mask[k] = py * w + px, 1.0
        offset[k] = cx - px, cy - py
        size[k] = bw, bh
        k += 1
    return {"heat": heat, "ind": ind, "mask": mask, "offset": offset, "size": size}


def _draw(heat: np.ndarray, x: int, y: int, r: int) -> None:
    """Max of `heat` and a Gaussian of sigma (2r+1)/6 centred on cell (x, y), cut at radius r."""
    sigma = (2 * r + 1) / 6
    ys, xs = np.ogrid[-r:r + 1, -r:r + 1]
    g = np.exp(-(xs * xs + ys * ys) / (2 * sigma * sigma))
    H, W = heat.shape
    l, rr, t, b = min(x, r), min(W - x, r + 1), min(y, r), min(H - y, r + 1)
    patch = heat[y - t:y + b, x - l:x + rr]
    np.maximum(patch, g[r - t:r + b, r - l:r + rr], out=patch)


@torch.no_grad()
def decode(heat: torch.Tensor, offset: torch.Tensor, size: torch.Tensor, stride: int, k: int = 1):
    """Peaks of heat probabilities (B, 1, h, w) after a 3x3 max-pool NMS, top k per image ->
    (boxes (B, k, 4) x0, y0, x1, y1 in input pixels, at least 1 px a side, scores (B, k)), best first."""
    B, _, h, w = heat.shape
    heat = heat.float()
    keep = F.max_pool2d(heat, 3, 1, 1) == heat
    scores, ind = (heat * keep).view(B, -1).topk(min(k, h * w))
    ys, xs = (ind // w).float(), (ind % w).float()
    g = lambda t: t.float().view(B, 2, -1).gather(2, ind[:, None].expand(-1, 2, -1))  # noqa: E731
    off, sz = g(offset), g(size)
    cx, cy = (xs + off[:, 0]) * stride, (ys + off[:, 1]) * stride
    bw, bh = (sz[:, 0] * stride).clamp(min=1.0), (sz[:, 1] * stride).clamp(min=1.0)   # a peak is a ball of >= 1 px
    boxes = torch.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], -1)
    return boxes, scores
