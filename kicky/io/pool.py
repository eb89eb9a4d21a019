"""The process pool of the per-clip stages (sim, label, build, pre-resize): one OpenCV thread per
worker, so N workers use N cores rather than N x cores."""
from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor


def _one_cv2_thread() -> None:
    import cv2
    cv2.setNumThreads(1)


def worker_pool(workers: int, start: str = "spawn") -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=mp.get_context(start), initializer=_one_cv2_thread)
