"""The three annotation pages driven by keyboard in a real browser (Debian's Chromium via
Playwright): every key's label lands in the saved JSON, undo takes it back, the next-unlabelled
jump skips labelled clips, and the clipper's in / out / export cuts the frames it showed."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kicky.io.video import read_frames
from tests.annotate.test_tools import _free_port, clip_folder, long_video  # noqa: F401  (shared fixtures)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def serve(args):
    port = _free_port()
    p = subprocess.Popen([sys.executable, "-m", "kicky.annotate", *args, f"annotate.port={port}"], cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/state", timeout=2)
            return p, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.25)
    raise RuntimeError("the tool did not start")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(url)
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
    page.wait_for_function("document.getElementById('video').readyState >= 2", timeout=60_000)
    return page


def press(page, *keys):
    for k in keys:
        page.keyboard.press(k)
        page.wait_for_function("document.body.dataset.saved !== '0'", timeout=30_000)


def saved(folder):
    return json.loads((folder / "annotations.json").read_text())["clips"]


def test_goal_annotator_and_rater_by_keyboard(browser, clip_folder):
    (clip_folder / "annotations.json").unlink(missing_ok=True)
    proc, url = serve(["goals", f"clips={clip_folder}"])
    try:
        page = open_page(browser, url)
        press(page, "g", "l", "ArrowRight", "ArrowRight", "ArrowRight")
        page.wait_for_function("document.body.dataset.frame === '3'")
        press(page, "k")
        page.wait_for_timeout(300)
        assert saved(clip_folder) == {"goal": {"goal": "goal", "foot": "left", "kick_frame": 3}}
        press(page, "Shift+ArrowRight")
        page.wait_for_function("document.body.dataset.frame === '13'")
        press(page, "k", "z")                                   # undo: the kick frame goes back to 3
        page.wait_for_timeout(300)
        assert saved(clip_folder)["goal"]["kick_frame"] == 3
        press(page, "n", "x", "r")                              # clip 2 (pass): no goal, right foot
        page.wait_for_timeout(300)
        assert saved(clip_folder)["pass"] == {"goal": "no_goal", "foot": "right"}
        press(page, "p", "u")                                   # back to clip 1, then the next unlabelled: wide
        page.wait_for_function("document.getElementById('where').textContent.includes('wide')")
        press(page, "s")
        page.wait_for_timeout(300)
        assert saved(clip_folder)["wide"] == {"goal": "unsure"}
        page.keyboard.press("?")
        assert page.is_visible("#help") and "kick frame = this frame" in page.text_content("#keys")
        page.close()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
    proc, url = serve(["goals", f"clips={clip_folder}"])        # reopening resumes where the user was
    try:
        page = open_page(browser, url)
        assert "wide" in page.text_content("#where") and "goal: unsure" in page.text_content("#status")
        page.close()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
    proc, url = serve(["rater", f"clips={clip_folder}"])
    try:
        page = open_page(browser, url)
        press(page, "4", "n", "2", "5", "z")
        page.wait_for_timeout(300)
        got = saved(clip_folder)
        assert got["goal"]["stars"] == 4 and got["pass"]["stars"] == 2 and got["goal"]["goal"] == "goal"
        assert "★★☆☆☆" in page.text_content("#status")
        page.close()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
    (clip_folder / "annotations.json").unlink()


def test_clipper_by_keyboard(browser, long_video, tmp_path):
    out = tmp_path / "mine"
    proc, url = serve(["clipper", f"video={long_video}", f"out={out}"])
    try:
        page = open_page(browser, url)
        for _ in range(9):
            page.keyboard.press("Shift+ArrowRight")
        page.wait_for_function("document.body.dataset.frame === '90'")
        press(page, "i")
        for _ in range(6):
            page.keyboard.press("Shift+ArrowRight")
        page.wait_for_function("document.body.dataset.frame === '150'")
        press(page, "o")
        page.wait_for_timeout(300)
        state = json.loads((out / "clipper.json").read_text())
        assert state["cuts"] == [[90, 150]] and state["pending_in"] is None
        press(page, "e")
        page.wait_for_function("document.getElementById('status').textContent.includes('exported: match_001')",
                               timeout=120_000)
        page.close()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
    frames = [f for _, f in read_frames(out / "match_001" / "clip.mp4")]
    assert len(frames) == 61
    import numpy as np
    assert int(np.argmax(frames[0][48, :, 0] > 128)) // 2 == 90 and int(np.argmax(frames[-1][48, :, 0] > 128)) // 2 == 150
