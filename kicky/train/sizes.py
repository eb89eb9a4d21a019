"""Model sizes and the input resolutions rfdetr accepts for them."""
from __future__ import annotations

from kicky.errors import KickyError


def check_res(model: dict, res) -> int:
    """`res` as an int, or one clear error naming the nearest valid values for this model."""
    block, name = int(model["block"]), model["name"]
    if isinstance(res, bool) or not isinstance(res, int) or res <= 0:
        raise KickyError(f"res must be a positive integer, got {res!r}")
    if res % block:
        lo = res // block * block
        near = [v for v in (lo, lo + block) if v > 0]
        raise KickyError(f"res={res} is not valid for model={name}: rfdetr needs a multiple of {block} "
                         f"(patch x windows); nearest valid: {' or '.join(map(str, near))}")
    return res
