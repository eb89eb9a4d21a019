"""The `annotate` stage: one annotation tool's page served on loopback (kicky.annotate.server)."""
from __future__ import annotations


def run(conf: dict) -> None:
    from kicky.annotate.config import annotate_settings
    from kicky.annotate.server import build
    a = conf["annotate"] = annotate_settings(conf.get("annotate"))
    port = int(a["port"])
    app = build(str(conf.get("tool")), conf)
    import uvicorn
    print(f"kicky: {conf['tool']} on http://{a['host']}:{port}  (press ? on the page for the keys)", flush=True)
    uvicorn.run(app, host=a["host"], port=port, log_level="warning")
