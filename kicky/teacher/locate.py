"""LocateAnything teacher backend: a grounding VLM (LocateAnything-3B) served by vLLM or llama.cpp
behind an OpenAI-compatible chat endpoint turns each asked-for (frame, class) into boxes.

One request per (frame, class): the frame as a base64 JPEG data URL plus a prompt naming the class's
phrase. The reply holds boxes as `<box><x1><y1><x2><y2></box>` in 0-1000 normalised coordinates.
Boxes become filled-box masks, or tighter masks when a `refiner` (the SAM3 backend) is given.
Server trouble (timeouts, refused connections, 5xx, bad JSON, replies without a box) is retried
where that can help, logged and counted in `self.stats`, never raised: the teacher chain goes on.
"""
from __future__ import annotations

import base64
import http.client
import json
import logging
import re
import time
import urllib.error
import urllib.request
from typing import Protocol

import cv2
import numpy as np

from kicky.core.clips import ClipInput
from kicky.core.instances import Instance, Labels, box_mask
from kicky.errors import KickyError

log = logging.getLogger("kicky.teacher.locate")

Box = tuple[float, float, float, float]
STAT_KEYS = ("requests", "ok", "empty", "malformed", "failed", "retried", "boxes")
_BOX = re.compile(r"<box>(.*?)</box>", re.S | re.I)
_NUM = re.compile(r"-?\d+(?:\.\d+)?")


class Refiner(Protocol):
    """Turns boxes on an RGB frame into one bool HxW mask per box (the SAM3 backend has this)."""

    def refine_boxes(self, frame: np.ndarray, boxes: list[Box]) -> list[np.ndarray]: ...


def parse_boxes(text: str, width: int, height: int) -> list[Box]:
    """Boxes of a model reply, 0-1000 normalised -> pixel x0, y0, x1, y1 clipped to the image.
    A box needs exactly four numbers (`<box><1><2><3><4></box>`, `<box>1,2,3,4</box>` and
    `<box>(1,2),(3,4)</box>` all read); boxes with no area after clipping are dropped."""
    if not isinstance(text, str):
        return []
    out = []
    for inner in _BOX.findall(text):
        nums = [float(v) for v in _NUM.findall(inner)]
        if len(nums) != 4:
            continue
        x0, y0, x1, y1 = (min(max(v, 0.0), 1000.0) / 1000.0 * size
                          for v, size in zip(nums, (width, height, width, height)))
        if x1 > x0 and y1 > y0:
            out.append((x0, y0, x1, y1))
    return out


def _snippet(raw: bytes | str, n: int = 200) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return text[:n].replace("\n", " ")


