"""The grounding guard: streamed coaching text is checked sentence by sentence against the facts as
it arrives. A sentence that contradicts one (goal vs no goal, left vs right foot, a speed far from
the measured one, a speed or foot stated where none was measured) is cut and replaced by the
measured fact; every cut is recorded."""
from __future__ import annotations

import re

from kicky.coach.facts import Facts

_END = re.compile(r"[.!?](?=\s)|\n")
_HEAD = re.compile(r"^(\s*(?:\*\*[^*\n]{1,40}\*\*:?|#{1,6} [^\n]*\n|[-*] )\s*)")
_SAYS_GOAL = re.compile(r"\b(you scored|scored|great goal|what a goal|nice goal|(it|that)'?s a goal|(it|that) was a goal|"
                        r"it went in|found the net|in the back of the net|into the net)\b", re.I)
_SAYS_MISS = re.compile(r"\b(no goal|not a goal|(wasn'?t|isn'?t|was not|is not) a goal|didn'?t score|did not score|"
                        r"failed to score|you missed|missed the (goal|target|net)|was saved|got saved|off target)\b", re.I)
_FOOT = re.compile(r"\b(?:with|using|used|off) (?:your|the|his|her) (left|right)\b|\b(left|right)[- ]footed\b|"
                   r"\b(left|right)[- ]foot (?:strike|shot|kick|finish)\b", re.I)
_SPEED = re.compile(r"(\d+(?:\.\d+)?)\s*(km/?h|kph|kmph|mph|miles per hour|kilometres per hour|kilometers per hour)", re.I)


def _kmh(value: str, unit: str) -> float:
    v = float(value)
    return v * 1.609344 if unit.lower().startswith("m") else v


class Guard:
    def __init__(self, facts: Facts, tolerance_kmh: float = 10.0, tolerance_share: float = 0.2):
        self.facts, self.tol = facts, (tolerance_kmh, tolerance_share)
        self.buf = ""
        self.cuts: list[dict] = []

    def check(self, sentence: str) -> tuple[str, str] | None:
        """(kind, the measured fact) when the sentence contradicts the facts, else None."""
        f = self.facts
        if f.goal and _SAYS_MISS.search(sentence):
            return "goal", f"The measured result: {f.result}."
        if not f.goal and _SAYS_GOAL.search(sentence) and not _SAYS_MISS.search(sentence):
            return "goal", f"The measured result: {f.result}."
        for m in _FOOT.finditer(sentence):
            side = (m.group(1) or m.group(2) or m.group(3)).lower()
            if f.foot != side:
                return "foot", f"The measured kicking foot: {f.foot}." if f.foot else "The kicking foot was not measured."
        for m in _SPEED.finditer(sentence):
            said = _kmh(m.group(1), m.group(2))
            if f.speed_kmh is None:
                return "speed", f"Shot speed: {f.speed}."
            if abs(said - f.speed_kmh) > max(self.tol[0], self.tol[1] * f.speed_kmh):
                return "speed", f"The measured shot speed: {f.speed_kmh:.0f} km/h."
        return None

    def _pass(self, sentence: str) -> str:
        hit = self.check(sentence)
        if hit is None:
            return sentence
        head = _HEAD.match(sentence)
        lead = head.group(1) if head else sentence[:len(sentence) - len(sentence.lstrip())]
        tail = sentence[len(sentence.rstrip()):]
        self.cuts.append({"kind": hit[0], "said": sentence.strip(), "fact": hit[1]})
        return lead + hit[1] + tail

    def feed(self, piece: str) -> str:
        """The checked text that can be let through now (whole sentences); the rest waits."""
        self.buf += piece
        out, start = [], 0
        for m in _END.finditer(self.buf):
            end = m.end()
            while end < len(self.buf) and self.buf[end] in " \t":
                end += 1
            out.append(self._pass(self.buf[start:end]))
            start = end
        self.buf = self.buf[start:]
        return "".join(out)

    def close(self) -> str:
        rest, self.buf = self.buf, ""
        return self._pass(rest) if rest.strip() else rest
