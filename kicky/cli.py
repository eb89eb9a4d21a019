"""What every Hydra entry point shares: the resolved config as plain data, and a KickyError turned
into one line on stderr and exit status 2 (never a traceback); Hydra's own errors (an unknown key or
option, an override it cannot parse) get the same one line."""
from __future__ import annotations

import errno
import os
import re
import select
import signal
import sys
import threading
from contextlib import contextmanager, nullcontext
from typing import Callable

from omegaconf import DictConfig, OmegaConf

from kicky.checks import number, typed  # noqa: F401  (re-exported: the checks live in the base layer)
from kicky.errors import KickyError

os.environ.setdefault("HYDRA_FULL_ERROR", "0")


def hydra_line(e: BaseException) -> str:
    """One line out of Hydra's multi-line message for a config it cannot compose or an override it
    cannot parse, with what to do."""
    text = str(e).split("Config search path:")[0]
    cause = e.__cause__
    if cause is not None and str(cause).strip():
        first, _, rest = text.partition("\n")
        text = f"{first}\n{str(cause).splitlines()[0]}\n{rest}"
    lines = [x.strip() for x in text.splitlines() if x.strip() and not set(x.strip()) <= {"^"}]
    lines = [x for x in lines if not x.startswith(("See https://", "full_key:", "object_type=", "reference_type="))]
    out, options = [], []
    for x in lines:
        if options or x.startswith("Available options"):
            options.append(x)
        else:
            out.append(x.rstrip("."))
    msg = "; ".join(out)
    if options:
        msg += f"; {options[0].rstrip(':').lower()}: {', '.join(options[1:])}"
    from hydra.errors import OverrideParseException
    if isinstance(e, OverrideParseException):
        msg += ("; overrides are key=value: quote a value holding spaces or letters outside a-z, "
                "e.g. 'clip=\"my clip.mp4\"'")
    return re.sub(r"\s+", " ", msg)


def _one_line_hydra_errors() -> None:
    """Hydra (hydra-core 1.3) reports a config error as several lines and exits 1; make it our one
    `error:` line and exit 2 (HYDRA_FULL_ERROR=1 still shows Hydra's own report)."""
    try:
        import hydra._internal.utils as hu
        from hydra.errors import HydraException
        from omegaconf.errors import OmegaConfBaseException
    except ImportError:
        return
    if getattr(hu.run_and_report, "_kicky", False):
        return
    plain = hu.run_and_report

    def run_and_report(func):
        try:
            return func()
        except (HydraException, OmegaConfBaseException) as e:
            if os.environ.get("HYDRA_FULL_ERROR") == "1":
                raise
            print(f"error: {hydra_line(e)}", file=sys.stderr)
            sys.exit(2)
        except Exception as e:    # anything else: Hydra's own report (a bug shows its traceback)
            def again():
                raise e
            return plain(again)

    run_and_report._kicky = True
    hu.run_and_report = run_and_report


_one_line_hydra_errors()


POLL_S = 0.2   # how often the Ctrl-C thread looks at its wakeup pipe and whether the stage has ended
INTERRUPTED = "error: interrupted: rerun the same command to resume (finished clips and epochs are kept; training: add resume=true)"


def _stop(*_) -> None:
    """Ctrl-C: the stage's worker processes killed, one line, and out at once (exit hooks would wait
    on pool threads whose workers were just killed); every write is atomic, a rerun resumes."""
    import multiprocessing as mp
    for p in mp.active_children():
        p.kill()
    print(INTERRUPTED, file=sys.stderr, flush=True)
    os._exit(130)


@contextmanager
def ctrl_c_stops():
    """Ctrl-C taken by a thread of its own while the stage runs. The kernel gives a process's SIGINT
    to any thread that does not block it, and Python raises KeyboardInterrupt only in the main
    thread once it runs again: one that landed on a pool's manager thread while the main thread
    waited on a future was lost (seen under load: the stage ran on). So SIGINT is blocked (threads
    started meanwhile inherit the block) and one thread takes it; afterwards all is as before."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    # a thread started before the block (a library's, at import) can still take the signal: Python's
    # handler then runs there and only writes a byte to the wakeup fd, which the taker watches too
    r, w = os.pipe()
    os.set_blocking(w, False)
    old_fd = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    done = threading.Event()

    def wait():
        while not done.is_set():
            # CPython 3.11 returns an uninitialised siginfo, not None, when another signal interrupts
            # the wait near its timeout (seen in CI: a spurious stop): only a real SIGINT counts
            got = signal.sigtimedwait({signal.SIGINT}, POLL_S)
            if got is not None and got.si_signo == signal.SIGINT:
                _stop()
            if select.select([r], [], [], 0)[0] and signal.SIGINT in os.read(r, 64):
                _stop()
    taker = threading.Thread(target=wait, name="kicky-ctrl-c", daemon=True)
    taker.start()
    try:
        yield
    finally:
        done.set()
        taker.join()
        signal.set_wakeup_fd(old_fd)
        os.close(r)
        os.close(w)
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def call(run: Callable[[dict], object], cfg: DictConfig, ctrl_c: bool = True):
    """Run a stage: its errors as one line and exit 2; `ctrl_c`: Ctrl-C stops it at once (servers,
    which shut down on Ctrl-C themselves, pass False)."""
    from concurrent.futures.process import BrokenProcessPool
    try:
        with ctrl_c_stops() if ctrl_c else nullcontext():
            return run(OmegaConf.to_container(cfg, resolve=True))
    except KickyError as e:   # one line, whatever a wrapped library message held
        print("error: " + " ".join(str(e).split()), file=sys.stderr)
        sys.exit(2)
    except BrokenProcessPool:
        print("error: a worker process died (killed, most often out of memory): rerun the same command "
              "(stages that resume keep their finished clips), with fewer workers= if memory is short", file=sys.stderr)
        sys.exit(2)
    except BrokenPipeError:   # the reader went away (`... | head`): stop quietly, it has what it wanted
        os._exit(0)
    except OSError as e:   # permission denied, disk full, a path that is a file: writes are atomic, nothing half-written
        where = f" {e.filename}" if getattr(e, "filename", None) else ""
        hint = {errno.ENOSPC: "free some disk space", errno.EACCES: "choose a folder you may write to",
                errno.EPERM: "choose a folder you may write to", errno.EROFS: "choose a writable folder",
                errno.ENOTDIR: "a path on the way is a file, not a folder",
                errno.EISDIR: "the path is a folder, not a file"}.get(e.errno, "check the path")
        print(f"error: cannot use{where}: {e.strerror or e}: {hint}, then rerun (finished work is kept)", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:   # a SIGINT that reached Python's own handler (one sent before the block)
        _stop()
