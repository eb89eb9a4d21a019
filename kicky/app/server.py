"""The web app on gradio's Server (a FastAPI app with Gradio's queue): the stadium page and its
assets, three queued API endpoints the page calls with @gradio/client — `gallery()`, `analyze(clip,
session)` (the ShotReport as a scoreboard + the annotated mp4's URL) and `coach(clip, session,
backend)` (the coaching text, streamed as it grows) — and plain routes for sessions, uploads, media
and thumbnails. Analysis and coaching are separate calls: the video and stats appear first."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

from fastapi import Request   # at module level: FastAPI resolves the route's (string) annotations here

from kicky.app.work import Sessions, check_video, save_upload
from kicky.errors import KickyError

STATIC = Path(__file__).parent / "static"
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def gallery_clips(conf: dict) -> dict[str, Path]:
    """{clip_id: clip dir} of the gallery: the clip folder's clips (with clip.mp4), narrowed to the
    dataset's split when `data=` is set."""
    g = conf["app"]["gallery"]
    root = Path(g["clips"])
    if not root.is_dir():
        return {}
    clips = {d.name: d for d in sorted(root.iterdir()) if (d / "clip.mp4").is_file()}
    if g.get("data"):
        from kicky.dataset.splits import clips_in
        keep = clips_in(g["data"], [g.get("split") or "test"])
        clips = {k: v for k, v in clips.items() if k in keep}
    return dict(list(clips.items())[:int(g.get("max", 24))])


def card(doc: dict, url: str) -> dict:
    """What the page shows of a report: the scoreboard, the pose card and the video."""
    from kicky.analysis.report import speed_text, verdict
    found = bool(doc.get("shot_found"))
    return {"clip": doc.get("clip_id"), "detector": doc.get("source"), "shot_found": found,
            "verdict": verdict(doc), "goal": bool(doc.get("goal")) and found,
            "shooter": doc.get("shooter") if found else None, "foot": doc.get("kicking_foot") if found else None,
            "speed": speed_text(doc) if found else None, "angles": doc.get("angles") or {} if found else {},
            "pose": doc.get("pose_message") or ("pose at contact" if doc.get("pose_captured") else ""),
            "video": url}


