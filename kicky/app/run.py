"""The `app` stage: the web app's settings checked, then the stadium page served (kicky.app.server)."""
from __future__ import annotations

from kicky.errors import KickyError

DETECTORS = ("teacher", "student", "truth")


def run(conf: dict) -> None:
    from kicky.checks import number
    from kicky.core.config import served
    from kicky.app.config import settings
    from kicky.app.server import build
    a = conf["app"] = settings(conf.get("app"))
    if conf.get("detector") not in DETECTORS:
        raise KickyError(f"detector={conf.get('detector')!r}: use one of {', '.join(DETECTORS)}")
    if conf["detector"] == "student" and not conf.get("run"):
        raise KickyError("detector=student needs run=outputs/train/<run> (a training run dir)")
    port = int(served(a, "app", "the app binds")["port"])
    for k in ("max_upload_mb", "max_seconds", "session_cap_mb", "session_ttl_min"):
        number(a, k, float, 0.001)
    import logging
    for name in ("httpx", "httpx2", "httpcore"):      # gradio's own startup requests, not the user's
        logging.getLogger(name).setLevel(logging.WARNING)
    server = build(conf)
    print(f"kicky: app on http://{a['host']}:{port} ({len(server.kicky.gallery)} gallery clips, detector "
          f"{conf['detector']}, coach {conf['coach']['backend']})", flush=True)
    server.launch(server_name=a["host"], server_port=port, quiet=True, show_error=False,
                  max_file_size=f"{a['max_upload_mb']}mb")
