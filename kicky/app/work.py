"""The app's per-session work folders: unguessable session ids issued by the server, uploads saved
under names the server chooses (a client's filename is never a path), a size cap per session, and
old sessions swept away. Everything the app serves resolves inside one of these folders."""
from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path

from kicky.errors import KickyError

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")
VIDEO_TYPES = (".mp4", ".mov", ".webm")
MARK = ".kicky-session"      # written into every session folder: only such folders are ever swept


class Sessions:
    def __init__(self, root: str | Path, cap_mb: float, ttl_min: float):
        self.root = Path(root).resolve()
        self.cap = int(cap_mb * 1024 * 1024)
        self.ttl = ttl_min * 60
        self.root.mkdir(parents=True, exist_ok=True)

    def new(self) -> str:
        self.sweep()
        token = secrets.token_urlsafe(18)
        (self.root / token).mkdir()
        (self.root / token / MARK).touch()
        return token

    def folder(self, token: str) -> Path:
        """The session's folder; one clear error for an unknown or malformed id (never a path)."""
        if not isinstance(token, str) or not TOKEN.match(token) or not (self.root / token).is_dir():
            raise KickyError("this page's session has expired: reload the page")
        d = self.root / token
        d.touch()          # last use (the sweep keeps sessions in use)
        return d

    def used(self, token: str) -> int:
        return sum(p.stat().st_size for p in self.folder(token).rglob("*") if p.is_file())

    def room(self, token: str, need: int = 0) -> None:
        if self.used(token) + need > self.cap:
            raise KickyError(f"this session's storage is full ({self.cap // 2**20} MB): reload the page to start afresh")

    def sweep(self) -> None:
        now = time.time()
        for d in self.root.iterdir():
            if d.is_dir() and TOKEN.match(d.name) and (d / MARK).is_file() and now - d.stat().st_mtime > self.ttl:
                shutil.rmtree(d, ignore_errors=True)

    def inside(self, token: str, *parts: str) -> Path:
        """A file of the session, refused unless every part is a plain name and it resolves inside it."""
        d = self.folder(token)
        if not all(isinstance(p, str) and NAME.match(p) and p not in (".", "..") for p in parts):
            raise KickyError("no such file")
        p = d.joinpath(*parts).resolve()
        if d.resolve() not in p.parents:
            raise KickyError("no such file")
        return p


def save_upload(sessions: Sessions, token: str, filename: str, chunks, max_mb: float) -> Path:
    """Write an uploaded video into the session under a server-chosen name (its extension checked),
    stopping past max_mb; a partial file never stays."""
    ext = Path(filename or "").suffix.lower()
    if ext not in VIDEO_TYPES:
        raise KickyError(f"{Path(filename or '?').name!r} is not a video this app takes: upload an "
                         f"{', '.join(e[1:] for e in VIDEO_TYPES)} file")
    d = sessions.folder(token)
    n = len(list(d.glob("upload_*"))) + 1
    final = d / f"upload_{n}{ext}"
    tmp = d / f".part_{n}{ext}"
    size, cap = 0, int(max_mb * 1024 * 1024)
    try:
        with open(tmp, "wb") as f:
            for chunk in chunks:
                size += len(chunk)
                if size > cap:
                    raise KickyError(f"the upload is larger than {max_mb:g} MB: trim the clip to the shot")
                f.write(chunk)
        sessions.room(token)
        tmp.replace(final)
    finally:
        tmp.unlink(missing_ok=True)
    return final


def check_video(path: Path, max_seconds: float) -> dict:
    """fps / duration / size of an uploaded clip, or one clear error (unreadable, no video, too long)."""
    import av
    try:
        with av.open(str(path)) as c:
            if not c.streams.video:
                raise KickyError("the upload has no video stream (audio only?): upload a video clip")
            s = c.streams.video[0]
            dur = float(c.duration) / 1e6 if c.duration else (float(s.duration * s.time_base) if s.duration else 0.0)
            first = next(c.decode(s), None)
            if first is None:
                raise KickyError("the upload has no frame that decodes: upload another clip")
    except av.error.FFmpegError:
        raise KickyError("the upload is not a readable video (corrupt, or not a video at all)") from None
    if dur > max_seconds:
        raise KickyError(f"the clip is {dur:.0f} s long; this app takes up to {max_seconds:g} s: trim it to the shot")
    return {"seconds": round(dur, 2), "width": s.width, "height": s.height}
