"""The rule-based coach (the default: no weights): the same four sections a VLM is asked for,
written from the facts and a small table of coaching knowledge in config (conf/coach/rules.yaml):
the worst flagged angle is the first fix, the next flag (or what the outcome says) the second, and
the drill trains the first fix."""
from __future__ import annotations

from kicky.coach.facts import ANGLE_NAMES, Facts, Flag
from kicky.errors import KickyError


def _need(table: dict, *keys: str):
    node = table
    for k in keys:
        if not isinstance(node, dict) or k not in node:
            raise KickyError(f"coach.knowledge lacks {'.'.join(keys)} (see conf/coach/rules.yaml)")
        node = node[k]
    return node


def _flag_fix(f: Flag, kb: dict) -> tuple[str, str]:
    tip = _need(kb, "angles", f.name, f.side)
    lo, hi = f.good
    said = (f"Your {ANGLE_NAMES.get(f.name, f.name)} was {f.value:.0f} degrees, "
            f"{'below' if f.side == 'low' else 'above'} the good {lo:.0f}-{hi:.0f}. ")
    return said + tip["fix"], tip["drill"]


def _outcome_fix(facts: Facts, kb: dict) -> tuple[str, str] | None:
    if facts.goal:
        return None
    tip = (_need(kb, "outcome") or {}).get(facts.reason_key)
    return (tip["fix"], tip["drill"]) if tip else None


def _speed_fix(facts: Facts, kb: dict) -> tuple[str, str] | None:
    slow = float(_need(kb, "speed", "slow_kmh"))
    if facts.speed_kmh is None or facts.speed_kmh >= slow:
        return None
    tip = _need(kb, "speed")
    return f"At {facts.speed_kmh:.0f} km/h there is pace to add. " + tip["fix"], tip["drill"]


def sections(facts: Facts, kb: dict) -> list[tuple[str, str]]:
    """[(title, text)] x 4: Verdict, Fix, Fix, Drill."""
    if not facts.shot_found:
        raise KickyError("no shot: nothing to coach")
    opener = _need(kb, "open", "goal" if facts.goal else "miss")
    verdict = opener if facts.goal else f"{opener} No goal this time: {facts.reason or 'it did not go in'}."
    how = ([f"with your {facts.foot} foot"] if facts.foot else []) + \
          ([f"at {facts.speed_kmh:.0f} km/h"] if facts.speed_kmh is not None else [])
    if how:
        verdict += f" You struck it {' '.join(how)}."
    good = [ANGLE_NAMES.get(k, k) for k, a in facts.angles.items() if a.get("ok")]
    if good:
        verdict += f" Good: your {' and '.join(good)} {'was' if len(good) == 1 else 'were'} in range."
    fixes = [_flag_fix(f, kb) for f in facts.flags[:2]]
    for extra in (_outcome_fix(facts, kb), _speed_fix(facts, kb)):
        if extra and len(fixes) < 2:
            fixes.append(extra)
    keep = [t for t in _need(kb, "keep") if facts.angles or not t.get("needs_pose")]   # never praise the unmeasured
    for tip in keep:
        if len(fixes) >= 2:
            break
        fixes.append((tip["fix"], tip["drill"]))
    if len(fixes) < 2:
        raise KickyError("coach.knowledge.keep needs at least two tips that do not need a pose (see conf/coach/rules.yaml)")
    return [("Verdict", verdict), ("Fix", fixes[0][0]), ("Fix", fixes[1][0]), ("Drill", fixes[0][1])]


def no_shot(facts: Facts) -> str:
    return (f"No shot found in this clip ({facts.message}), so there is nothing to coach. Film the whole "
            f"strike from the side or behind: the ball at the shooter's feet, the kick and the goal in view.\n")


def text(facts: Facts, kb: dict) -> str:
    """The whole rule-based coaching text, markdown."""
    if not facts.shot_found:
        return no_shot(facts)
    return "".join(f"**{title}:** {body}\n\n" for title, body in sections(facts, kb)).rstrip() + "\n"
