"""`python -m kicky.annotate clipper video=match.mp4 out=data/mine` · `rater clips=data/mine` ·
`goals clips=data/mine`: one tool's page on http://127.0.0.1:<port> (see conf/annotate_run.yaml)."""
from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH
from kicky.annotate.run import run


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="annotate_run")
def main(cfg: DictConfig) -> None:
    call(run, cfg, ctrl_c=False)   # the server shuts down on Ctrl-C itself


if __name__ == "__main__":
    if len(sys.argv) > 1 and "=" not in sys.argv[1] and not sys.argv[1].startswith("-"):
        sys.argv[1] = f"tool={sys.argv[1]}"        # `python -m kicky.annotate rater clips=...`
    main()
