"""What every Hydra entry point shares: the resolved config as plain data, and a KickyError turned
into one line on stderr and exit status 2 (never a traceback)."""
from __future__ import annotations

import errno
import os
import sys
from typing import Callable

from omegaconf import DictConfig, OmegaConf

from kicky.errors import KickyError

os.environ.setdefault("HYDRA_FULL_ERROR", "0")


def number(conf: dict, key: str, kind=float, low: float = 0.0, high: float = float("inf")):
    """conf[key] as `kind` within [low, high], or one clear error naming the key."""
    try:
        v = kind(conf[key])
    except (TypeError, ValueError):
        raise KickyError(f"{key}={conf[key]!r}: expected a number") from None
    if not low <= v <= high:
        raise KickyError(f"{key}={v} is out of range [{low}, {high}]")
    return v


def call(run: Callable[[dict], object], cfg: DictConfig):
    from concurrent.futures.process import BrokenProcessPool
    try:
        return run(OmegaConf.to_container(cfg, resolve=True))
    except KickyError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except BrokenProcessPool:
        print("error: a worker process died (killed, most often out of memory): rerun the same command "
              "(stages that resume keep their finished clips), with fewer workers= if memory is short", file=sys.stderr)
        sys.exit(2)
    except OSError as e:   # permission denied, disk full, a path that is a file: writes are atomic, nothing half-written
        where = f" {e.filename}" if getattr(e, "filename", None) else ""
        hint = {errno.ENOSPC: "free some disk space", errno.EACCES: "choose a folder you may write to",
                errno.EPERM: "choose a folder you may write to", errno.EROFS: "choose a writable folder",
                errno.ENOTDIR: "a path on the way is a file, not a folder",
                errno.EISDIR: "the path is a folder, not a file"}.get(e.errno, "check the path")
        print(f"error: cannot use{where}: {e.strerror or e}: {hint}, then rerun (finished work is kept)", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("error: interrupted: rerun the same command to resume (finished clips and epochs are kept)",
              file=sys.stderr, flush=True)
        os._exit(130)   # at once: exit hooks would wait on pool threads whose workers were just killed
