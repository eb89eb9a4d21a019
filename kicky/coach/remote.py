"""The `openai` backend: any OpenAI-compatible /v1/chat/completions server that takes images and
streams (llama.cpp's llama-server with --mmproj, vLLM, a llama-cpp-python server), through the
`openai` client with a local base_url. Yields the content pieces only: `reasoning_content` (a
reasoning model's thoughts) never reaches the coaching text. Every failure — unreachable, timeout,
an HTTP error, an error event or a cut in the stream, a malformed chunk — is one RemoteError line."""
from __future__ import annotations

from typing import Iterator


class RemoteError(Exception):
    """The server did not give a whole answer: the message says what happened, in one line."""


def stream(messages: list[dict], c: dict) -> Iterator[str]:
    import logging

    import openai
    for name in ("httpx", "httpx2", "httpcore", "openai"):      # their INFO lines would mix into the streamed text
        logging.getLogger(name).setLevel(logging.WARNING)
    url = str(c.get("base_url") or "")
    if not url.startswith(("http://", "https://")):
        raise RemoteError(f"coach.base_url={url!r}: expected http://host:port/v1 of an OpenAI-compatible server")
    client = openai.OpenAI(base_url=url, api_key=str(c["api_key"] or "sk-no-key"),
                           timeout=float(c["timeout"]), max_retries=int(c["retries"]))
    extra = {} if c["thinking"] else {"chat_template_kwargs": {"enable_thinking": False}}
    finished = False
    try:
        chunks = client.chat.completions.create(
            model=str(c["model"]), messages=messages, stream=True,
            temperature=float(c["temperature"]), max_tokens=int(c["max_tokens"]),
            extra_body=extra or None)
        for chunk in chunks:
            for choice in chunk.choices or []:
                piece = getattr(choice.delta, "content", None) if choice.delta else None
                if piece:
                    yield piece
                if choice.finish_reason:
                    finished = True
    except openai.APITimeoutError:
        raise RemoteError(f"the coach server at {url} did not answer within {c.get('timeout')} s") from None
    except openai.APIConnectionError as e:
        cause = e.__cause__ or e
        raise RemoteError(f"the coach server at {url} is unreachable or broke the stream "
                          f"({cause.__class__.__name__}: {cause})") from None
    except openai.APIStatusError as e:
        raise RemoteError(f"the coach server at {url} answered HTTP {e.status_code}: {_short(e.message)}") from None
    except openai.APIError as e:
        raise RemoteError(f"the coach server at {url} sent an error in the stream: {_short(e.message)}") from None
    except ValueError as e:          # a chunk that is not JSON
        raise RemoteError(f"the coach server at {url} sent a malformed stream ({_short(str(e))})") from None
    if not finished:
        raise RemoteError(f"the coach server at {url} ended the stream before the answer was finished")


def _short(text: str, n: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[:n - 3] + "..."
