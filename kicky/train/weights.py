"""`pretrain_weights=`: a local checkpoint file, or one of rfdetr's published RF-DETR-Seg checkpoint
names (`rf-detr-seg-small.pt`, ...). A name is looked up in the working directory and rfdetr's cache
(`RF_HOME`, default ~/.roboflow/models); when it is in neither, rfdetr downloads it — but only after a
short connect probe of the hub, so that offline (CI, a GPU box without internet) the run stops at once
with one line saying where to put the file, instead of hanging in a download and a traceback."""
from __future__ import annotations

import os
import socket
import threading
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from kicky.errors import KickyError


def published() -> dict[str, str]:
    """rfdetr's own segmentation checkpoints: {file name: download URL}."""
    from rfdetr.assets.model_weights import ModelWeights
    return {m.filename: m.url for m in ModelWeights if m.filename.startswith("rf-detr-seg-")}


def own_name(rfdetr_class: str) -> str | None:
    """The published checkpoint that fits an rfdetr model class (its config's default weights)."""
    import rfdetr
    cfg = getattr(getattr(rfdetr, rfdetr_class), "_model_config_class", None)
    field = getattr(cfg, "model_fields", {}).get("pretrain_weights")
    return getattr(field, "default", None)


def reachable(url: str, timeout_s: float) -> tuple[bool, str]:
    """Can a TCP connection to `url`'s host (or the HTTPS proxy, when one is set) be opened within
    `timeout_s`? Name lookup included: the whole probe runs in a thread that is waited for at most
    `timeout_s`. Returns (ok, what was probed)."""
    proxy = urllib.request.getproxies().get(urlsplit(url).scheme)
    target = urlsplit(proxy or url)
    host, port = target.hostname or "", target.port or (443 if target.scheme == "https" else 80)
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout_s):
                result.append(True)
        except OSError:
            result.append(False)

    t = threading.Thread(target=probe, daemon=True)
    t.start()
    t.join(timeout_s)
    return bool(result and result[0]), f"{host}:{port}"


def resolve(weights: str | None, model: dict, probe: dict | None = None) -> str | None:
    """The checkpoint path to hand rfdetr for `pretrain_weights=` (None: random init), or one clear
    KickyError. `model` is the model config (name, rfdetr class); `probe` is {url, timeout_s}: url
    null probes the checkpoint's own download host."""
    if not weights:
        return None
    if Path(weights).expanduser().is_file():            # a local file: absolute, so rfdetr does not
        from kicky.io.checkpoint import checked           # move a bare file name into its cache
        return str(checked(Path(weights).expanduser().resolve(), "copy the checkpoint again or pretrain_weights=null"))
    names = published()
    own = own_name(model["rfdetr"])
    if weights not in names:
        raise KickyError(f"pretrain_weights={weights} does not exist: put an RF-DETR-Seg {model['name']} checkpoint "
                         f"(.pth) there, name one of rfdetr's published checkpoints ({', '.join(names)}; "
                         f"model={model['name']} takes {own}), or pretrain_weights=null to train from random init")
    if weights != own:
        raise KickyError(f"pretrain_weights={weights} is not the {model['name']} checkpoint: model={model['name']} "
                         f"takes {own} (or choose the model that fits {weights})")
    from rfdetr.assets.model_weights import get_model_cache_dir
    cache = Path(get_model_cache_dir()) / weights
    for p in (Path.cwd() / weights, cache):
        if p.is_file():
            return str(p)
    probe = probe or {}
    timeout = probe.get("timeout_s", 3.0)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise KickyError(f"pretrain_probe.timeout_s={timeout!r}: expected a positive number of seconds")
    ok, where = reachable(probe.get("url") or names[weights], timeout)
    if not ok:
        raise KickyError(f"pretrain_weights={weights} could not be downloaded ({where} not reachable within "
                         f"{timeout:g} s): put the file at {cache} (or in the working directory; it comes from "
                         f"{names[weights]}), or pass a local path")
    if os.environ.get("LOCAL_RANK", "0") == "0":
        print(f"kicky: downloading {weights} from {names[weights]} to {cache}", flush=True)
    return str(cache)
