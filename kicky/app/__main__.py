"""`python -m kicky.app [detector=teacher teacher=motion | detector=student run=... | detector=truth]
[coach=rules|openai coach.base_url=...] [app.port=7860 app.host=127.0.0.1]`: the stadium page on
http://127.0.0.1:7860 (see conf/app_run.yaml)."""
from __future__ import annotations

import hydra
from omegaconf import DictConfig

from kicky.cli import call
from kicky.errors import KickyError

DETECTORS = ("teacher", "student", "truth")


def run(conf: dict) -> None:
    from kicky.checks import number
    from kicky.app.server import build
    a = conf["app"]
    if conf.get("detector") not in DETECTORS:
        raise KickyError(f"detector={conf.get('detector')!r}: use one of {', '.join(DETECTORS)}")
    if conf["detector"] == "student" and not conf.get("run"):
        raise KickyError("detector=student needs run=outputs/train/<run> (a training run dir)")
    port = number(a, "port", int, 1, 65535)
    for k in ("max_upload_mb", "max_seconds", "session_cap_mb", "session_ttl_min"):
        number(a, k, float, 0.001)
    if a["host"] not in ("127.0.0.1", "localhost", "::1") and not a.get("public"):
        raise KickyError(f"app.host={a['host']}: the app binds to loopback unless asked: add app.public=true "
                         f"to serve other machines")
    import logging
    for name in ("httpx", "httpx2", "httpcore"):      # gradio's own startup requests, not the user's
        logging.getLogger(name).setLevel(logging.WARNING)
    server = build(conf)
    print(f"kicky: app on http://{a['host']}:{port} ({len(server.kicky.gallery)} gallery clips, detector "
          f"{conf['detector']}, coach {conf['coach']['backend']})", flush=True)
    server.launch(server_name=a["host"], server_port=port, quiet=True, show_error=False,
                  max_file_size=f"{a['max_upload_mb']}mb")


@hydra.main(version_base="1.3", config_path="../conf", config_name="app_run")
def main(cfg: DictConfig) -> None:
    call(run, cfg, ctrl_c=False)   # the server shuts down on Ctrl-C itself


if __name__ == "__main__":
    main()
