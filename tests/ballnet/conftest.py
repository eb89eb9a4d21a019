"""The ballnet tests run torch on one CPU thread: its tiny convolutions gain nothing from two, and on
a shared 2-core machine two OpenMP threads were seen 30x slower than one."""
import pytest


@pytest.fixture(autouse=True)
def one_torch_thread():
    import torch
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
