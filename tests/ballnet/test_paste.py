"""Synthetic balls (kicky/ballnet/paste.py): the returned box is where the pasted pixels are, a ball at
rest stays put across the window, a moving one moves by one velocity step per frame, the size follows
the labelled balls; CropSet pastes only into crops with no labelled ball, and only when asked."""
import numpy as np
import pytest

from kicky.ballnet.crops import CropSet
from kicky.ballnet.paste import paste
from kicky.ballnet.train import augment_conf
from kicky.errors import KickyError


def changed(x, j):
    return np.abs(x[:, :, 3 * j:3 * j + 3].astype(int) - 50).max(2) > 6


def centroid(x, j):
    ys, xs = np.nonzero(changed(x, j))
    return np.array([xs.mean(), ys.mean()])


@pytest.mark.parametrize("seed", range(8))
def test_box_is_where_the_ball_was_pasted(seed):
    rng = np.random.default_rng(seed)
    x = np.full((128, 128, 9), 50, np.uint8)
    box = paste(x, rng, 10.0, {"max_speed": 20.0})
    ys, xs = np.nonzero(changed(x, 1))
    assert xs.size, "nothing was pasted in the middle frame"
    assert abs(xs.min() - box[0]) <= 1 and abs(xs.max() + 1 - box[2]) <= 1
    assert abs(ys.min() - box[1]) <= 1 and abs(ys.max() + 1 - box[3]) <= 1
    assert 0 <= box[0] < box[2] <= 128 and 0 <= box[1] < box[3] <= 128
    d = max(box[2] - box[0], box[3] - box[1])
    assert 0.6 * 10 - 2 <= d <= 1.5 * 10 + 20 + 3     # size x U(0.6, 1.5), plus the blur streak
    assert x[:, :, 3:6][changed(x, 1)].mean() > 100   # a light ball on a dark field


def test_a_ball_at_rest_stays_and_a_moving_one_moves_by_its_velocity():
    rest = np.full((128, 128, 9), 50, np.uint8)
    paste(rest, np.random.default_rng(0), 10.0, {"rest": 1.0})
    c = [centroid(rest, j) for j in range(3)]
    assert np.abs(c[0] - c[1]).max() < 0.2 and np.abs(c[2] - c[1]).max() < 0.2
    for seed in range(5):
        moving = np.full((200, 200, 9), 50, np.uint8)
        paste(moving, np.random.default_rng(seed), 8.0, {"rest": 0.0, "max_speed": 15.0, "gravity": 0.0,
                                                         "margin": 30})
        c = [centroid(moving, j) for j in range(3)]
        step1, step2 = c[1] - c[0], c[2] - c[1]
        assert np.abs(step1 - step2).max() < 1.0       # constant velocity without gravity
        assert np.linalg.norm(step1) <= 15.0 + 1.0


def crops_no_ball(n=6, side=64):
    x = np.full((n, side, side, 9), 50, np.uint8)
    box = np.full((n, 4), np.nan, np.float32)
    box[0] = (10, 10, 18, 18)   # one crop has a labelled ball: it is left as it is
    return x, box


def test_cropset_pastes_only_into_crops_without_a_ball_and_only_when_asked():
    x, box = crops_no_ball()
    aug = {"flip": 0.0, "paste": {"p": 1.0, "diameter": 8.0, "margin": 4}}
    pasted = CropSet([(x, box)], stride=2, augment=aug)
    for k in range(len(x)):
        item = pasted[k]
        b = item["box"].numpy()
        assert np.isfinite(b).all()
        if k == 0:
            assert np.allclose(b, box[0]) and (item["x"].numpy() == 50).all()
        else:
            assert (item["x"].numpy() != 50).any()
            cx, cy = (b[0] + b[2]) / 4, (b[1] + b[3]) / 4   # the heat peak is at the box centre (stride 2)
            heat = item["heat"].numpy()[0]
            assert heat[int(cy), int(cx)] == pytest.approx(1.0)
    plain = CropSet([(x, box)], stride=2, augment={"flip": 0.0, "paste": {"p": 0.0}})
    assert all(not np.isfinite(plain[k]["box"].numpy()).any() for k in range(1, len(x)))


def test_the_pasted_size_follows_the_labelled_balls():
    boxes = np.array([[0, 0, 6, 5], [0, 0, 10, 12], [0, 0, 14, 9], [np.nan] * 4], np.float32)
    a = augment_conf({"flip": 0.5, "paste": {"p": 0.5}}, boxes)
    assert a["paste"]["diameter"] == 12.0
    assert augment_conf({"paste": {"p": 0.5}}, np.full((2, 4), np.nan))["paste"]["diameter"] == 10.0
    assert "diameter" not in augment_conf({"paste": {"p": 0.0}}, boxes)["paste"]
    with pytest.raises(KickyError, match=r"augment.paste.p=1.5"):
        augment_conf({"paste": {"p": 1.5}}, boxes)
