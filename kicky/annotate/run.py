"""The `annotate` stage: one annotation tool's page served on loopback (kicky.annotate.server)."""
from __future__ import annotations

from kicky.errors import KickyError


def run(conf: dict) -> None:
    from kicky.annotate.server import build
    from kicky.checks import number
    a = conf["annotate"]
    port = number(a, "port", int, 1, 65535)
    if a["host"] not in ("127.0.0.1", "localhost", "::1") and not a.get("public"):
        raise KickyError(f"annotate.host={a['host']}: the tools bind to loopback unless asked: add annotate.public=true")
    app = build(str(conf.get("tool")), conf)
    import uvicorn
    print(f"kicky: {conf['tool']} on http://{a['host']}:{port}  (press ? on the page for the keys)", flush=True)
    uvicorn.run(app, host=a["host"], port=port, log_level="warning")
