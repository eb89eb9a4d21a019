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
