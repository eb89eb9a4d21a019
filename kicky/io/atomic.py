"""Atomic file and directory writes: a reader sees the old state or the new one, never half of it."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: str | Path, suffix: str = ".tmp"):
    """Yield a temporary sibling path to write; on success it replaces `path` in one rename (0644),
    on failure it is removed and `path` is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> None:
    with replacing(path) as tmp:
        tmp.write_text(text)


def write_json(path: str | Path, obj, **kw) -> None:
    with replacing(path) as tmp, open(tmp, "w") as f:
        json.dump(obj, f, **kw)


def check_replaceable(final: str | Path, mark: str) -> None:
    """A stage may replace `final` only if it is absent, empty, or what the stage wrote before (it
    holds `mark`, a file the stage always writes): never a file, nor a folder of the user's own
    (out=., a data folder)."""
    from kicky.errors import KickyError
    final = Path(final)
    if not final.exists():
        return
    if not final.is_dir():
        raise KickyError(f"output {final} is a file: give out= a new folder name")
    if (final / mark).is_file() or not any(final.iterdir()):
        return
    raise KickyError(f"output folder {final} already holds files this stage did not write (no {mark}): "
                     f"nothing was changed; give out= a new folder, or remove it yourself")


@contextmanager
def staged_dir(final: str | Path, mark: str):
    """Yield a temporary sibling directory; on success it replaces `final` in one rename. `mark` names
    a file the stage always writes into it: `final` is checked up front (check_replaceable), so a
    folder the stage did not make is never removed."""
    final = Path(final)
    check_replaceable(final, mark)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}."))
    os.chmod(tmp, 0o755)
    try:
        yield tmp
        check_replaceable(final, mark)
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
