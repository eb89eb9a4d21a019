"""The coach's settings (the `coach` group): one typed schema per backend, the only source of the
settings' defaults (conf/coach/<backend>.yaml says the same; tests/test_configs.py holds them to it),
overlaid with what the command line sets and checked once when a coaching starts (unknown keys,
wrong kinds, an unknown backend). `knowledge` is the coaching text, content rather than settings: it
lives in conf/coach/rules.yaml alone, and `knowledge_errors` checks its shape (every slot the rule
coach reads is there and is text) before any word is written."""
from __future__ import annotations

from dataclasses import dataclass, field

from kicky.core.config import overlay, schema_defaults
from kicky.errors import KickyError

BACKENDS = ("rules", "openai", "llama_cpp", "none")


@dataclass(frozen=True)
class Tolerance:
    kmh: float = 10.0
    share: float = 0.2


@dataclass(frozen=True)
class RulesCoach:
    """conf/coach/rules.yaml (and the settings every backend shares)."""
    backend: str = "rules"
    frames: list = field(default_factory=lambda: [-2, 0, 2])
    crop_pad: float = 1.0
    image_side: int = 448
    guard: bool = True
    speed_tolerance: Tolerance = field(default_factory=Tolerance)


@dataclass(frozen=True)
class NoneCoach(RulesCoach):
    backend: str = "none"


@dataclass(frozen=True)
class OpenAICoach(RulesCoach):
    backend: str = "openai"
    base_url: str = "http://127.0.0.1:8080/v1"
    api_key: str = "sk-no-key"
    model: str = "local"
    temperature: float = 0.3
    max_tokens: int = 600
    timeout: float = 60.0
    retries: int = 1
    thinking: bool = False


@dataclass(frozen=True)
class LlamaCppCoach(RulesCoach):
    backend: str = "llama_cpp"
    model_path: str = "models/coach/model.gguf"
    mmproj_path: str = "models/coach/mmproj.gguf"
    chat_handler: str = "MiniCPMv26ChatHandler"
    n_ctx: int = 4096
    n_gpu_layers: int = -1
    temperature: float = 0.3
    max_tokens: int = 600


SCHEMAS = {"rules": RulesCoach, "none": NoneCoach, "openai": OpenAICoach, "llama_cpp": LlamaCppCoach}
PAIR = ("fix", "drill")


def _text_errors(node, where: str, keys=PAIR) -> list[str]:
    if node is None:
        return [f"coach.knowledge lacks {where}"]
    if not isinstance(node, dict):
        return [f"coach.knowledge.{where} must be a table of {', '.join(keys)}"]
    return [f"coach.knowledge lacks {where}.{k}" if k not in node else f"coach.knowledge.{where}.{k} must be text"
            for k in keys if not isinstance(node.get(k), str) or not node[k].strip()]


def knowledge_errors(kb) -> list[str]:
    """What is missing or malformed in a knowledge table (conf/coach/rules.yaml's `knowledge`)."""
    from kicky.coach.facts import ANGLE_NAMES
    if not isinstance(kb, dict):
        return ["coach.knowledge must be a table (see conf/coach/rules.yaml)"]
    bad = _text_errors(kb.get("open"), "open", ("goal", "miss"))
    for name in ANGLE_NAMES:
        for side in ("low", "high"):
            bad += _text_errors(((kb.get("angles") or {}).get(name) or {}).get(side), f"angles.{name}.{side}")
    for reason, node in (kb.get("outcome") or {}).items():
        bad += _text_errors(node, f"outcome.{reason}")
    speed = kb.get("speed")
    bad += _text_errors(speed, "speed")
    if isinstance(speed, dict) and (isinstance(speed.get("slow_kmh"), bool)
                                    or not isinstance(speed.get("slow_kmh"), (int, float))):
        bad.append(f"coach.knowledge.speed.slow_kmh must be a number, got {speed.get('slow_kmh')!r}")
    keep = kb.get("keep")
    if not isinstance(keep, list) or not keep:
        bad.append("coach.knowledge.keep must be a list of {fix, drill} (what keeps a good shot good)")
    else:
        for i, node in enumerate(keep):
            bad += _text_errors(node, f"keep[{i}]")
    return bad


def coach_settings(cfg: dict | None) -> dict:
    """The full `coach` group of its backend: the schema's defaults with `cfg` on top, checked, and
    the knowledge table (cfg's, else conf/coach/rules.yaml's) checked for shape."""
    cfg = dict(cfg or {})
    backend = cfg.get("backend", "rules")
    if backend not in SCHEMAS:
        raise KickyError(f"coach.backend={backend!r}: use one of {', '.join(BACKENDS)}")
    kb = cfg.pop("knowledge", None)
    if kb is None:
        from kicky.core.config import load_option
        kb = load_option("coach", "rules")["knowledge"]
    bad = knowledge_errors(kb)
    if bad:
        raise KickyError(bad[0] + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else "") +
                         " (see conf/coach/rules.yaml)")
    return {**overlay(schema_defaults(SCHEMAS[backend]), cfg, "coach", {"backend": (backend,)}), "knowledge": kb}
