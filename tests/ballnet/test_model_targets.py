"""The network's shapes at odd sizes, the CenterNet encode / decode round trip (sub-pixel), the
losses' behaviour, the three-frame windows and the AP used for validation."""
import numpy as np
import pytest
import torch

from kicky.ballnet.frames import stack, windows
from kicky.ballnet.losses import focal_loss, total
from kicky.ballnet.metrics import ball_scores
from kicky.ballnet.model import BallNet
from kicky.ballnet.targets import decode, encode
from kicky.errors import KickyError


@pytest.mark.parametrize("stride,widths", [(2, (8, 16, 16)), (4, (8, 16, 16, 24))])
@pytest.mark.parametrize("hw", [(37, 53), (64, 64), (90, 161)])
def test_output_shapes_and_stride_at_any_size(stride, widths, hw):
    net = BallNet(widths, stride).eval()
    x = torch.randint(0, 255, (2, 9, *hw), dtype=torch.uint8)
    with torch.no_grad():
        out = net(x)
    h, w = -(-hw[0] // stride), -(-hw[1] // stride)
    assert out["heat"].shape == (2, 1, h, w)
    assert out["offset"].shape == (2, 2, h, w) and out["size"].shape == (2, 2, h, w)
    assert net.total_stride == 2 ** len(widths)
    # fully convolutional: a cell's output depends on the image, not on where the padding fell
    assert torch.isfinite(out["heat"]).all()


def test_bad_model_config():
    with pytest.raises(KickyError, match="stride must be 2 or 4"):
        BallNet((8, 16), stride=8)
    with pytest.raises(KickyError):
        BallNet((), stride=2)


@pytest.mark.parametrize("stride", [2, 4])
@pytest.mark.parametrize("box", [(10.3, 20.7, 17.9, 27.1), (0.0, 0.0, 5.0, 6.0), (40.25, 3.5, 52.75, 14.0)])
def test_encode_decode_round_trip_is_exact(stride, box):
    H, W = 64, 96
    t = encode(np.array([box]), (H // stride, W // stride), stride)
    assert t["heat"].max() == 1.0 and t["mask"][0] == 1.0
    assert (t["heat"] == 1.0).sum() == 1                       # one peak, at the centre's cell
    off = np.zeros((1, 2, H // stride, W // stride), np.float32)
    size = np.zeros_like(off)
    iy, ix = divmod(int(t["ind"][0]), W // stride)
    off[0, :, iy, ix], size[0, :, iy, ix] = t["offset"][0], t["size"][0]
    boxes, scores = decode(torch.from_numpy(t["heat"][None]), torch.from_numpy(off), torch.from_numpy(size), stride, k=1)
    assert scores[0, 0] == 1.0
    np.testing.assert_allclose(boxes[0, 0].numpy(), box, atol=1e-4)


def test_encode_skips_missing_and_outside_boxes():
    t = encode(np.array([[np.nan] * 4, [200, 200, 210, 210]]), (16, 16), 2)
    assert t["heat"].max() == 0 and t["mask"].sum() == 0


def test_decode_nms_keeps_separate_peaks_in_score_order():
    heat = torch.zeros(1, 1, 20, 20)
    heat[0, 0, 5, 5], heat[0, 0, 5, 6], heat[0, 0, 15, 12] = 0.9, 0.8, 0.7   # (5,6) is suppressed by (5,5)
    boxes, scores = decode(heat, torch.zeros(1, 2, 20, 20), torch.ones(1, 2, 20, 20), 2, k=2)
    assert scores[0].tolist() == pytest.approx([0.9, 0.7])
    assert boxes[0, 1].tolist() == pytest.approx([23.0, 29.0, 25.0, 31.0])


def test_decode_keeps_a_peak_whose_size_regressed_to_nothing():
    """An untrained size head can say 0 or less: the peak is still a ball, a 1 px box at its centre."""
    heat = torch.zeros(1, 1, 8, 8)
    heat[0, 0, 3, 4] = 0.6
    size = torch.full((1, 2, 8, 8), -2.0)
    boxes, scores = decode(heat, torch.full((1, 2, 8, 8), 0.5), size, 4, k=1)
    assert scores[0].tolist() == pytest.approx([0.6])
    assert boxes[0, 0].tolist() == pytest.approx([17.5, 13.5, 18.5, 14.5])   # centre (18, 14), 1 px a side


def test_focal_loss_prefers_the_right_peak():
    target = torch.from_numpy(encode(np.array([[10, 10, 16, 16]]), (16, 16), 2)["heat"][None])
    good = torch.where(target == 1, torch.tensor(5.0), torch.tensor(-5.0))
    bad = torch.roll(good, 5, dims=3)
    assert focal_loss(good, target) < 0.1 < focal_loss(bad, target)
    # with no ball the loss is the negatives' alone, finite
    assert torch.isfinite(focal_loss(bad, torch.zeros_like(target)))


def test_total_loss_is_zero_only_off_target():
    t = {k: torch.from_numpy(v[None]) for k, v in encode(np.array([[10, 10, 16, 16]]), (16, 16), 2).items()}
    out = {"heat": torch.where(t["heat"] == 1, 9.0, -9.0), "offset": torch.zeros(1, 2, 16, 16), "size": torch.zeros(1, 2, 16, 16)}
    _, parts = total(out, t, {})
    assert parts["heat"] < 1e-3 and parts["offset"] == pytest.approx(0.5) and parts["size"] == pytest.approx(3.0)


def test_windows_repeat_edges_and_cover_every_frame():
    frames = [np.full((2, 2, 3), i, np.uint8) for i in range(7)]
    got = []
    for t0, win in windows(iter(frames), 3):
        for i in range(len(win) - 2):
            got.append((t0 + i, stack(win, i)[0, 0, ::3].tolist()))
    assert got == [(t, [max(t - 1, 0), t, min(t + 1, 6)]) for t in range(7)]
    assert [stack(w, 0)[0, 0, ::3].tolist() for _, w in windows(iter(frames[:1]), 4)] == [[0, 0, 0]]


def test_ball_scores():
    truth = np.array([[10, 10, 20, 20], [0, 0, 10, 10], [np.nan] * 4], np.float32)
    boxes = np.array([[[10, 10, 20, 20]], [[30, 30, 40, 40]], [[0, 0, 5, 5]]], np.float32)
    s = ball_scores(boxes, np.array([[0.9], [0.8], [0.1]]), truth, 0.5)
    assert s["AP50"] == pytest.approx(0.5, abs=0.01) and s["recall"] == 0.5 and s["precision"] == 0.5
    s = ball_scores(truth[:2, None], np.array([[0.9], [0.8]]), truth[:2], 0.5)
    assert s["AP"] == pytest.approx(1.0) and s["AP50"] == pytest.approx(1.0)
