"""Agreement labels on a known ball path: a thrown ball with a teleporting false detection."""

from kicky.core.instances import Instance, box_mask
from kicky.teacher.agreement import agreement_filter


def _ball(x, y, src="motion"):
    box = (x - 2, y - 2, x + 2, y + 2)
    return Instance("ball", box_mask(box, (200, 300)), 0.9, src, box)


def _path(t):
    return 20 + 8 * t, 150 - 12 * t + 0.5 * t * t


def test_outlier_dropped_path_kept():
    labels = [[_ball(*_path(t))] for t in range(20)]
    labels[10] = [_ball(250, 20)]                          # a false ball far off the path
    player = Instance("player", box_mask((0, 0, 5, 10), (200, 300)), 1.0, "motion")
    labels[3].append(player)
    out, stats = agreement_filter(labels, [], px=4, window=4, max_residual=3)
    assert [len([i for i in fr if i.cls == "ball"]) for fr in out] == [1] * 10 + [0] + [1] * 9
    assert player in out[3]
    assert stats == {"agree": 0, "physics": 19, "dropped": 1}


def test_second_source_rescues_isolated_label():
    labels = [[] for _ in range(10)]
    labels[5] = [_ball(100, 100)]                          # alone: no track to support it
    assert agreement_filter(labels, [])[1]["dropped"] == 1
    other = [[] for _ in range(10)]
    other[5] = [_ball(102, 101, "oracle")]
    out, stats = agreement_filter(labels, [other], px=4)
    assert stats["agree"] == 1 and len(out[5]) == 1
    other[5] = [_ball(120, 100, "oracle")]                 # too far to count as agreement
    assert agreement_filter(labels, [other], px=4)[1]["dropped"] == 1