class App:
    def __init__(self, conf: dict):
        from kicky.coach import default_conf
        a = conf["app"]
        self.conf = conf
        self.sessions = Sessions(a["work"], float(a["session_cap_mb"]), float(a["session_ttl_min"]))
        self.gallery = gallery_clips(conf)
        chosen = conf.get("coach") or default_conf("rules")
        self.coaches = {b: (chosen if chosen.get("backend") == b else default_conf(b)) for b in ("rules", "openai")}

    # -- clips -------------------------------------------------------------------------------
    def resolve(self, clip: str, session: str) -> tuple[Path, str]:
        """(clip path, the session sub-folder its analysis goes to) of a gallery id or an upload name."""
        self.sessions.folder(session)
        if isinstance(clip, str) and clip.startswith("gallery:") and clip[8:] in self.gallery:
            return self.gallery[clip[8:]], "g_" + clip[8:]
        if isinstance(clip, str) and clip.startswith("upload:"):
            p = self.sessions.inside(session, clip[7:])
            if p.is_file() and p.name.startswith("upload_"):
                return p, "u_" + p.stem
        raise KickyError("no such clip: pick one from the gallery or upload one")

    def analyze(self, clip: str, session: str) -> dict:
        from kicky.infer.run import run
        path, key = self.resolve(clip, session)
        c = self.conf
        source = c["detector"]
        if source == "truth" and not (path.is_dir() and (path / "truth.json").is_file()):
            source = c["app"]["upload_detector"]      # an upload has no simulator truth
        self.sessions.room(session)
        out = self.sessions.inside(session, key)
        doc = run({"clip": str(path), "source": source, "run": c.get("run"), "teacher": c["teacher"],
                   "analysis": c["analysis"], "student": c["student"], "coach": {"backend": "none"},
                   "out": str(out)})
        video = f"/media/{session}/{key}/{doc['clip_id']}_annotated.mp4"
        return card(doc, video)

    def coach(self, clip: str, session: str, backend: str) -> Iterator[str]:
        from kicky.coach import stream
        path, key = self.resolve(clip, session)
        if backend not in self.coaches:
            raise KickyError(f"coach {backend!r}: use rules or openai")
        rep = self.sessions.inside(session, key, "report.json")
        if not rep.is_file():
            raise KickyError("analyse the clip first")
        doc = json.loads(rep.read_text())
        frames = None
        if backend == "openai":
            from kicky.coach.run import frame_source
            frames = frame_source(str(path / "clip.mp4") if path.is_dir() else str(path))
        c = stream(doc, frames, self.coaches[backend])
        text = ""
        for piece in c:
            text += piece
            yield text
        if c.fallback:
            print(f"kicky: app: coach: {c.fallback}: the rule-based coach's text instead", flush=True)

    def upload(self, session: str, filename: str, chunks) -> dict:
        a = self.conf["app"]
        p = save_upload(self.sessions, session, filename, chunks, float(a["max_upload_mb"]))
        try:
            info = check_video(p, float(a["max_seconds"]))
        except KickyError:
            p.unlink(missing_ok=True)
            raise
        return {"clip": f"upload:{p.name}", **info}

    def thumb(self, clip_id: str) -> Path:
        if clip_id not in self.gallery:
            raise KickyError("no such clip")
        out = self.sessions.root / "_thumbs" / f"{clip_id}.jpg"
        if not out.is_file():
            import cv2

            from kicky.io.video import probe, read_frames
            n = probe(self.gallery[clip_id] / "clip.mp4")["frames"] or 1
            for _, f in read_frames(self.gallery[clip_id] / "clip.mp4", [n // 2]):
                h, w = f.shape[:2]
                small = cv2.resize(f, (320, max(1, round(320 * h / w))), interpolation=cv2.INTER_AREA)
                out.parent.mkdir(parents=True, exist_ok=True)
                tmp = out.with_suffix(".tmp.jpg")
                cv2.imwrite(str(tmp), small, [cv2.IMWRITE_JPEG_QUALITY, 80])
                tmp.replace(out)
        return out


def build(conf: dict):
    """The gradio Server with the page, the API endpoints and the routes (not launched)."""
    import gradio as gr
    from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
    from fastapi.staticfiles import StaticFiles
    from gradio import Server

    app = App(conf)
    server = Server(title="kicky", docs_url=None, redoc_url=None, openapi_url=None)

    def user_error(fn):
        """KickyError -> gr.Error: one clear message on the page, never a stack trace."""
        import functools

        @functools.wraps(fn)       # the endpoint's parameters are read from the signature
        def wrapped(*a, **k):
            try:
                return fn(*a, **k)
            except KickyError as e:
                raise gr.Error(str(e), print_exception=False) from None
        return wrapped

    @server.api(name="gallery")
    def gallery() -> list:
        """The gallery: [{id, title, thumb}]."""
        return [{"id": f"gallery:{k}", "title": k, "thumb": f"/thumb/{k}.jpg"} for k in app.gallery]

    @server.api(name="analyze", concurrency_limit=int(conf["app"]["analysis_workers"]))
    @user_error
    def analyze(clip: str, session: str) -> dict:
        """Analyse one clip: the scoreboard and the annotated video's URL."""
        return app.analyze(clip, session)

    def coach(clip: str, session: str, backend: str) -> Iterator[str]:
        """The coaching text of an analysed clip, streamed (each message: the text so far)."""
        try:
            yield from app.coach(clip, session, backend)
        except KickyError as e:
            raise gr.Error(str(e), print_exception=False) from None

    server.api(coach, name="coach", concurrency_limit=int(conf["app"]["coach_workers"]))

    @server.get("/", response_class=HTMLResponse)
    def page():
        return HTMLResponse((STATIC / "index.html").read_text())

    @server.get("/session")
    def session():
        return {"session": app.sessions.new()}

    @server.post("/upload")
    async def upload(request: Request, session: str):
        form = await request.form(max_part_size=int(float(conf["app"]["max_upload_mb"]) * 2**20) + 1024)
        f = form.get("file")
        if f is None or not hasattr(f, "read"):
            return JSONResponse({"error": "no file in the upload"}, status_code=400)

        def chunks():
            while True:
                b = f.file.read(1 << 20)
                if not b:
                    return
                yield b
        try:
            return app.upload(session, f.filename or "", chunks())
        except KickyError as e:
            return JSONResponse({"error": str(e)}, status_code=400)

    @server.get("/media/{session}/{key}/{name}")
    def media(session: str, key: str, name: str):
        try:
            p = app.sessions.inside(session, key, name)
        except KickyError:
            return JSONResponse({"error": "no such file"}, status_code=404)
        if not p.is_file() or p.suffix not in (".mp4", ".json"):
            return JSONResponse({"error": "no such file"}, status_code=404)
        return FileResponse(p, media_type="video/mp4" if p.suffix == ".mp4" else "application/json")

    @server.get("/thumb/{name}")
    def thumb(name: str):
        try:
            return FileResponse(app.thumb(name.removesuffix(".jpg")), media_type="image/jpeg")
        except KickyError:
            return JSONResponse({"error": "no such clip"}, status_code=404)

    server.mount("/ui", StaticFiles(directory=str(STATIC)), name="ui")
    server.kicky = app
    return server
