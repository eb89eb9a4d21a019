"""The tools' local server (FastAPI on uvicorn, 127.0.0.1 by default): the page of the chosen tool,
its state as JSON, checked updates, and the videos with HTTP Range (Starlette's FileResponse: 206,
Content-Range, 416 past the end), so the browser can seek a long match file. Clips are addressed by
id, never by a path from the page: anything else is a 404."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from kicky.annotate.state import Cuts, Labels
from kicky.errors import KickyError

STATIC = Path(__file__).parent / "static"
TOOLS = ("clipper", "rater", "goals")


def clip_folder(folder: Path) -> dict[str, dict]:
    """{clip_id: {fps, frames, path}} of a folder of clip dirs (each holding clip.mp4)."""
    from kicky.io.video import probe
    if not folder.is_dir():
        raise KickyError(f"clips={folder} is not a folder of clips (<clip_id>/clip.mp4): run the clipper first")
    out = {}
    for d in sorted(folder.iterdir()):
        if (d / "clip.mp4").is_file():
            info = probe(d / "clip.mp4")
            out[d.name] = {"fps": info["fps"] or 30.0, "frames": info["frames"], "path": d / "clip.mp4"}
    if not out:
        raise KickyError(f"{folder} holds no clip (<clip_id>/clip.mp4)")
    return out


def build(tool: str, conf: dict) -> FastAPI:
    if tool not in TOOLS:
        raise KickyError(f"tool {tool!r}: use one of {', '.join(TOOLS)} (python -m kicky.annotate <tool> ...)")
    app = FastAPI(title=f"kicky {tool}", docs_url=None, redoc_url=None, openapi_url=None)
    if tool == "clipper":
        from kicky.io.video import probe
        if not conf.get("video") or not Path(conf["video"]).is_file():
            raise KickyError(f"video={conf.get('video')!r}: no such file (the long recording to cut clips from)")
        if not conf.get("out"):
            raise KickyError("out= is required: the folder the shot clips go to (e.g. data/mine)")
        video, out = Path(conf["video"]).resolve(), Path(conf["out"]).resolve()
        info = probe(video)
        out.mkdir(parents=True, exist_ok=True)
        state = Cuts(out, video, info["frames"])
        meta = {"name": video.name, "fps": info["fps"] or 30.0, "frames": info["frames"]}
    else:
        folder = Path(conf.get("clips") or "").resolve()
        clips = clip_folder(folder)
        state = Labels(folder, clips)

    def fail(e: KickyError, code: int = 400):
        return JSONResponse({"error": str(e)}, status_code=code)

    @app.get("/", response_class=HTMLResponse)
    def page():
        html = (STATIC / "annotate.html").read_text()
        return HTMLResponse(html.replace("{{TOOL}}", tool))

    @app.get("/static/{name}")
    def static(name: str):
        if name not in ("annotate.js", "annotate.css"):
            return JSONResponse({"error": "not found"}, status_code=404)
        return FileResponse(STATIC / name)

    @app.get("/api/state")
    def get_state():
        if tool == "clipper":
            return {"tool": tool, **state.doc, "video": meta, "video_path": state.doc["video"]}
        return {"tool": tool, "clips": [{"id": k, "fps": v["fps"], "frames": v["frames"]} for k, v in clips.items()],
                "labels": state.doc["clips"], "cursor": state.doc.get("cursor", {}).get(tool)}

    @app.post("/api/set")
    async def set_label(request: Request):
        body = await _json(request)
        try:
            if tool == "clipper":
                doc = state.update(body.get("cuts"), body.get("pending_in"), body.get("position", 0))
                return {"saved": True, **doc}
            doc = state.set(tool, str(body.get("clip")), str(body.get("key")), body.get("value"))
            return {"saved": True, "labels": doc["clips"], "cursor": doc.get("cursor", {}).get(tool)}
        except KickyError as e:
            return fail(e)

    @app.post("/api/export")
    def export():
        if tool != "clipper":
            return JSONResponse({"error": "not found"}, status_code=404)
        from kicky.annotate.cut import cut
        rows = []
        try:
            for i, (a, b) in enumerate(state.doc["cuts"]):
                cid = f"{video.stem}_{i + 1:03d}"
                n = cut(video, a, b, out / cid, meta["fps"])
                rows.append({"clip": cid, "start_frame": a, "end_frame": b, "frames": n})
        except KickyError as e:
            return fail(e)
        state.exported(rows)
        return {"saved": True, "exported": rows}

    @app.get("/video/{clip_id}")
    def media(clip_id: str):
        if tool == "clipper":
            return FileResponse(video, media_type="video/mp4") if clip_id == "source" else _404()
        c = clips.get(clip_id)
        return FileResponse(c["path"], media_type="video/mp4") if c else _404()

    return app


def _404():
    return JSONResponse({"error": "not found"}, status_code=404)


async def _json(request: Request) -> dict:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
