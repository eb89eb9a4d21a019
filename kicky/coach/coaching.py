"""One coaching of one report: an iterator of text pieces (streamed as they arrive) that records,
once exhausted, which backend spoke, whether it fell back to the rule-based coach and why, and what
the grounding guard cut. No shot found -> a short honest message, no model call."""
from __future__ import annotations

import re
from typing import Callable, Iterator

import numpy as np

from kicky.coach import local, remote, rules
from kicky.coach.config import BACKENDS, coach_settings
from kicky.coach.facts import Facts, strike_frames
from kicky.coach.guard import Guard
from kicky.coach.prompt import messages
from kicky.errors import KickyError


def default_conf(backend: str = "rules") -> dict:
    """The package's conf/coach/<backend>.yaml with its defaults (the Python API's and the web app's;
    Hydra entry points get it from Hydra)."""
    from kicky.core.config import load_option
    if backend not in BACKENDS:
        raise KickyError(f"coach={backend!r}: use one of {', '.join(BACKENDS)}")
    return load_option("coach", backend)


class Coaching:
    def __init__(self, report: dict, frame_at: Callable[[int], np.ndarray] | None = None, conf: dict | None = None):
        self.conf = coach_settings(conf if conf is not None else default_conf())   # checked once, here
        self.report, self.frame_at = report, frame_at
        self.facts = Facts.from_report(report)
        self.spoke: str | None = None        # the backend whose text this is
        self.fallback: str | None = None     # why the rule-based coach spoke instead
        self.images = 0
        self.guard = Guard(self.facts, **_tolerance(self.conf))
        self.text = ""

    @property
    def meta(self) -> dict:
        return {"backend": self.conf["backend"], "spoke": self.spoke, "fallback": self.fallback,
                "images": self.images, "contradictions": len(self.guard.cuts), "cuts": list(self.guard.cuts)}

    def __iter__(self) -> Iterator[str]:
        for piece in self._pieces():
            self.text += piece
            yield piece

    def _pieces(self) -> Iterator[str]:
        kb = self.conf["knowledge"]
        if not self.facts.shot_found:
            self.spoke = "none (no shot found)"
            yield rules.no_shot(self.facts)
            return
        if self.conf["backend"] == "none":
            self.spoke = "none"
            return
        if self.conf["backend"] == "rules":
            self.spoke = "rules"
            yield from self._guarded(_words(rules.text(self.facts, kb)))
            return
        model = local if self.conf["backend"] == "llama_cpp" else remote
        if model is local:
            local.check(self.conf)            # a missing package or weights file: one line, before anything
        images = strike_frames(self.report, self.frame_at, tuple(self.conf["frames"] or (0,)),
                               float(self.conf["crop_pad"]), int(self.conf["image_side"]))
        self.images = len(images)
        try:
            self.spoke = self.conf["backend"]
            yield from self._guarded(model.stream(messages(self.facts, images), self.conf))
        except remote.RemoteError as e:
            tail = self.guard.close()
            if tail:
                yield tail
            self.spoke, self.fallback = "rules", str(e)
            yield ("\n\n" if self.text or tail else "") + f"*(rule-based coach: {e})*\n\n"
            yield from self._guarded(_words(rules.text(self.facts, kb)))

    def _guarded(self, pieces) -> Iterator[str]:
        if not self.conf["guard"]:
            yield from pieces
            return
        for p in pieces:
            out = self.guard.feed(p)
            if out:
                yield out
        out = self.guard.close()
        if out:
            yield out


def stream(report: dict, frames=None, conf: dict | None = None) -> Coaching:
    """The Python API (the web app's): `for piece in stream(report, frames): ...`; `frames` is an
    RGB frame array or a callable t -> frame (None: no strike frames for a VLM)."""
    frame_at = frames if callable(frames) or frames is None else (lambda t: frames[t])
    return Coaching(report, frame_at, conf)


def _tolerance(conf: dict) -> dict:
    tol = conf["speed_tolerance"]
    return {"tolerance_kmh": float(tol["kmh"]), "tolerance_share": float(tol["share"])}


def _words(text: str) -> Iterator[str]:
    """A fixed text as a stream of words (the rule coach streams like a model does)."""
    yield from re.findall(r"\S+\s*|\s+", text)


def markdown(c: Coaching) -> str:
    """coach.md: the text as streamed, then what spoke and what the guard cut."""
    notes = [f"coach: {c.spoke}" + (f" (fallback: {c.fallback})" if c.fallback else "")]
    if c.images:
        notes.append(f"{c.images} strike frame(s) sent")
    for cut in c.guard.cuts:
        notes.append(f"grounding guard cut ({cut['kind']}): \"{cut['said']}\" -> \"{cut['fact']}\"")
    return c.text.rstrip() + "\n\n---\n" + "".join(f"- {n}\n" for n in notes)


def beside(doc: dict, conf: dict | None, out: Path) -> dict | None:
    """coach.md beside an infer output (the rule-based coach unless coach=openai), written atomically
    after the report; its metadata, or None with coach=none. A failing VLM server falls back to the
    rule-based text (one line says so)."""
    import sys

    from kicky.io.atomic import write_text
    if not conf or conf.get("backend") == "none":
        return None
    frames = None
    if conf.get("backend") in ("openai", "llama_cpp"):
        from kicky.coach.run import frame_source
        frames = frame_source(doc.get("clip"))
    c = stream(doc, frames, conf)
    for _ in c:
        pass
    if c.fallback:
        print(f"kicky: coach: {c.fallback}: the rule-based coach's text instead", file=sys.stderr)
    write_text(out / "coach.md", markdown(c))
    print(f"kicky: coach ({c.spoke}) -> {out / 'coach.md'}")
    return c.meta
