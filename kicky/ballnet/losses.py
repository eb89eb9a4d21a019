"""CenterNet's losses: the penalty-reduced pixel-wise focal loss on the heatmap (normalised by the
number of balls in the batch) and L1 on offset and size at the ball's cell only."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def focal_loss(logits: torch.Tensor, target: torch.Tensor, alpha: float = 2.0, beta: float = 4.0) -> torch.Tensor:
    """Sum over cells of -(1-p)^a log p where target == 1, -(1-t)^b p^a log(1-p) elsewhere, / balls."""
    logits, target = logits.float(), target.float()
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = target.eq(1).float()
    pos_l = -F.logsigmoid(logits) * (1 - p) ** alpha * pos
    neg_l = -F.logsigmoid(-logits) * p ** alpha * (1 - target) ** beta * (1 - pos)
    return (pos_l.sum() + neg_l.sum()) / pos.sum().clamp(min=1.0)


def reg_l1(pred: torch.Tensor, ind: torch.Tensor, mask: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """L1 between pred (B, 2, h, w) gathered at flat cells ind (B, M) and target (B, M, 2), where mask."""
    B = pred.shape[0]
    got = pred.float().view(B, 2, -1).gather(2, ind[:, None].expand(-1, 2, -1)).transpose(1, 2)
    m = mask[..., None].float()
    return (F.l1_loss(got * m, target.float() * m, reduction="sum")) / (m.sum() * 2).clamp(min=1.0)


def total(out: dict, t: dict, w: dict) -> tuple[torch.Tensor, dict[str, float]]:
    """The weighted sum of the three terms (weights w: offset, size, alpha, beta), and each term."""
    heat = focal_loss(out["heat"], t["heat"], w.get("alpha", 2.0), w.get("beta", 4.0))
    off = reg_l1(out["offset"], t["ind"], t["mask"], t["offset"])
    size = reg_l1(out["size"], t["ind"], t["mask"], t["size"])
    loss = heat + w.get("offset", 1.0) * off + w.get("size", 0.1) * size
    return loss, {"heat": float(heat.detach()), "offset": float(off.detach()), "size": float(size.detach())}
