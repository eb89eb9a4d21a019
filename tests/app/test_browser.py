"""The web app in a real browser (Debian's Chromium driven by Playwright, never a downloaded one):
the page loads offline, a gallery goal clip gives the verdict and an annotated video that plays, the
coach text streams in over several updates, confetti fires on the goal and not on a miss, an upload
is analysed and a corrupt one gets one clear message; screenshots at two window sizes are saved
(tests/app/artifacts/)."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ART = Path(__file__).parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(sim_clips, tmp_path_factory):
    gallery = tmp_path_factory.mktemp("gallery")
    for name in ("goal", "wide"):
        os.symlink(sim_clips[name][0], gallery / f"{name}_{sim_clips[name][0].name}")
    port = free_port()
    work = tmp_path_factory.mktemp("work")
    log = open(work / "app.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "kicky.app", "detector=truth", f"app.port={port}",
                             f"app.work={work}", f"app.gallery.clips={gallery}", "app.max_upload_mb=5"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(url + "/", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError((work / "app.log").read_text())
            time.sleep(0.5)
    yield url, gallery, work
    proc.terminate()
    proc.wait(20)
    log.close()


def test_stadium_page_in_chromium(served, sim_clips, tmp_path):
    from playwright.sync_api import sync_playwright
    url, gallery, work = served
    ART.mkdir(exist_ok=True)
    goal_id = "gallery:" + next(p.name for p in gallery.iterdir() if p.name.startswith("goal_"))
    wide_id = "gallery:" + next(p.name for p in gallery.iterdir() if p.name.startswith("wide_"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        external = []
        own = (url, "data:", f"blob:{url}")                       # the confetti worker runs from a local blob
        page.on("request", lambda r: None if r.url.startswith(own) else external.append(r.url))
        page.goto(url)
        page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
        assert page.locator("#gallery button.clip").count() == 2

        # a goal from the gallery: the verdict, a video that plays, the coach streamed, confetti
        page.click(f'#gallery button[data-id="{goal_id}"]')
        page.wait_for_function("document.getElementById('verdict').textContent.length > 0 && "
                               "document.getElementById('verdict').textContent !== 'Pick a clip'", timeout=180_000)
        assert page.text_content("#verdict") == "GOAL"
        page.wait_for_function("document.getElementById('video').readyState >= 2", timeout=60_000)
        assert page.evaluate("document.createElement('video').canPlayType('video/mp4; codecs=\"avc1.42E01E\"')") != ""
        assert page.evaluate("document.getElementById('video').videoWidth") > 0
        page.wait_for_function("document.getElementById('coach-text').dataset.done === '1'", timeout=120_000)
        assert int(page.get_attribute("#coach-text", "data-updates")) >= 2          # it grew, not one block
        coach = page.text_content("#coach-text")
        assert coach.startswith("Verdict: Great strike, that is a goal!") and coach.count("Fix:") == 2 and "Drill:" in coach
        assert page.evaluate("window.kickyConfettiCount") == 1
        assert page.evaluate("typeof window.confetti") == "function"                 # the vendored library
        assert page.text_content("#foot") in ("left", "right") and "km/h" in page.text_content("#speed")
        page.screenshot(path=str(ART / "app_wide.png"), full_page=True)

        # a miss: no confetti
        page.click(f'#gallery button[data-id="{wide_id}"]')
        page.wait_for_function("document.getElementById('verdict').textContent.startsWith('NO GOAL') || "
                               "document.getElementById('verdict').textContent.startsWith('no shot')", timeout=180_000)
        page.wait_for_function("document.getElementById('coach-text').dataset.done === '1'", timeout=120_000)
        assert page.evaluate("window.kickyConfettiCount") == 1

        # a corrupt upload: one clear message, nothing analysed
        bad = tmp_path / "holiday.mp4"
        bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(3000))
        page.set_input_files("#upload", str(bad))
        page.wait_for_function("!document.getElementById('error').hidden", timeout=60_000)
        assert "not a readable video" in page.text_content("#error")
        assert "Traceback" not in page.content()
        (tmp_path / "notes.txt").write_text("my notes")
        page.set_input_files("#upload", str(tmp_path / "notes.txt"))
        page.wait_for_function("document.getElementById('error').textContent.includes('is not a video this app takes')",
                               timeout=30_000)

        # an upload of a real clip: analysed (the simulator's truth is not beside it: the teacher labels it)
        page.set_input_files("#upload", str(sim_clips["goal"][0] / "clip.mp4"))
        page.wait_for_function("document.getElementById('error').hidden && "
                               "document.getElementById('detector').textContent === 'detections: teacher'", timeout=240_000)
        page.wait_for_function("document.getElementById('video').readyState >= 2", timeout=60_000)

        page.set_viewport_size({"width": 420, "height": 860})                       # a phone-sized window
        page.wait_for_timeout(300)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")   # the layout holds
        page.screenshot(path=str(ART / "app_narrow.png"), full_page=True)
        browser.close()
    assert external == []                                                              # offline: no CDN
    sessions = [d for d in work.iterdir() if (d / ".kicky-session").is_file()]   # ids may start with "_" too
    assert len(sessions) == 1 and not list(sessions[0].glob(".part_*"))
    assert sorted(x.name for x in sessions[0].glob("upload_*")) == ["upload_1.mp4"]   # the corrupt one is gone
