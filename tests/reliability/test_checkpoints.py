"""Issue 17, item 5: a truncated or foreign checkpoint is one clear line before anything loads it."""
import pytest
import torch

from kicky.errors import KickyError
from kicky.io.checkpoint import checked


@pytest.fixture
def good(tmp_path):
    p = tmp_path / "good.pt"
    torch.save({"model": {"w": torch.zeros(1000)}}, p)
    return p


def test_a_whole_checkpoint_passes(good):
    assert checked(good, "x") == good


@pytest.mark.parametrize("damage", ["truncated", "text", "empty", "zip_not_torch", "missing"])
def test_damaged_checkpoints_are_one_line(good, tmp_path, damage):
    import zipfile
    p = tmp_path / f"{damage}.pt"
    if damage == "truncated":
        p.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif damage == "text":
        p.write_text("not a checkpoint\n")
    elif damage == "empty":
        p.write_bytes(b"")
    elif damage == "zip_not_torch":
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("a.txt", "hello")
    with pytest.raises(KickyError) as e:
        checked(p, "copy it again")
    msg = str(e.value)
    assert str(p) in msg and msg.endswith("copy it again") and "\n" not in msg
    assert "weights_only" not in msg and "trust" not in msg


def test_ballnet_detect_refuses_a_truncated_checkpoint(tmp_path):
    from kicky.ballnet.detect import BallDetector
    from kicky.ballnet.model import BallNet
    run = tmp_path / "run"
    run.mkdir()
    m = BallNet()
    torch.save({"model": m.state_dict(), "model_conf": m.config(), "decode": {"k": 1, "threshold": 0.3}}, run / "best.pt")
    (run / "config.yaml").write_text("{}\n")
    data = (run / "best.pt").read_bytes()
    (run / "best.pt").write_bytes(data[: len(data) - 200])
    with pytest.raises(KickyError, match="truncated"):
        BallDetector(run, device="cpu")
