"""`python -m kicky.app [detector=teacher teacher=motion | detector=student run=... | detector=truth]
[coach=rules|openai coach.base_url=...] [app.port=7860 app.host=127.0.0.1]`: the stadium page on
http://127.0.0.1:7860 (see conf/app_run.yaml)."""
from __future__ import annotations

import hydra
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH
from kicky.app.run import run


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="app_run")
def main(cfg: DictConfig) -> None:
    call(run, cfg, ctrl_c=False)   # the server shuts down on Ctrl-C itself


if __name__ == "__main__":
    main()
