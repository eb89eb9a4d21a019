"""infer.py over a folder: every clip's outputs as a single-clip run writes them, a rerun skips what
is done, a broken clip is listed and the others go on; ballnet= replaces the source's ball by the
specialist's in every frame and leaves every other class as it was."""
import json
import shutil

from kicky.infer.folder import run_folder
from kicky.infer.run import run
from tests.helpers import NAMES, compose_conf, random_ballnet

BASE = ["source=truth", "analysis.pose.enabled=false", "coach=none", "workers=2"]


def test_folder_matches_single_clip_runs_and_resumes(eval_data, tmp_path, capsys):
    clips = tmp_path / "clips"
    for n in NAMES[:3]:
        shutil.copytree(eval_data / "clips" / n, clips / n)
    (clips / "broken.mp4").write_bytes(b"not a video")
    out = tmp_path / "out"
    summary = run_folder(compose_conf("infer", [f"clip={clips}", f"out={out}", *BASE]))
    assert sorted(c["clip_id"] for c in summary["clips"]) == sorted(NAMES[:3])
    assert list(summary["failed"]) == [str(clips / "broken.mp4")]               # one line, the others went on
    s = summary["speed"]
    assert s["clips"] == 3 and s["frames"] == sum(json.loads((clips / n / "truth.json").read_text())["n_frames"]
                                                  for n in NAMES[:3])
    assert s["wall_seconds"] > 0 and [r["stage"].split()[0] for r in s["stages"]] == ["start-up", "detection", "analysis",
                                                                                     "annotated"]
    assert json.loads((out / "speed.json").read_text())["speed"] == s
    for n in NAMES[:3]:                       # the same report as infer.py on that clip alone
        one = run(compose_conf("infer", [f"clip={clips / n}", f"out={tmp_path / 'one' / n}", *BASE]))
        got = json.loads((out / n / "report.json").read_text())
        for k in ("goal", "goal_reason", "kick_frame", "shooter", "speed_kmh", "ball", "truth"):
            assert got[k] == one[k], (n, k)
        assert (out / n / f"{n}_annotated.mp4").stat().st_size > 0
    capsys.readouterr()
    again = run_folder(compose_conf("infer", [f"clip={clips}", f"out={out}", *BASE]))
    assert "3/4 clips already inferred" in capsys.readouterr().out and again["speed"] is None


def test_ballnet_replaces_the_ball_only(eval_data, tmp_path):
    net = random_ballnet(tmp_path / "ballnet")
    clip = eval_data / "clips" / NAMES[0]
    conf = compose_conf("infer", [f"clip={clip}", f"ballnet={net}", "student.device=cpu",
                                  f"out={tmp_path / 'o'}", *BASE])
    from kicky.infer.run import Detectors, load
    c = load(clip)
    labels, detector = Detectors(conf)(c)
    truth, _ = Detectors({**conf, "ballnet": None})(c)
    assert detector["source"] == "truth" and detector["ballnet"]["frames"] == len(c) == len(labels)
    for mine, ref in zip(labels, truth):
        assert [i.source for i in mine if i.cls == "ball"] == ["ballnet"]          # k=1, threshold 0: one per frame
        assert [(i.cls, i.box) for i in mine if i.cls != "ball"] == [(i.cls, i.box) for i in ref if i.cls != "ball"]
    rep = run(conf)
    assert rep["detector"]["ballnet"]["model"] == "ballnet" and len(rep["ball"]) == len(c)


def test_a_folder_without_clips_is_one_line(tmp_path):
    import os
    import subprocess
    import sys
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    (tmp_path / "clips").mkdir()
    (tmp_path / "clips" / "notes.txt").write_text("no video here")
    args = [f"clip={tmp_path / 'clips'}", "source=truth", f"out={tmp_path / 'out'}"]
    p = subprocess.run([sys.executable, "infer.py", *args], cwd=root, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and p.stderr.strip().splitlines() == [p.stderr.strip()], p.stderr
    assert p.stderr.startswith("error: no clips in") and not (tmp_path / "out").exists()
