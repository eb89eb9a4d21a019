"""Contact sheet and clip-set statistics on rendered clips."""
from __future__ import annotations

import json
import shutil

import cv2
import pytest
from omegaconf import OmegaConf

from kicky.cli import call
from kicky.sim.contact_sheet import run as sheet
from kicky.sim.stats import run as stats_run
from tests.helpers import compose_conf


def test_contact_sheet_and_stats(sim_clips, tmp_path):
    clips = tmp_path / "clips"
    for name, (d, _) in sim_clips.items():
        shutil.copytree(d, clips / f"{name}_{d.name}")
    sheet(compose_conf("contact_sheet", [f"clips={clips}", f"out={tmp_path / 'sheet.png'}", "n=12"]))
    img = cv2.imread(str(tmp_path / "sheet.png"))
    assert img.shape[1] == 4 * 480 and img.shape[0] >= 2 * 270  # 8 clips -> 2 rows of 4 tiles
    stats_run(compose_conf("sim_stats", [f"clips={clips}", f"out={tmp_path / 'sim.json'}"]))
    stats = json.loads((tmp_path / "sim.json").read_text())
    assert stats["n_clips"] == 8 and stats["n_shots"] == 5
    assert stats["outcomes"] == {"goal": 1, "saved": 1, "post": 1, "over": 1, "wide": 1, "no_shot": 3}
    assert stats["non_shot_kinds"] == {"dribble": 1, "pass": 1, "trap": 1}
    assert "| goal |" in (tmp_path / "sim.md").read_text()


def test_reports_on_an_empty_folder_say_so(tmp_path, capsys):
    for run, name, out in ((sheet, "contact_sheet", "x.png"), (stats_run, "sim_stats", "x.json")):
        with pytest.raises(SystemExit) as e:
            call(run, OmegaConf.create(compose_conf(name, [f"clips={tmp_path}", f"out={tmp_path / out}"])))
        assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.count("error: no simulated clips") == 2
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "x.json").exists()
