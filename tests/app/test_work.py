"""The app's work folders: unguessable sessions, server-chosen upload names, size and duration caps,
paths that never leave a session, and old sessions swept; the server's routes refuse the rest."""
import os
import re
import time

import pytest

from kicky.app.work import MARK, Sessions, check_video, save_upload
from kicky.errors import KickyError


def test_sessions_are_separate_and_paths_stay_inside(tmp_path):
    s = Sessions(tmp_path / "work", cap_mb=1, ttl_min=60)
    a, b = s.new(), s.new()
    assert a != b and len(a) >= 20 and (tmp_path / "work" / a).is_dir()
    (tmp_path / "work" / b / "report.json").write_text("{}")
    for bad in ("..", "../" + b, "x/../../" + b, "", "a b", "/etc/passwd"):
        with pytest.raises(KickyError):
            s.inside(a, bad, "report.json")
    with pytest.raises(KickyError, match="session has expired"):
        s.folder("../" + a)
    with pytest.raises(KickyError, match="session has expired"):
        s.folder("A" * 24)                                      # well-formed but never issued
    assert s.inside(b, "report.json").read_text() == "{}"


def test_uploads_get_server_names_and_caps(tmp_path, sim_clips):
    s = Sessions(tmp_path / "work", cap_mb=1, ttl_min=60)
    t = s.new()
    clip = (sim_clips["goal"][0] / "clip.mp4").read_bytes()
    p = save_upload(s, t, "../../../my shot.MP4", iter([clip]), max_mb=5)
    assert p.parent == tmp_path / "work" / t and p.name == "upload_1.mp4" and p.read_bytes() == clip
    info = check_video(p, max_seconds=30)
    assert info["width"] == 320 and 0 < info["seconds"] < 30
    with pytest.raises(KickyError, match="up to 1 s"):
        check_video(p, max_seconds=1)
    with pytest.raises(KickyError, match="is not a video this app takes"):
        save_upload(s, t, "notes.txt", iter([b"hi"]), max_mb=5)
    with pytest.raises(KickyError, match="larger than 0.001 MB"):
        save_upload(s, t, "big.mov", iter([b"x" * 800, b"x" * 800]), max_mb=0.001)
    assert sorted(x.name for x in (tmp_path / "work" / t).iterdir()) == [MARK, "upload_1.mp4"]   # no partial file
    bad = save_upload(s, t, "junk.webm", iter([os.urandom(2000)]), max_mb=5)
    with pytest.raises(KickyError, match="not a readable video"):
        check_video(bad, max_seconds=30)
    with pytest.raises(KickyError, match="storage is full"):
        save_upload(s, t, "again.mp4", iter([os.urandom(1_100_000)]), max_mb=5)      # 1 MB cap per session


def test_old_sessions_are_swept(tmp_path):
    s = Sessions(tmp_path / "work", cap_mb=1, ttl_min=1)
    old = s.new()
    past = time.time() - 3600
    os.utime(tmp_path / "work" / old, (past, past))
    keep = tmp_path / "work" / "_thumbs"
    keep.mkdir()
    mine = tmp_path / "work" / "MyHolidayVideos2024"        # a user's folder that looks like a session id
    mine.mkdir()
    os.utime(mine, (past, past))
    s.new()
    assert not (tmp_path / "work" / old).exists() and keep.is_dir() and mine.is_dir()


def test_non_loopback_host_needs_public(tmp_path):
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "kicky.app", "app.host=0.0.0.0", f"app.work={tmp_path}"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "add app.public=true" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("over,message", [
    ({"port": "abc"}, "app.port must be a number"),
    ({"public": "yes"}, "app.public must be true or false"),
    ({"upload_detector": "truth"}, "app.upload_detector='truth': use one of teacher, student"),
    ({"gallery": {"split": "dev"}}, "app.gallery.split='dev': use one of train, valid, test"),
    ({"session_ttl_min": -1}, "app.session_ttl_min=-1 must be >= 0"),
    ({"prot": 80}, "app: unknown key 'prot'"),
])
def test_app_settings_are_checked_against_the_schema(over, message):
    from kicky.app.config import settings
    with pytest.raises(KickyError, match=re.escape(message)):
        settings(over)
    assert settings({"port": 8000, "gallery": {"max": 3}})["gallery"] == {"clips": "data/clips", "data": None,
                                                                          "split": "test", "max": 3}
