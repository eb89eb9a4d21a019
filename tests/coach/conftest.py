import numpy as np
import pytest

from kicky.coach import default_conf


@pytest.fixture(scope="session")
def rules_conf():
    return default_conf("rules")


@pytest.fixture(scope="session")
def openai_conf():
    return default_conf("openai")


@pytest.fixture
def frames():
    """Smooth RGB frames whose colour says where a pixel is (red: x, green: y, blue: the frame)."""
    y, x = np.mgrid[0:120, 0:160]
    return np.stack([np.stack([x * 255 // 159, y * 255 // 119, np.full_like(x, t * 8)], -1) for t in range(30)]
                    ).astype(np.uint8)
