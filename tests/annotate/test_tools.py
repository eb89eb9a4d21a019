"""The annotation tools over HTTP: range requests on the videos, traversal refused, every change
persisted (and kept across a kill -9 of the server), values checked, and the clipper's export cut
frame-accurately into the clip layout every stage reads."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from starlette.testclient import TestClient

from kicky.annotate.server import build
from kicky.errors import KickyError
from kicky.io.video import Mp4Writer, read_frames

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def long_video(tmp_path_factory):
    """200 frames at 30 fps whose picture says its own index (a bar at x = 2 * index)."""
    path = tmp_path_factory.mktemp("match") / "match.mp4"
    w = Mp4Writer(path, 480, 96, 30, bitrate=4_000_000)
    for i in range(200):
        f = np.full((96, 480, 3), 40, np.uint8)
        f[:, 2 * i:2 * i + 6] = 255
        w.write(f)
    w.close()
    return path


@pytest.fixture(scope="module")
def clip_folder(sim_clips, tmp_path_factory):
    root = tmp_path_factory.mktemp("mine")
    for n in ("goal", "wide", "pass"):
        (root / n).mkdir()
        (root / n / "clip.mp4").write_bytes((sim_clips[n][0] / "clip.mp4").read_bytes())
    return root


def test_range_requests_and_traversal(clip_folder):
    c = TestClient(build("rater", {"clips": str(clip_folder)}))
    data = (clip_folder / "goal" / "clip.mp4").read_bytes()
    n = len(data)
    r = c.get("/video/goal", headers={"Range": "bytes=0-99"})
    assert r.status_code == 206 and r.content == data[:100] and r.headers["content-range"] == f"bytes 0-99/{n}"
    r = c.get("/video/goal", headers={"Range": f"bytes={n // 2}-{n // 2 + 9}"})
    assert r.status_code == 206 and r.content == data[n // 2:n // 2 + 10]
    r = c.get("/video/goal", headers={"Range": "bytes=-50"})
    assert r.status_code == 206 and r.content == data[-50:]
    assert c.get("/video/goal", headers={"Range": f"bytes={n + 10}-{n + 20}"}).status_code == 416
    assert c.get("/video/goal").content == data
    (clip_folder.parent / "secret.txt").write_text("no")
    for bad in ("../secret.txt", "..%2Fsecret.txt", "%2e%2e%2fsecret.txt", "goal%2Fclip.mp4", "/etc/passwd",
                "..%252Fsecret.txt"):
        r = c.get(f"/video/{bad}")
        assert r.status_code == 404 and b"no" != r.content, bad
    assert c.get("/static/../server.py").status_code == 404
    assert c.get("/static/annotate.js").status_code == 200


def test_labels_are_checked_and_saved_at_once(clip_folder):
    c = TestClient(build("goals", {"clips": str(clip_folder)}))
    state = c.get("/api/state").json()
    assert [x["id"] for x in state["clips"]] == ["goal", "pass", "wide"] and state["labels"] == {}
    assert c.post("/api/set", json={"clip": "goal", "key": "goal", "value": "goal"}).json()["saved"]
    assert c.post("/api/set", json={"clip": "goal", "key": "kick_frame", "value": 12}).status_code == 200
    saved = json.loads((clip_folder / "annotations.json").read_text())
    assert saved["version"] == 1 and saved["clips"]["goal"] == {"goal": "goal", "kick_frame": 12}
    for body, want in (({"clip": "goal", "key": "goal", "value": "maybe"}, "goal must be"),
                       ({"clip": "goal", "key": "kick_frame", "value": 10_000}, "kick_frame must be"),
                       ({"clip": "goal", "key": "stars", "value": 3}, "does not label"),
                       ({"clip": "../goal", "key": "goal", "value": "goal"}, "no clip")):
        r = c.post("/api/set", json=body)
        assert r.status_code == 400 and want in r.json()["error"]
    assert c.post("/api/set", json={"clip": "goal", "key": "kick_frame", "value": None}).status_code == 200   # undo
    assert json.loads((clip_folder / "annotations.json").read_text())["clips"]["goal"] == {"goal": "goal"}
    rater = TestClient(build("rater", {"clips": str(clip_folder)}))                 # one JSON per folder
    rater.post("/api/set", json={"clip": "wide", "key": "stars", "value": 4})
    assert json.loads((clip_folder / "annotations.json").read_text())["clips"] == {"goal": {"goal": "goal"},
                                                                                   "wide": {"stars": 4}}
    (clip_folder / "annotations.json").unlink()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(args, port):
    p = subprocess.Popen([sys.executable, "-m", "kicky.annotate", *args, f"annotate.port={port}"], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/state", timeout=2)
            return p
        except OSError:
            time.sleep(0.25)
    p.kill()
    raise RuntimeError(p.stdout.read().decode())


def _post(port, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/set", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req, timeout=10).read())


def test_state_survives_kill_9_and_resumes(tmp_path, sim_clips):
    folder = tmp_path / "mine"
    for n in ("goal", "wide"):
        (folder / n).mkdir(parents=True)
        (folder / n / "clip.mp4").write_bytes((sim_clips[n][0] / "clip.mp4").read_bytes())
    port = _free_port()
    p = _serve(["goals", f"clips={folder}"], port)
    _post(port, {"clip": "wide", "key": "goal", "value": "no_goal"})
    _post(port, {"clip": "wide", "key": "foot", "value": "left"})
    _post(port, {"clip": "wide", "key": "cursor", "value": None})
    os.killpg(p.pid, signal.SIGKILL)
    p.wait(10)
    p = _serve(["goals", f"clips={folder}"], port)
    try:
        state = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/state", timeout=10).read())
        assert state["labels"] == {"wide": {"goal": "no_goal", "foot": "left"}} and state["cursor"] == "wide"
    finally:
        os.killpg(p.pid, signal.SIGKILL)
    assert not list(folder.glob("*.tmp"))


def test_clipper_exports_frame_accurate_clips(long_video, tmp_path):
    out = tmp_path / "mine"
    c = TestClient(build("clipper", {"video": str(long_video), "out": str(out)}))
    s = c.get("/api/state").json()
    assert s["video"]["frames"] == 200 and s["cuts"] == []
    assert c.post("/api/set", json={"cuts": [[90, 150], [10, 20]], "pending_in": None, "position": 150}).status_code == 200
    assert c.post("/api/set", json={"cuts": [[50, 40]], "pending_in": None, "position": 0}).status_code == 400
    assert c.post("/api/set", json={"cuts": [[0, 500]], "pending_in": None, "position": 0}).status_code == 400
    r = c.post("/api/export").json()
    assert [(e["clip"], e["frames"]) for e in r["exported"]] == [("match_001", 61), ("match_002", 11)]
    got = [f for _, f in read_frames(out / "match_001" / "clip.mp4")]
    src = {i: f for i, f in read_frames(long_video, range(90, 151))}
    assert len(got) == 61
    for k, f in enumerate(got):                       # frame k of the cut is frame 90 + k of the source
        bar = int(np.argmax(f[48, :, 0] > 128)) // 2
        assert bar == 90 + k and np.abs(f.astype(int) - src[90 + k].astype(int)).mean() < 4
    data = (out / "match_001" / "clip.mp4").read_bytes()
    assert 0 <= data.find(b"moov") < data.find(b"mdat")                          # +faststart
    src_json = json.loads((out / "match_001" / "source.json").read_text())
    assert src_json["start_frame"] == 90 and src_json["end_frame"] == 150 and src_json["source"] == str(long_video)
    state = json.loads((out / "clipper.json").read_text())
    assert state["cuts"] == [[90, 150], [10, 20]] and state["position"] == 150 and len(state["exported"]) == 2
    # the exported folder is a clip folder every stage reads: the rater opens it
    assert [x["id"] for x in TestClient(build("rater", {"clips": str(out)})).get("/api/state").json()["clips"]] == \
        ["match_001", "match_002"]


def test_bad_starts_are_one_clear_error(tmp_path, long_video):
    with pytest.raises(KickyError, match="no such file"):
        build("clipper", {"video": str(tmp_path / "none.mp4"), "out": str(tmp_path / "o")})
    with pytest.raises(KickyError, match="holds no clip"):
        build("rater", {"clips": str(tmp_path)})
    with pytest.raises(KickyError, match="use one of clipper, rater, goals"):
        build("paint", {})
    (tmp_path / "o2").mkdir()
    (tmp_path / "o2" / "clipper.json").write_text("{oops")
    with pytest.raises(KickyError, match="corrupt"):
        build("clipper", {"video": str(long_video), "out": str(tmp_path / "o2")})
    r = subprocess.run([sys.executable, "-m", "kicky.annotate", "rater", f"clips={tmp_path / 'nope'}"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "is not a folder of clips" in r.stderr and "Traceback" not in r.stderr