class LocateAnythingBackend:
    """Teacher backend asking a LocateAnything server for every (frame, class) in `todo`.
    `ontology` maps project class -> phrase put in `prompt_template`; classes without one are skipped."""
    name = "locate_anything"

    def __init__(self, url: str, ontology: dict[str, str], model: str = "LocateAnything-3B",
                 timeout_s: float = 30.0, retries: int = 2, stride: int = 1,
                 prompt_template: str = "Locate every {phrase} in the image.", max_boxes: int = 5,
                 score: float = 0.5, jpeg_quality: int = 90, refiner: Refiner | None = None):
        self.url = url.rstrip("/").removesuffix("/v1")
        self.ontology = dict(ontology)
        self.model, self.timeout_s, self.retries = model, float(timeout_s), max(0, int(retries))
        self.stride, self.prompt_template = max(1, int(stride)), prompt_template
        self.max_boxes, self.score, self.jpeg_quality = int(max_boxes), float(score), int(jpeg_quality)
        self.refiner = refiner
        self.stats: dict[str, int] = dict.fromkeys(STAT_KEYS, 0)

    def check(self) -> None:
        """Raise KickyError unless an OpenAI-compatible server answers `GET {url}/v1/models`."""
        try:
            with urllib.request.urlopen(f"{self.url}/v1/models", timeout=self.timeout_s) as resp:
                ids = [m.get("id") for m in json.loads(resp.read()).get("data", [])]
        except (OSError, http.client.HTTPException, ValueError, AttributeError, TypeError) as e:
            raise KickyError(
                f"no LocateAnything server at {self.url} ({type(e).__name__}: {getattr(e, 'reason', e)}): "
                f"start one with `vllm serve <weights dir> --served-model-name {self.model}` or llama.cpp's "
                f"server (`llama-server -m <gguf> --mmproj <mmproj gguf>`), "
                f"or set teacher.locate_anything.url=...") from e
        if ids and self.model not in ids:
            log.warning("server at %s serves %s, not %r: vLLM will refuse the requests; set "
                        "teacher.locate_anything.model or serve with --served-model-name %s",
                        self.url, ids, self.model, self.model)

    def label(self, clip: ClipInput, classes: tuple[str, ...], todo: np.ndarray) -> Labels:
        todo = np.asarray(todo, bool)
        labels: Labels = [[] for _ in range(len(clip))]
        before, last_error = dict(self.stats), ""
        for t in [t for t in range(len(clip)) if todo[t].any()][::self.stride]:
            image = ""
            for c, cls in enumerate(classes):
                phrase = self.ontology.get(cls)
                if not (todo[t, c] and phrase):
                    continue
                image = image or self._data_url(clip.frames[t])
                outcome, reply = self._ask(image, phrase)
                self.stats["requests"] += 1
                boxes = parse_boxes(reply, clip.shape[1], clip.shape[0]) if outcome == "ok" else []
                if outcome == "ok" and not boxes:
                    outcome = "empty"
                self.stats[outcome] += 1
                if outcome != "ok":
                    log.debug("%s frame %d %s: %s (%s)", clip.clip_id, t, cls, outcome, _snippet(reply))
                    last_error = reply if outcome in ("failed", "malformed") else last_error
                    continue
                boxes = boxes[:self.max_boxes]
                self.stats["boxes"] += len(boxes)
                labels[t] += self._instances(clip.frames[t], cls, boxes)
        d = {k: self.stats[k] - before[k] for k in STAT_KEYS}
        if d["requests"] and d["failed"] == d["requests"]:
            log.warning("LocateAnything server at %s is unreachable or refusing requests: all %d "
                        "requests for clip %s failed (last: %s); check it with `curl %s/v1/models`",
                        self.url, d["requests"], clip.clip_id, last_error, self.url)
        elif d["failed"] or d["malformed"]:
            log.warning("clip %s: %d of %d LocateAnything requests failed, %d malformed (last: %s)",
                        clip.clip_id, d["failed"], d["requests"], d["malformed"], _snippet(last_error))
        return labels

    def _data_url(self, frame: np.ndarray) -> str:
        ok, jpg = cv2.imencode(".jpg", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR),
                               [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            raise KickyError(f"could not JPEG-encode a frame of shape {frame.shape}")
        return "data:image/jpeg;base64," + base64.b64encode(jpg.tobytes()).decode("ascii")

    def _ask(self, image: str, phrase: str) -> tuple[str, str]:
        """One chat request, retried on transport errors, 429 and 5xx -> (outcome, reply text or
        error), outcome one of "ok", "malformed", "failed"."""
        body = {"model": self.model, "temperature": 0.0, "max_tokens": 64 + 32 * self.max_boxes,
                "messages": [{"role": "user", "content": [
                    {"type": "image_url", "image_url": {"url": image}},
                    {"type": "text", "text": self.prompt_template.format(phrase=phrase)}]}]}
        req = urllib.request.Request(f"{self.url}/v1/chat/completions", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        why = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.stats["retried"] += 1
                time.sleep(0.1 * attempt)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                    raw = resp.read()
            except urllib.error.HTTPError as e:
                why = f"HTTP {e.code} {e.reason}"
                try:
                    why += f": {_snippet(e.read())}"
                except (OSError, http.client.HTTPException):
                    pass
                if e.code < 500 and e.code != 429:
                    return "failed", why
                continue
            except (OSError, http.client.HTTPException) as e:
                why = f"{type(e).__name__}: {getattr(e, 'reason', e)}"
                continue
            try:
                content = json.loads(raw)["choices"][0]["message"]["content"]
            except (ValueError, KeyError, IndexError, TypeError):
                return "malformed", _snippet(raw)
            return ("ok", content) if isinstance(content, str) else ("malformed", _snippet(raw))
        return "failed", why

    def _instances(self, frame: np.ndarray, cls: str, boxes: list[Box]) -> list[Instance]:
        shape = frame.shape[:2]
        masks = self.refiner.refine_boxes(frame, boxes) if self.refiner is not None else [None] * len(boxes)
        out = []
        for box, mask in zip(boxes, masks, strict=True):
            if mask is not None and np.asarray(mask).any():  # box derived from the refined mask
                out.append(Instance(cls, mask, self.score, self.name))
            else:
                out.append(Instance(cls, box_mask(box, shape), self.score, self.name, box))
        return out
