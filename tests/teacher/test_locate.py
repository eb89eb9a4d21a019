"""LocateAnything backend against a real local HTTP server that speaks the OpenAI chat API and
answers like the model does, one scripted behaviour per request."""
from __future__ import annotations

import base64
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np
import pytest

from kicky.core.clips import ClipInput
from kicky.core.instances import box_mask
from kicky.errors import KickyError
from kicky.teacher.locate import STAT_KEYS, LocateAnythingBackend, parse_boxes

W, H = 640, 360
CLASSES = ("ball", "player", "goal")
ONTOLOGY = {"ball": "ball", "player": "person", "goal": "goal post"}


def chat(text: str) -> tuple[int, bytes, float]:
    """A model-like 200 reply whose message is `text`."""
    body = {"id": "x", "object": "chat.completion", "model": "LocateAnything-3B",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": "stop"}]}
    return 200, json.dumps(body).encode(), 0.0


BOX = "<box><100><200><300><400></box>"  # -> (64, 72, 192, 144) px on 640x360


class FakeLocateServer:
    """Real HTTP server. `script` is a queue of (status, body, delay) replies, one per chat request;
    when it runs dry `default` is used. `requests` records every parsed chat request body."""

    def __init__(self):
        self.script: list[tuple[int, bytes, float]] = []
        self.default = chat(BOX)
        self.requests: list[dict] = []
        self.models = ["LocateAnything-3B"]
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status: int, body: bytes, delay: float = 0.0):
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up (timeout test)
                    pass

            def do_GET(self):
                if self.path == "/v1/models":
                    self.reply(200, json.dumps({"object": "list", "data": [
                        {"id": m, "object": "model"} for m in server.models]}).encode())
                else:
                    self.reply(404, b'{"error": "not found"}')

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path != "/v1/chat/completions":
                    return self.reply(404, b'{"error": "not found"}')
                server.requests.append(body)
                self.reply(*(server.script.pop(0) if server.script else server.default))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def prompts(self) -> list[str]:
        return [r["messages"][0]["content"][1]["text"] for r in self.requests]

    def images(self) -> list[np.ndarray]:
        """The frames sent, decoded back to RGB."""
        out = []
        for r in self.requests:
            url = r["messages"][0]["content"][0]["image_url"]["url"]
            assert url.startswith("data:image/jpeg;base64,")
            jpg = np.frombuffer(base64.b64decode(url.split(",", 1)[1]), np.uint8)
            out.append(cv2.cvtColor(cv2.imdecode(jpg, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB))
        return out


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    s = FakeLocateServer()
    thread = threading.Thread(target=s.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


@pytest.fixture
def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def make_clip(T: int = 3) -> ClipInput:
    """Frame t is a flat colour: red channel 200, green 40 * t (so frames can be told apart)."""
    frames = np.zeros((T, H, W, 3), np.uint8)
    frames[..., 0] = 200
    for t in range(T):
        frames[t, ..., 1] = 40 * t
    return ClipInput("clip0", frames, fps=25.0)


def backend(url: str, **kw) -> LocateAnythingBackend:
    return LocateAnythingBackend(url, ONTOLOGY, **{"timeout_s": 5.0, **kw})


def todo_for(T: int, pairs) -> np.ndarray:
    todo = np.zeros((T, len(CLASSES)), bool)
    for t, c in pairs:
        todo[t, CLASSES.index(c)] = True
    return todo


def stats(**kw) -> dict[str, int]:
    return {**dict.fromkeys(STAT_KEYS, 0), **kw}


# ---- parse_boxes ----

def test_parse_canonical_to_pixels():
    assert parse_boxes("<box><412><530><431><566></box>", 1000, 1000) == [(412, 530, 431, 566)]
    assert parse_boxes(BOX, W, H) == [pytest.approx((64.0, 72.0, 192.0, 144.0))]


def test_parse_several_boxes_and_surrounding_text():
    text = "Found 2: <ref>ball</ref><box><0><0><500><500></box> and\n<box><500><500><1000><1000></box>."
    assert parse_boxes(text, 200, 100) == [(0, 0, 100, 50), (100, 50, 200, 100)]


@pytest.mark.parametrize("text", [
    "<box>100,200,300,400</box>", "<box>(100,200),(300,400)</box>", "<box> <100> <200> <300> <400> </box>",
    "<BOX>[100, 200, 300, 400]</BOX>", "<box><100.0><200.0><300.0><400.0></box>"])
def test_parse_spacing_variants(text):
    assert parse_boxes(text, W, H) == [pytest.approx((64.0, 72.0, 192.0, 144.0))]


def test_parse_clips_to_image_and_drops_degenerate():
    assert parse_boxes("<box><-50><900><1200><1100></box>", 200, 100) == [(0, 90, 200, 100)]
    assert parse_boxes("<box><300><200><300><400></box>", W, H) == []  # zero width
    assert parse_boxes("<box><300><400><100><200></box>", W, H) == []  # inverted
    assert parse_boxes("<box><1100><0><1200><500></box>", W, H) == []  # entirely right of the image
    keep = "<box><300><400><100><200></box><box><0><0><10><10></box>"
    assert parse_boxes(keep, W, H) == [pytest.approx((0, 0, 6.4, 3.6))]


@pytest.mark.parametrize("text", [
    "", "no ball here", "<box><1><2><3></box>", "<box><1><2><3><4><5></box>", "<box>abc</box>",
    "<box><1><2><3><4>", "</box><box>", None, 42])
def test_parse_garbage(text):
    assert parse_boxes(text, W, H) == []


# ---- label against the server ----

def test_label_single_box_request_contents(server):
    clip = make_clip(2)
    b = backend(server.url)
    labels = b.label(clip, CLASSES, todo_for(2, [(1, "ball")]))
    assert len(labels) == 2 and labels[0] == []
    [inst] = labels[1]
    assert inst.cls == "ball" and inst.source == "locate_anything" and inst.score == 0.5
    assert inst.box == pytest.approx((64, 72, 192, 144))
    assert np.array_equal(inst.mask, box_mask((64, 72, 192, 144), (H, W)))
    [req] = server.requests
    assert req["model"] == "LocateAnything-3B"
    assert req["messages"][0]["role"] == "user"
    assert server.prompts() == ["Locate every ball in the image."]
    [img] = server.images()
    assert img.shape == (H, W, 3)  # the RGB frame went out as RGB (BGR inside the JPEG)
    assert np.abs(img.astype(int) - clip.frames[1]).mean() < 3
    assert b.stats == stats(requests=1, ok=1, boxes=1)


def test_label_only_requests_todo_and_ontology(server):
    clip = make_clip(3)
    classes = (*CLASSES, "referee")  # no phrase for the referee: never asked
    todo = np.zeros((3, 4), bool)
    todo[0, 0] = todo[2, 1] = todo[1, 3] = True
    b = backend(server.url)
    labels = b.label(clip, classes, todo)
    assert server.prompts() == ["Locate every ball in the image.", "Locate every person in the image."]
    sent = server.images()
    assert [round(float(img[..., 1].mean()) / 40) for img in sent] == [0, 2]  # frames 0 and 2
    assert [[i.cls for i in f] for f in labels] == [["ball"], [], ["player"]]
    assert b.stats == stats(requests=2, ok=2, boxes=2)


def test_label_stride(server):
    b = backend(server.url, stride=2)
    b.label(make_clip(5), CLASSES, todo_for(5, [(t, "goal") for t in range(5)]))
    assert [round(float(img[..., 1].mean()) / 40) for img in server.images()] == [0, 2, 4]
    assert server.prompts() == ["Locate every goal post in the image."] * 3


def test_label_several_boxes_capped_by_max_boxes(server):
    boxes = "".join(f"<box><{10 * i}><0><{10 * i + 10}><100></box>" for i in range(4))
    server.script = [chat(f"Persons: {boxes}"), chat(boxes)]
    b = backend(server.url, max_boxes=3, score=0.7)
    labels = b.label(make_clip(2), CLASSES, todo_for(2, [(0, "player"), (1, "player")]))
    assert [len(f) for f in labels] == [3, 3]
    assert [i.box for i in labels[0]] == [pytest.approx((6.4 * i, 0, 6.4 * i + 6.4, 36)) for i in range(3)]
    assert all(i.score == 0.7 and i.cls == "player" for f in labels for i in f)
    assert b.stats == stats(requests=2, ok=2, boxes=6)


def test_label_empty_and_malformed_replies(server, caplog):
    server.script = [
        chat("There is no ball in the image."),  # empty
        chat("<box><1><2><3></box>"),  # no parsable box: empty
        (200, b"<html>not json</html>", 0.0),  # malformed
        (200, json.dumps({"object": "chat.completion"}).encode(), 0.0),  # JSON without choices
        (200, json.dumps({"choices": [{"message": {"content": None}}]}).encode(), 0.0),
        chat(BOX)]
    b = backend(server.url)
    with caplog.at_level(logging.WARNING, logger="kicky.teacher.locate"):
        labels = b.label(make_clip(6), CLASSES, todo_for(6, [(t, "ball") for t in range(6)]))
    assert [len(f) for f in labels] == [0, 0, 0, 0, 0, 1]
    assert b.stats == stats(requests=6, ok=1, empty=2, malformed=3, boxes=1)
    assert len(server.requests) == 6  # malformed and empty replies are not retried
    assert "3 malformed" in caplog.text


def test_label_retries_5xx_then_succeeds(server):
    server.script = [(500, b'{"error": "overloaded"}', 0.0), (503, b"busy", 0.0), chat(BOX)]
    b = backend(server.url, retries=2)
    labels = b.label(make_clip(1), CLASSES, todo_for(1, [(0, "ball")]))
    assert len(labels[0]) == 1
    assert len(server.requests) == 3
    assert b.stats == stats(requests=1, ok=1, retried=2, boxes=1)


def test_label_5xx_beyond_retries_and_4xx_not_retried(server, caplog):
    server.script = [(500, b"boom", 0.0)] * 2 + [(400, b'{"error": "model does not exist"}', 0.0)]
    b = backend(server.url, retries=1)
    with caplog.at_level(logging.WARNING, logger="kicky.teacher.locate"):
        labels = b.label(make_clip(2), CLASSES, todo_for(2, [(0, "ball"), (1, "ball")]))
    assert labels == [[], []]
    assert len(server.requests) == 3
    assert b.stats == stats(requests=2, failed=2, retried=1)
    assert "unreachable" in caplog.text and "model does not exist" in caplog.text


def test_label_timeout_then_retry(server):
    server.script = [(200, chat(BOX)[1], 1.0), chat(BOX)]
    b = backend(server.url, timeout_s=0.5, retries=1)
    t0 = time.monotonic()
    labels = b.label(make_clip(1), CLASSES, todo_for(1, [(0, "goal")]))
    assert time.monotonic() - t0 < 1.5
    assert [i.cls for i in labels[0]] == ["goal"]
    assert b.stats == stats(requests=1, ok=1, retried=1, boxes=1)


def test_label_timeout_without_retries_fails_quietly(server):
    server.script = [(200, chat(BOX)[1], 1.0)]
    b = backend(server.url, timeout_s=0.5, retries=0)
    assert b.label(make_clip(1), CLASSES, todo_for(1, [(0, "goal")])) == [[]]
    assert b.stats == stats(requests=1, failed=1)


def test_label_unreachable_server_warns_once(closed_url, caplog):
    b = backend(closed_url, retries=1)
    with caplog.at_level(logging.WARNING, logger="kicky.teacher.locate"):
        labels = b.label(make_clip(2), CLASSES, todo_for(2, [(0, "ball"), (1, "player"), (1, "goal")]))
    assert labels == [[], []]
    assert b.stats == stats(requests=3, failed=3, retried=3)
    [rec] = caplog.records
    assert rec.levelno == logging.WARNING and "unreachable" in rec.message and closed_url in rec.message


def test_label_stats_accumulate_and_nothing_to_do(server):
    b = backend(server.url)
    assert b.label(make_clip(2), CLASSES, np.zeros((2, 3), bool)) == [[], []]
    assert server.requests == [] and b.stats == stats()
    b.label(make_clip(1), CLASSES, todo_for(1, [(0, "ball")]))
    b.label(make_clip(1), CLASSES, todo_for(1, [(0, "ball")]))
    assert b.stats == stats(requests=2, ok=2, boxes=2)


class DiskRefiner:
    """Stands in for SAM3's refine_boxes: a disk inside each box (empty for the second box)."""

    def __init__(self):
        self.calls = []

    def refine_boxes(self, frame, boxes):
        self.calls.append((frame.shape, list(boxes)))
        yy, xx = np.mgrid[:frame.shape[0], :frame.shape[1]]
        x0, y0, x1, y1 = boxes[0]
        disk = (xx - (x0 + x1) / 2) ** 2 + (yy - (y0 + y1) / 2) ** 2 <= 10 ** 2
        return [disk] + [np.zeros(frame.shape[:2], bool)] * (len(boxes) - 1)


def test_label_uses_refiner_masks(server):
    server.script = [chat(BOX + "<box><500><500><600><600></box>")]
    refiner = DiskRefiner()
    b = backend(server.url, refiner=refiner)
    clip = make_clip(1)
    [insts] = b.label(clip, CLASSES, todo_for(1, [(0, "player")]))
    [(shape, boxes)] = refiner.calls
    assert shape == (H, W, 3)
    assert boxes == [pytest.approx((64, 72, 192, 144)), pytest.approx((320, 180, 384, 216))]
    refined, fallback = insts
    yy, xx = np.mgrid[:H, :W]
    assert np.array_equal(refined.mask, (xx - 128) ** 2 + (yy - 108) ** 2 <= 100)
    assert refined.box == (118.0, 98.0, 139.0, 119.0)  # from the disk, not the located box
    assert np.array_equal(fallback.mask, box_mask((320, 180, 384, 216), (H, W)))  # empty refined mask


# ---- check ----

def test_check_ok(server, caplog):
    with caplog.at_level(logging.WARNING, logger="kicky.teacher.locate"):
        backend(server.url + "/v1/").check()
    assert caplog.records == []


def test_check_warns_on_other_model_name(server, caplog):
    server.models = ["/weights/LocateAnything-3B"]
    with caplog.at_level(logging.WARNING, logger="kicky.teacher.locate"):
        backend(server.url).check()
    assert "served-model-name" in caplog.text


def test_check_raises_on_closed_port(closed_url):
    with pytest.raises(KickyError, match="no LocateAnything server at") as e:
        backend(closed_url).check()
    assert closed_url in str(e.value) and "vllm serve" in str(e.value)
    assert "teacher.locate_anything.url=" in str(e.value)
