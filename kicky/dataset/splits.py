"""Clip-level splits by hashing the clip id: stable when clips are added, never split by frame."""
from __future__ import annotations

import hashlib

from kicky.core.domain import SPLITS  # noqa: F401  (re-exported)
from kicky.errors import KickyError


def unit_hash(clip_id: str, seed: int) -> float:
    h = hashlib.sha256(f"{seed}:{clip_id}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2 ** 64


def split_of(clip_id: str, ratios: dict[str, float], seed: int = 0) -> str:
    """train / valid / test for a clip: where its hash falls among the cumulative ratios."""
    total = sum(ratios[s] for s in SPLITS)
    u, acc = unit_hash(clip_id, seed) * total, 0.0
    for s in SPLITS:
        acc += ratios[s]
        if u < acc:
            return s
    return SPLITS[-1]


def assign(clip_ids: list[str], ratios: dict[str, float], seed: int = 0) -> dict[str, str]:
    """{clip: split}; a clear error when the ratios are invalid or a split with a positive ratio
    ends up with no clip (too few clips for these ratios, or an unlucky seed)."""
    if set(ratios) != set(SPLITS) or any(v < 0 for v in ratios.values()) or not sum(ratios.values()):
        raise KickyError(f"dataset.split ratios must give train, valid, test >= 0 with a positive sum, got {ratios}")
    out = {c: split_of(c, ratios, seed) for c in sorted(clip_ids)}
    empty = [s for s in SPLITS if ratios[s] > 0 and s not in out.values()]
    if empty:
        raise KickyError(f"split {', '.join(empty)} got no clip ({len(clip_ids)} clips, ratios {ratios}, "
                         f"seed {seed}): add clips, change dataset.split.seed or the ratios")
    return out


def clips_in(dataset, wanted, split_of: dict[str, str] | None = None) -> set[str]:
    """The clip ids of a built dataset that fall in the `wanted` splits. `split_of`: its manifest's
    clip -> split when the caller has read it already; else manifest.json is read here."""
    import json
    from pathlib import Path

    wanted = [wanted] if isinstance(wanted, str) else list(wanted)
    if not wanted or any(s not in SPLITS for s in wanted):
        raise KickyError(f"splits must be a list drawn from {', '.join(SPLITS)}, got {wanted}")
    if split_of is None:
        manifest = Path(dataset) / "manifest.json"
        try:
            split_of = json.loads(manifest.read_text())["splits"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise KickyError(f"no readable dataset manifest at {manifest} ({e.__class__.__name__}): point data= "
                             f"at a built dataset (python -m kicky.dataset)") from None
    return {c for c, s in split_of.items() if s in wanted}


def keep_clips(paths: list, clips, data, wanted, split_of: dict[str, str] | None = None) -> list:
    """`paths` (clips under `clips`) reduced to those in the `wanted` splits of dataset `data`; all
    of them when no split is asked for. `split_of`: the manifest's clip -> split, if already read."""
    if not wanted:
        return paths
    from kicky.core.clips import clip_id
    if not data:
        raise KickyError("splits= needs data=<built dataset>: its manifest says which clip is in which split")
    keep = clips_in(data, wanted, split_of)
    kept = [p for p in paths if clip_id(p) in keep]
    if not kept:
        raise KickyError(f"no clip of {clips} is in split(s) {wanted} of {data}")
    return kept
