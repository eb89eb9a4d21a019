"""The optional in-process backend (`coach=llama_cpp`): a local GGUF model and its multimodal
projector through llama-cpp-python (not a default dependency: it compiles llama.cpp). A missing
package or file is one clear line before anything runs; a failure while generating is a RemoteError
(the rule-based coach's text is given instead)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from kicky.coach.remote import RemoteError
from kicky.errors import KickyError

_MODELS: dict = {}


def check(c: dict) -> None:
    """Stop with one line when llama-cpp-python or a model file is not there."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        raise KickyError("coach=llama_cpp needs llama-cpp-python: pip install llama-cpp-python (it compiles "
                         "llama.cpp, a few minutes), or serve the model with llama-server and use coach=openai") from None
    for key in ("model_path", "mmproj_path"):
        p = c.get(key)
        if not p or not Path(p).is_file():
            raise KickyError(f"coach.{key}={p!r}: no such file: put the GGUF {'model' if key == 'model_path' else 'projector (mmproj)'} "
                             f"there (e.g. MiniCPM-V's *.gguf and mmproj-*.gguf) or set coach.{key}=<path>")


def _model(c: dict):
    key = (c["model_path"], c["mmproj_path"], c["chat_handler"], int(c["n_ctx"]))
    if key not in _MODELS:
        from llama_cpp import Llama, llama_chat_format
        handler_cls = getattr(llama_chat_format, str(c["chat_handler"]), None)
        if handler_cls is None:
            raise KickyError(f"coach.chat_handler={c.get('chat_handler')!r} is not in llama_cpp.llama_chat_format "
                             f"(e.g. MiniCPMv26ChatHandler, MTMDChatHandler)")
        _MODELS[key] = Llama(model_path=c["model_path"], chat_handler=handler_cls(clip_model_path=c["mmproj_path"]),
                             n_ctx=key[3], n_gpu_layers=int(c["n_gpu_layers"]), verbose=False)
    return _MODELS[key]


def stream(messages: list[dict], c: dict) -> Iterator[str]:
    check(c)
    try:
        for chunk in _model(c).create_chat_completion(messages=messages, stream=True,
                                                      temperature=float(c["temperature"]),
                                                      max_tokens=int(c["max_tokens"])):
            piece = (chunk.get("choices") or [{}])[0].get("delta", {}).get("content")
            if piece:
                yield piece
    except (RuntimeError, ValueError, OSError) as e:
        raise RemoteError(f"the local model {c['model_path']} failed: {e.__class__.__name__}: {e}") from None
