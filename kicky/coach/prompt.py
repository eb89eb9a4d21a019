"""The grounded message for a vision-language model: the measured facts stated as settled, the
flagged angles with their good ranges, the strike frames, and the rules of the answer."""
from __future__ import annotations

from kicky.coach.facts import ANGLE_NAMES, Facts

SYSTEM = (
    "You are a friendly football (soccer) shooting coach for amateur players. You are given facts "
    "measured from a video of one shot and a few frames around the strike. The facts are settled: "
    "never contradict them (goal or no goal, kicking foot, speed), even if the frames look otherwise, "
    "and say nothing about anything that was not measured. Write in plain words a Sunday player "
    "understands, short sentences, no more than 180 words.")


def instructions(facts: Facts) -> str:
    opener = "Open by celebrating the goal." if facts.goal else "Open by encouraging the player after the miss."
    flagged = [f"{ANGLE_NAMES.get(f.name, f.name)} {f.value:.0f} degrees (good {f.good[0]:.0f}-{f.good[1]:.0f}, "
               f"too {'small' if f.side == 'low' else 'large'})" for f in facts.flags]
    focus = (f"Base the fixes on the flagged angles first: {'; '.join(flagged)}." if flagged
             else "No body angle was flagged; base the fixes on the result and what the frames show.")
    return (f"{opener} Then write exactly four sections, each starting on its own line with its title in bold: "
            f"**Verdict:** (the result and what went well), **Fix:** (the most important change), **Fix:** "
            f"(the second change), **Drill:** (one drill that trains the first fix, with sets and reps). {focus}")


def messages(facts: Facts, images: list[str]) -> list[dict]:
    """OpenAI chat messages: the system rules, then the facts, the instructions and the images."""
    text = "Measured facts (settled):\n" + "\n".join(f"- {line}" for line in facts.lines()) + "\n\n" + instructions(facts)
    content: list[dict] = [{"type": "text", "text": text}]
    content += [{"type": "image_url", "image_url": {"url": url}} for url in images]
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": content}]
