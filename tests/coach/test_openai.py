"""The openai backend against a real HTTP server on 127.0.0.1 that streams like llama-server: the
exact text assembled (reasoning kept out), the request (facts, strike frames, settings), the guard
on a server that contradicts on purpose, and the rule-based fallback on every failure."""
import base64
import subprocess
import sys
import json

import cv2
import numpy as np
import pytest

from kicky.coach import markdown, rules, stream
from kicky.coach.facts import Facts
from tests.helpers import angle, report
from tests.coach.server import Server, chunk, normal

ANSWER = ["**Verdict:** Great", " strike, a goal", "!\n**Fix:** Bend your", " standing knee.\n",
          "**Fix:** Lean over the ball.\n**Drill:** 3 x 10", " wall passes."]


def conf_for(openai_conf, url, **kw):
    return {**openai_conf, "base_url": url, "timeout": 2.0, "retries": 0, **kw}


def test_streamed_text_request_and_reasoning(openai_conf, frames):
    rep = report(goal=True, foot="right", speed=88.0, angles={"knee": angle("knee", "low"), "hip": angle("hip", "ok")})
    with Server() as s:
        s.events = normal(ANSWER, reasoning=["The user wants", " coaching."])
        c = stream(rep, frames, conf_for(openai_conf, s.url, model="nemotron-nano-vl"))
        pieces = list(c)
    assert "".join(pieces) == "".join(ANSWER) == c.text
    assert len(pieces) > 2                                     # streamed, not one block at the end
    assert c.meta["spoke"] == "openai" and c.meta["fallback"] is None and c.meta["contradictions"] == 0
    req = s.requests[0]
    assert req["path"] == "/v1/chat/completions"
    body = req["json"]
    assert body["stream"] is True and body["model"] == "nemotron-nano-vl" and body["max_tokens"] == 600
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    user = body["messages"][1]["content"]
    text = user[0]["text"]
    for fact in ("Result: GOAL.", "Kicking foot: right.", "Shot speed: 88 km/h.", "Support knee at contact: 105 degrees",
                 "FLAGGED", "(good 120-170)", "celebrating the goal"):
        assert fact in text, fact
    images = [u["image_url"]["url"] for u in user[1:]]
    assert len(images) == 3 == c.meta["images"]                 # kick - 2, kick, kick + 2
    img = cv2.imdecode(np.frombuffer(base64.b64decode(images[1].split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR)
    assert max(img.shape[:2]) == 448
    # the shooter's crop (P1's box 40-60 x 20-70 grown by one box height: x 0-125, y 0-120) of frame 10
    crop = cv2.resize(np.ascontiguousarray(frames[10][0:120, 0:125, ::-1]), (img.shape[1], img.shape[0]))
    assert np.abs(img.astype(int) - crop.astype(int)).mean() < 3
    assert img.shape[:2] == (430, 448)


def test_a_server_that_contradicts_is_cut(openai_conf):
    rep = report(goal=False, foot="left", speed=60.0)
    with Server() as s:
        s.events = normal(["**Verdict:** What a", " goal, top corner!", " You used your right foot.",
                           " It flew at 95 km/h.", " Keep practising."])
        c = stream(rep, None, conf_for(openai_conf, s.url))
        text = "".join(c)
    assert c.meta["contradictions"] == 3 and [x["kind"] for x in c.meta["cuts"]] == ["goal", "foot", "speed"]
    assert text == ("**Verdict:** The measured result: no goal (over or wide). The measured kicking foot: left. "
                    "The measured shot speed: 60 km/h. Keep practising.")
    assert "grounding guard cut (goal)" in markdown(c)


def fallback_text(rep, conf):
    return rules.text(Facts.from_report(rep), conf["knowledge"])


@pytest.mark.parametrize("case,why", [
    ("cut", "unreachable or broke the stream"),
    ("error", "sent an error in the stream: context window exceeded"),
    ("no_done", "ended the stream before the answer was finished"),
    ("http500", "answered HTTP 500"),
    ("slow", "did not answer within 1.0 s"),
    ("malformed", "malformed stream"),
])
def test_failures_fall_back_to_the_rule_coach(openai_conf, case, why):
    rep = report(goal=True, foot="right", speed=70.0)
    with Server() as s:
        first = [chunk({"role": "assistant"}), chunk({"content": "**Verdict:** Nice strike."})]
        s.events = {"cut": first + [chunk({"content": " And then"}), "CUT"],
                    "error": first + [{"error": {"code": 500, "message": "context window exceeded"}}],
                    "no_done": first,
                    "http500": [], "slow": normal(["late"]), "malformed": first + ["{not json"]}[case]
        s.status = 500 if case == "http500" else 200
        s.delay = 3.0 if case == "slow" else 0.0
        c = stream(rep, None, conf_for(openai_conf, s.url, timeout=1.0))
        text = "".join(c)
    assert c.meta["spoke"] == "rules" and why in c.meta["fallback"]
    marker = f"*(rule-based coach: {c.meta['fallback']})*\n\n"
    partial = "" if case in ("http500", "slow") else "**Verdict:** Nice strike." + (" And then" if case == "cut" else "")
    assert text == partial + ("\n\n" if partial else "") + marker + fallback_text(rep, openai_conf)


def test_server_down_and_no_shot(openai_conf):
    with Server() as s:
        url = s.url
    rep = report(goal=False)
    c = stream(rep, None, conf_for(openai_conf, url))            # nothing listens there any more
    text = "".join(c)
    assert "unreachable" in c.meta["fallback"] and text.endswith(fallback_text(rep, openai_conf))
    with Server() as s:
        c = stream(report(shot=False), None, conf_for(openai_conf, s.url))
        text = "".join(c)
        assert s.requests == []                                   # no shot: no model call
    assert text.startswith("No shot found") and c.meta["spoke"] == "none (no shot found)"


def test_cli_streams_from_the_server_and_writes_coach_md(openai_conf, tmp_path):
    rep = report(goal=True, foot="right", speed=88.0)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(rep))
    with Server() as s:
        s.events = normal(ANSWER)
        r = subprocess.run([sys.executable, "-m", "kicky.coach", f"report={path}", "coach=openai",
                            f"coach.base_url={s.url}", f"out={tmp_path / 'coach.md'}"],
                           capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "".join(ANSWER) + "\n"
    assert "no clip at None" in r.stderr and "Traceback" not in r.stderr
    md = (tmp_path / "coach.md").read_text()
    assert md.startswith("".join(ANSWER)) and "- coach: openai" in md
    r = subprocess.run([sys.executable, "-m", "kicky.coach", f"report={path}"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and r.stdout.startswith("**Verdict:** Great strike, that is a goal!")
    for bad, want in (([f"report={tmp_path / 'none.json'}"], "no report at"),
                      ([f"report={path}", "coach=gpt"], "coach"),
                      ([f"report={tmp_path}/x", "coach=openai", "coach.base_url=localhost:1"], "no report")):
        r = subprocess.run([sys.executable, "-m", "kicky.coach", *bad], capture_output=True, text=True, timeout=120)
        assert r.returncode != 0 and "Traceback" not in r.stderr and want in r.stderr, r.stderr


def test_llama_cpp_without_the_package_or_weights_is_one_line(tmp_path):
    from kicky.coach import default_conf
    from kicky.errors import KickyError
    conf = {**default_conf("llama_cpp"), "model_path": str(tmp_path / "none.gguf")}
    try:
        import llama_cpp  # noqa: F401
        want = "coach.model_path="
    except ImportError:
        want = "needs llama-cpp-python"
    with pytest.raises(KickyError, match=want):
        list(stream(report(), None, conf))
    # no shot: no model needed at all
    assert "".join(stream(report(shot=False), None, conf)).startswith("No shot found")
