"""BallNet: a light U-Net over three stacked RGB frames with CenterNet heads (ball heatmap, sub-pixel
offset, box size) at stride 2 or 4. Fully convolutional: any input size (padded to a multiple of the
total stride, the outputs cropped back)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from kicky.errors import KickyError

HEAT_PRIOR = -2.19   # CenterNet's heatmap bias: sigmoid = 0.1 at the start


class ConvBN(nn.Sequential):
    def __init__(self, cin: int, cout: int, k: int = 3, stride: int = 1):
        super().__init__(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class Block(nn.Module):
    """Two 3x3 convolutions with a residual connection."""

    def __init__(self, c: int):
        super().__init__()
        self.a, self.b = ConvBN(c, c), ConvBN(c, c)

    def forward(self, x):
        return x + self.b(self.a(x))


def _head(c: int, n: int, bias: float = 0.0) -> nn.Sequential:
    h = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1), nn.ReLU(inplace=True), nn.Conv2d(c, n, 1))
    nn.init.constant_(h[-1].bias, bias)
    return h


class BallNet(nn.Module):
    """`widths[i]` channels at stride 2**(i+1); the decoder climbs back to `stride` (2 or 4).
    Input (B, 3*frames, H, W), uint8 or float in 0..255; output {heat: logits (B,1,h,w), offset:
    (B,2,h,w) in output cells, size: (B,2,h,w) box w,h in output cells}, h = ceil(H / stride)."""

    def __init__(self, widths=(16, 32, 64, 128), stride: int = 2, frames: int = 3):
        super().__init__()
        widths = [int(w) for w in widths]
        if stride not in (2, 4) or (stride == 4 and len(widths) < 2) or not widths or min(widths) < 1:
            raise KickyError(f"ballnet model: stride must be 2 or 4 and widths a list of positive ints "
                             f"(at least 2 for stride 4), got stride={stride} widths={widths}")
        self.widths, self.stride, self.frames = widths, int(stride), int(frames)
        self.total_stride = 2 ** len(widths)
        self.out_level = int(math.log2(stride)) - 1
        cin = 3 * frames
        self.enc = nn.ModuleList([nn.Sequential(ConvBN(cin if i == 0 else widths[i - 1], w, stride=2), Block(w))
                                  for i, w in enumerate(widths)])
        levels = range(self.out_level, len(widths) - 1)
        self.lateral = nn.ModuleList([ConvBN(widths[j + 1], widths[j], k=1) for j in levels])
        self.fuse = nn.ModuleList([Block(widths[j]) for j in levels])
        w = widths[self.out_level]
        self.heat, self.offset, self.size = _head(w, 1, HEAT_PRIOR), _head(w, 2), _head(w, 2)

    def config(self) -> dict:
        return {"widths": self.widths, "stride": self.stride, "frames": self.frames}

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        H, W = x.shape[-2:]
        dtype = next(self.parameters()).dtype
        ph, pw = -H % self.total_stride, -W % self.total_stride
        if ph or pw:   # zero padding right and bottom, keeping the input's memory format (channels last)
            fmt = torch.channels_last if x.is_contiguous(memory_format=torch.channels_last) else torch.contiguous_format
            y = torch.zeros((*x.shape[:2], H + ph, W + pw), dtype=x.dtype, device=x.device).contiguous(memory_format=fmt)
            y[..., :H, :W] = x
            x = y
        x = x.to(dtype) * (1 / 127.5) - 1.0
        feats = []
        for stage in self.enc:
            x = stage(x)
            feats.append(x)
        for j in range(len(self.widths) - 2, self.out_level - 1, -1):
            idx = j - self.out_level
            x = self.lateral[idx](x)
            x = F.interpolate(x, scale_factor=2.0, mode="nearest") + feats[j]
            x = self.fuse[idx](x)
        h, w = -(-H // self.stride), -(-W // self.stride)
        x = x[..., :h, :w]
        return {"heat": self.heat(x), "offset": self.offset(x), "size": self.size(x)}


def build(conf: dict) -> BallNet:
    """The model of a config's `model:` section."""
    return BallNet(conf.get("widths", (16, 32, 64, 128)), int(conf.get("stride", 2)), int(conf.get("frames", 3)))
