"""Issue 17, item 5: I/O failures are one line (exit 2, `error: ...`, what to do), never a traceback."""
import errno
import subprocess
import sys

import pytest
from omegaconf import OmegaConf

from kicky.cli import call


@pytest.mark.parametrize("code,hint", [(errno.ENOSPC, "free some disk space"),
                                       (errno.EACCES, "choose a folder you may write to"),
                                       (errno.EROFS, "choose a writable folder")])
def test_os_errors_are_one_line(capsys, code, hint):
    def run(_):
        raise OSError(code, "boom", "/data/out/labels.json")
    with pytest.raises(SystemExit) as e:
        call(run, OmegaConf.create({}))
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: cannot use /data/out/labels.json: boom: " + hint)


def test_bad_numbers_and_an_out_path_through_a_file(tmp_path):
    f = tmp_path / "a_file"
    f.write_text("mine\n")
    for args, want in ((["n_clips=abc"], "n_clips='abc': expected a number"),
                       (["n_clips=0"], "n_clips=0 is out of range"),
                       ([f"out={f}/clips", "n_clips=1", "sim=test"], "a path on the way is a file")):
        r = subprocess.run([sys.executable, "-m", "kicky.sim", *args, f"hydra.run.dir={tmp_path}/h"],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 2, r.stderr
        lines = [x for x in r.stderr.splitlines() if x.startswith("error:")]
        assert len(lines) == 1 and want in lines[0], r.stderr
        assert "Traceback" not in r.stderr
    assert f.read_text() == "mine\n"


def test_a_reader_that_goes_away_is_not_an_error(tmp_path):
    """`python -m kicky.coach report=... | true`: the reader is gone before the first write; no error line."""
    import json
    rep = {"shot_found": True, "goal": True, "goal_reason": "rest_in_net", "kicking_foot": "left", "speed_kmh": 90.0,
           "speed_note": "", "shooter": "P1", "kick_frame": 5, "n_frames": 20, "players": [], "angles": {}}
    (tmp_path / "report.json").write_text(json.dumps(rep))
    r = subprocess.run(f"{sys.executable} -m kicky.coach report={tmp_path / 'report.json'} | true",
                       shell=True, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "error" not in r.stderr.lower() and "Traceback" not in r.stderr, r.stderr
