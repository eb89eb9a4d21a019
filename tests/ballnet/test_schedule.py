"""The lr schedule: linear warmup, cosine to the floor by steps, and by the clock in a time-boxed run
(whichever is further along), so a run that max_minutes ends still anneals."""
import pytest

from kicky.ballnet.train import schedule


def test_warmup_then_cosine_by_steps():
    assert schedule(0, 1000, 100, 0.02) == pytest.approx(0.01)
    assert schedule(99, 1000, 100, 0.02) == pytest.approx(1.0)
    assert schedule(550, 1000, 100, 0.02) == pytest.approx(0.51)      # half way: (1 + floor) / 2
    assert schedule(1000, 1000, 100, 0.02) == pytest.approx(0.02)


def test_the_clock_moves_the_cosine_when_time_runs_out_first():
    assert schedule(150, 10_000, 100, 0.02, clock=0.5) == pytest.approx(0.51)
    assert schedule(150, 10_000, 100, 0.02, clock=1.0) == pytest.approx(0.02)
    assert schedule(150, 10_000, 100, 0.02, clock=3.0) == pytest.approx(0.02)
    assert schedule(9_999, 10_000, 100, 0.02, clock=0.1) == pytest.approx(0.02, abs=1e-6)   # steps ahead
    assert schedule(50, 10_000, 100, 0.02, clock=0.9) == pytest.approx(0.51)                # warmup first
