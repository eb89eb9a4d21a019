"""pretrain_weights=: a local file is used as given; rfdetr's published names are found in the working
directory or rfdetr's cache; offline a name is one clear line within seconds (the probe points at a
closed loopback port, so no test depends on the network); an unknown name lists the valid ones."""
import os
import socket
import subprocess
import sys
import time

import pytest

from kicky.errors import KickyError
from kicky.train.run import build_detector
from kicky.train.weights import published, reachable, resolve
from tests.train.test_train import ROOT

NANO = {"name": "nano", "rfdetr": "RFDETRSegNano"}


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/rf-detr-seg-nano.pt"


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RF_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "cache"


def test_published_names_are_rfdetrs():
    names = published()
    assert {"rf-detr-seg-nano.pt", "rf-detr-seg-small.pt", "rf-detr-seg-xxlarge.pt"} <= set(names)
    assert all(u.startswith("https://") for u in names.values())


def test_unknown_name_lists_the_valid_ones(empty_cache):
    with pytest.raises(KickyError) as e:
        resolve("rf-detr-seg-tiny.pt", NANO)
    msg = str(e.value)
    assert "does not exist" in msg and "\n" not in msg
    assert all(n in msg for n in published()) and "model=nano takes rf-detr-seg-nano.pt" in msg


def test_name_of_another_size_is_refused(empty_cache):
    with pytest.raises(KickyError, match="is not the nano checkpoint: model=nano takes rf-detr-seg-nano.pt"):
        resolve("rf-detr-seg-small.pt", NANO)


def test_known_name_offline_is_one_clear_line_fast(empty_cache, closed_port):
    t0 = time.perf_counter()
    with pytest.raises(KickyError) as e:
        resolve("rf-detr-seg-nano.pt", NANO, {"url": closed_port, "timeout_s": 3})
    assert time.perf_counter() - t0 < 5
    msg = str(e.value)
    assert "could not be downloaded" in msg and str(empty_cache / "rf-detr-seg-nano.pt") in msg
    assert "storage.googleapis.com" in msg and "\n" not in msg     # says where the file comes from


def test_train_py_offline_name_exits_with_one_line(tmp_path, closed_port):
    env = {**os.environ, "RF_HOME": str(tmp_path / "cache")}
    p = subprocess.run([sys.executable, "train.py", "model=nano", "pretrain_weights=rf-detr-seg-nano.pt",
                        f"pretrain_probe.url={closed_port}", f"hydra.run.dir={tmp_path / 'run'}"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    errors = [line for line in p.stderr.splitlines() if line.startswith("error:")]  # (rfdetr's import warns)
    assert errors == [p.stderr.strip().splitlines()[-1]]
    assert errors[0].startswith("error: pretrain_weights=rf-detr-seg-nano.pt could not be downloaded")


def test_probe_sees_a_listening_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        ok, where = reachable(f"http://127.0.0.1:{s.getsockname()[1]}/x", 1.0)
    assert ok and where.startswith("127.0.0.1:")


def test_local_file_and_cached_name_load_without_network(empty_cache, monkeypatch):
    """A checkpoint file given by path is loaded as before; the same file under rfdetr's name in its
    cache is found by name (no probe, no download). Its weights really arrive in the model."""
    import rfdetr
    import torch
    monkeypatch.setattr("kicky.train.weights.reachable", lambda *a: pytest.fail("probed the network"))
    det = rfdetr.RFDETRSegNano(pretrain_weights=None, device="cpu")
    sd = det.model.model.state_dict()
    sd["class_embed.bias"].fill_(0.125)
    path = empty_cache.parent / "mine.pth"
    torch.save({"model": sd}, path)
    assert resolve(str(path), NANO) == str(path) and resolve("mine.pth", NANO) == str(path)  # cwd: absolute
    empty_cache.mkdir()
    os.link(path, empty_cache / "rf-detr-seg-nano.pt")
    got = resolve("rf-detr-seg-nano.pt", NANO)
    assert got == str(empty_cache / "rf-detr-seg-nano.pt")
    loaded = build_detector(NANO, got, "cpu", "rf-detr-seg-nano.pt")
    assert torch.allclose(loaded.model.model.state_dict()["class_embed.bias"], torch.tensor(0.125))
