"""kicky.io.frames.VideoFrames: the same frames as a full decode, in any order of access, holding
only a few; a damaged stream says so."""
import av
import numpy as np
import pytest

from kicky.errors import KickyError
from kicky.io.frames import VideoFrames
from kicky.io.video import read_frames


def _clip(path, n=90, gop=12, size=(96, 64)):
    """Frames that tell themselves apart after compression: a bar whose position is the index."""
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = size[0], size[1], "yuv420p"
        s.options = {"g": str(gop), "bf": "2", "crf": "18"}
        for i in range(n):
            img = np.full((size[1], size[0], 3), 40, np.uint8)
            img[:, i % size[0]] = 250
            img[: 8 + i % 40, :4] = 250
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    path = _clip(tmp_path_factory.mktemp("frames") / "bars.mp4")
    return path, np.stack([f for _, f in read_frames(path, fmt="rgb24")])


def test_any_order_gives_the_decoded_frames(video):
    path, ref = video
    v = VideoFrames(path, keep=4)
    assert v.shape == ref.shape and len(v) == len(ref)
    rng = np.random.default_rng(0)
    order = list(rng.permutation(len(ref))) + [0, 89, 5, 4, 3, 60, 61, 62, -1]
    for t in order:
        assert np.array_equal(v[t], ref[t]), t
    assert np.array_equal(v[10:20], ref[10:20]) and np.array_equal(v[[3, 70, 2]], ref[[3, 70, 2]])
    assert np.array_equal(np.stack(list(v)), ref) and np.array_equal(np.asarray(v), ref)
    assert len(v._cache) <= 4                      # never more than `keep` frames held
    with pytest.raises(ValueError):
        v[5][0, 0, 0] = 1                          # cached frames are read-only: drawing must copy
    with pytest.raises(IndexError):
        v[len(ref)]


def test_a_stream_cut_short_says_so(video, tmp_path):
    path, ref = video
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"          # moov first? libx264 via PyAV writes it last: keep it, drop media
    moov = data.rfind(b"moov") - 4
    mdat = data.find(b"mdat") - 4
    size = int.from_bytes(data[mdat:mdat + 4], "big")
    body = bytearray(data[mdat:mdat + size])
    body[len(body) // 2:] = bytes(len(body) - len(body) // 2)   # the second half of the media zeroed
    cut.write_bytes(data[:mdat] + bytes(body) + data[mdat + size:])
    assert moov > mdat
    v = VideoFrames(cut)
    assert len(v) == len(ref)
    with pytest.raises(KickyError, match="damaged"):
        for t in range(len(v)):
            v[t]


def test_a_file_cut_short_is_one_error_before_any_frame(tmp_path):
    """A faststart mp4 (index first, as the simulator and infer write it) cut at 40 %: the index still
    lists every frame, the bytes of most are gone; found when the file is opened, whatever the decoder
    would have made of the last partial packet."""
    from kicky.io.video import write_mp4
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (180, 320, 3), np.uint8) for _ in range(60)]   # noise: the media dominates
    whole = tmp_path / "whole.mp4"
    write_mp4(whole, frames, 30, 2_000_000)
    data = whole.read_bytes()
    assert 0 <= data.find(b"moov") < data.find(b"mdat")
    assert len(VideoFrames(whole)) == 60
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.4)])
    with pytest.raises(KickyError, match=r"holds \d+ of the 60 frames its index lists: it is damaged, cut short"):
        VideoFrames(cut)


def test_max_height_scales_on_decode(video):
    path, ref = video
    v = VideoFrames(path, max_height=32)
    assert v.shape == (len(ref), 32, 48, 3) and v[7].shape == (32, 48, 3)
    small = v[7].astype(int)
    assert abs(small[:, :, 0].mean() - ref[7][:, :, 0].astype(int).mean()) < 4   # the same picture, smaller
    assert VideoFrames(path, max_height=4000).shape == ref.shape                   # never scaled up
