"""`python -m kicky.annotate clipper video=match.mp4 out=data/mine` · `rater clips=data/mine` ·
`goals clips=data/mine`: one tool's page on http://127.0.0.1:<port> (see conf/annotate_run.yaml)."""
from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

from kicky.cli import call
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


@hydra.main(version_base="1.3", config_path="../conf", config_name="annotate_run")
def main(cfg: DictConfig) -> None:
    call(run, cfg, ctrl_c=False)   # the server shuts down on Ctrl-C itself


if __name__ == "__main__":
    if len(sys.argv) > 1 and "=" not in sys.argv[1] and not sys.argv[1].startswith("-"):
        sys.argv[1] = f"tool={sys.argv[1]}"        # `python -m kicky.annotate rater clips=...`
    main()
