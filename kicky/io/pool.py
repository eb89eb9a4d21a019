"""The process pool of the per-clip stages (sim, label, build, pre-resize): one OpenCV thread per
worker, so N workers use N cores rather than N x cores. Workers never outlive their parent: each
watches its parent process and exits within a second once it is gone (`kill -9` of the stage), and
leaving the pool on an error or Ctrl-C kills the workers instead of waiting for their queued clips."""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _init_worker(parent: int) -> None:
    import cv2
    cv2.setNumThreads(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle: one line, no traceback per worker
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})   # the parent's block (kicky.cli) is inherited
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


class WorkerPool(ProcessPoolExecutor):
    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            return super().__exit__(exc_type, exc, tb)
        try:
            for p in list((self._processes or {}).values()):
                p.kill()
            self.shutdown(wait=False, cancel_futures=True)
        except Exception:   # noqa: BLE001 - the pool's manager thread may be closing it already; the error
            pass            # (or Ctrl-C) that brought us here is the one the user must see, not this one
        return False


def worker_pool(workers: int, start: str = "spawn") -> WorkerPool:
    # After Ctrl-C the stage leaves at once (os._exit); multiprocessing's resource tracker then removes
    # the pool's semaphores itself, and would warn about each on the user's terminal.
    os.environ.setdefault("PYTHONWARNINGS", "ignore::UserWarning:multiprocessing.resource_tracker")
    return WorkerPool(workers, mp_context=mp.get_context(start), initializer=_init_worker, initargs=(os.getpid(),))
