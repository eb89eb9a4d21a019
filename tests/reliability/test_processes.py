"""Issue 17, item 4: a killed parent takes its workers with it, Ctrl-C stops at once with one line."""
import os
import signal
import subprocess
import sys
import time

import pytest

CHILD = """
import sys, time
from kicky.io.pool import worker_pool
from kicky.cli import call
from omegaconf import OmegaConf

def run(_):
    with worker_pool(2) as ex:
        pids = list(ex.map(_pid, range(8)))
        print(*sorted(set(pids)), flush=True)
        list(ex.map(time.sleep, [30] * 8))

def _pid(_):
    import os, time
    time.sleep(0.3)
    return os.getpid()

if __name__ == "__main__":
    call(run, OmegaConf.create({}))
"""


def _as_from_a_terminal() -> None:
    """A shell's background job (`make test &`, as CI and scripts run it) ignores SIGINT, and its
    children inherit that: the stage would rightly ignore Ctrl-C. Start it as a terminal would."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(tmp_path, child: str = CHILD):
    script = tmp_path / "child.py"
    script.write_text(child)
    p = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=_as_from_a_terminal)
    pids = [int(x) for x in p.stdout.readline().split()]
    assert pids, p.stderr.read()
    return p, pids


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:   # a zombie waiting for its reaper is gone for our purposes
        return f.read().split()[2] != "Z"


def test_kill_9_of_the_parent_takes_the_workers_with_it(tmp_path):
    p, pids = _start(tmp_path)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    deadline = time.time() + 5
    while time.time() < deadline and any(_alive(w) for w in pids):
        time.sleep(0.2)
    assert not any(_alive(w) for w in pids), "orphaned workers survived 5 s"


# The kernel may hand a process's SIGINT to any thread that does not block it. Here the main thread
# blocks it while it waits on the pool, so only the pool's own threads could take it: before
# kicky.cli took Ctrl-C in a thread of its own, the signal landed there and the stage ran on.
ELSEWHERE = CHILD.replace("        list(ex.map(time.sleep", """        import signal
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        list(ex.map(time.sleep""")


@pytest.mark.parametrize("child", [CHILD, ELSEWHERE], ids=["main-thread", "another-thread"])
def test_ctrl_c_stops_within_two_seconds_with_one_line(tmp_path, child):
    p, pids = _start(tmp_path, child)
    t0 = time.time()
    p.send_signal(signal.SIGINT)
    try:
        _, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        raise AssertionError("Ctrl-C did not stop the stage within 10 s") from None
    assert time.time() - t0 < 2.0
    assert p.returncode == 130, err
    lines = [x for x in err.splitlines() if x.strip()]
    assert lines == ["error: interrupted: rerun the same command to resume (finished clips and epochs are kept; training: add resume=true)"], err
    time.sleep(1.0)
    assert not any(_alive(w) for w in pids)


# A thread started before the stage (a library's, at import) does not block SIGINT. When the signal
# lands there, Python's handler runs in that thread and only writes to the wakeup fd, while the main
# thread sleeps on a future: the taker watches that fd too. Here the signal is sent to that thread.
FROM_BEFORE = CHILD.replace("import sys, time\n", "import sys, time, signal, threading\nREADY = threading.Event()\n") \
    .replace("print(*sorted(set(pids)), flush=True)\n", "print(*sorted(set(pids)), flush=True)\n        READY.set()\n") \
    .replace('if __name__ == "__main__":\n',
             'if __name__ == "__main__":\n'
             '    def later():\n'
             '        READY.wait()\n'
             '        time.sleep(0.5)\n'
             '        signal.pthread_kill(threading.get_ident(), signal.SIGINT)\n'
             '    threading.Thread(target=later, daemon=True).start()\n')
assert FROM_BEFORE.count("READY") == 3


def test_ctrl_c_taken_by_a_thread_from_before_the_stage_stops_it(tmp_path):
    p, pids = _start(tmp_path, FROM_BEFORE)
    try:
        _, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        raise AssertionError("a Ctrl-C taken by an older thread did not stop the stage within 10 s") from None
    assert p.returncode == 130, err
    assert [x for x in err.splitlines() if x.strip()] == [
        "error: interrupted: rerun the same command to resume (finished clips and epochs are kept; training: add resume=true)"], err
    time.sleep(1.0)
    assert not any(_alive(w) for w in pids)


# Other signals reach the Ctrl-C thread too (a library's handler, glibc's thread signals). CPython
# 3.11's sigtimedwait returns an uninitialised siginfo, not None, when one interrupts the wait near
# its timeout: the stage stopped with "interrupted" and no Ctrl-C (seen once in CI, in infer.py).
NOT_CTRL_C = """
import random, signal, sys, threading, time
import kicky.cli as cli
cli.POLL_S = 0.002   # many timeouts, so signals land near one
signal.signal(signal.SIGUSR1, lambda *a: None)
with cli.ctrl_c_stops():
    taker = next(t for t in threading.enumerate() if t.name == "kicky-ctrl-c")
    for _ in range(3000):
        time.sleep(random.uniform(0, 0.002))
        signal.pthread_kill(taker.ident, signal.SIGUSR1)
print("ran on")
"""


def test_other_signals_are_not_taken_for_ctrl_c():
    p = subprocess.run([sys.executable, "-c", NOT_CTRL_C], capture_output=True, text=True, timeout=120)
    assert (p.returncode, p.stdout.strip()) == (0, "ran on"), p.stderr
