"""Fixtures for training tests: oracle-labelled simulated clips -> a tiny classes3 dataset."""
import pytest

from kicky.dataset.run import run as build
from tests.dataset.test_build import labelled  # noqa: F401  (oracle-labelled sim clips, session-wide)
from tests.train.test_train import _conf


@pytest.fixture(scope="session")
def dataset(labelled):
    over = [f"labels={labelled / 'labels'}", f"clips={labelled / 'clips'}", f"out={labelled / 'train_ds'}",
            f"reports={labelled / 'rep'}", "dataset.split.train=0.5", "dataset.split.valid=0.25",
            "dataset.split.test=0.25", "dataset.split.seed=1", "dataset.sampling.every=12"]
    build(_conf("build", over))
    return labelled / "train_ds"


