"""Contact sheet and clip-set statistics on rendered clips."""
from __future__ import annotations

import json
import shutil

import cv2

from kicky.sim.contact_sheet import main as sheet_main
from kicky.sim.stats import main as stats_main


def test_contact_sheet_and_stats(sim_clips, tmp_path):
    clips = tmp_path / "clips"
    for name, (d, _) in sim_clips.items():
        shutil.copytree(d, clips / f"{name}_{d.name}")
    assert sheet_main(["--clips", str(clips), "--out", str(tmp_path / "sheet.png"), "--n", "12"]) == 0
    img = cv2.imread(str(tmp_path / "sheet.png"))
    assert img.shape[1] == 4 * 480 and img.shape[0] >= 2 * 270  # 8 clips -> 2 rows of 4 tiles
    assert stats_main(["--clips", str(clips), "--out", str(tmp_path / "sim.json")]) == 0
    stats = json.loads((tmp_path / "sim.json").read_text())
    assert stats["n_clips"] == 8 and stats["n_shots"] == 5
    assert stats["outcomes"] == {"goal": 1, "saved": 1, "post": 1, "over": 1, "wide": 1, "no_shot": 3}
    assert stats["non_shot_kinds"] == {"dribble": 1, "pass": 1, "trap": 1}
    assert "| goal |" in (tmp_path / "sim.md").read_text()


def test_reports_on_an_empty_folder_say_so(tmp_path, capsys):
    assert sheet_main(["--clips", str(tmp_path), "--out", str(tmp_path / "x.png")]) == 2
    assert stats_main(["--clips", str(tmp_path), "--out", str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("error: no simulated clips") == 2
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "x.json").exists()
