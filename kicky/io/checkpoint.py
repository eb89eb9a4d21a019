"""A checkpoint file is checked before anything long starts: torch saves a zip archive whose table
of contents sits at its end, so a truncated or foreign file is found by opening it as a zip, without
loading the weights. One clear line names the file and what to do (never rfdetr's or torch's advice
to load an untrusted file with weights_only=False)."""
from __future__ import annotations

import zipfile
from pathlib import Path

from kicky.errors import KickyError


def checked(path: str | Path, fix: str) -> Path:
    """`path` if it is a complete torch checkpoint, else KickyError("<path> ...: <fix>")."""
    p = Path(path)
    if not p.is_file():
        raise KickyError(f"checkpoint {p} does not exist: {fix}")
    try:
        with zipfile.ZipFile(p) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError) as e:
        raise KickyError(f"checkpoint {p} is truncated or not a torch checkpoint ({e}): {fix}") from None
    if not any(n.endswith("data.pkl") for n in names):
        raise KickyError(f"checkpoint {p} is a zip file but not a torch checkpoint: {fix}")
    return p
