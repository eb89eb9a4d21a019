"""A loopback server that streams like llama.cpp's llama-server (/v1/chat/completions, SSE over a
chunked response): a role delta, content pieces, optional reasoning_content pieces, keep-alive lines,
a finish chunk, a usage chunk with no choices, then `data: [DONE]`. A scenario can also cut the
stream, send an error event, answer HTTP 500 or wait before the first byte. Requests are recorded."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def chunk(delta: dict | None = None, finish: str | None = None, usage: bool = False) -> dict:
    if usage:
        return {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "local", "choices": [],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}
    return {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "local",
            "choices": [{"index": 0, "delta": delta or {}, "finish_reason": finish}]}


def normal(pieces: list[str], reasoning: list[str] = ()) -> list:
    """The events of a whole answer: what llama-server sends."""
    ev = [":keep-alive", chunk({"role": "assistant", "content": None})]
    ev += [chunk({"reasoning_content": r}) for r in reasoning]
    for i, p in enumerate(pieces):
        ev.append(chunk({"content": p}))
        if i == 0:
            ev.append(":keep-alive")
    return ev + [chunk({}, finish="stop"), chunk(usage=True), "[DONE]"]


class Server:
    """`with Server() as s:` -> s.url (http://127.0.0.1:<port>/v1); set s.events (a list of dict
    chunks, ':comment' lines, '[DONE]', or the actions 'CUT' / ('SLEEP', s)) or s.status."""

    def __init__(self):
        self.events: list = normal(["Hello."])
        self.status = 200
        self.delay = 0.0            # seconds before the response headers
        self.requests: list[dict] = []
        srv = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _write(self, data: bytes):
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                srv.requests.append({"path": self.path, "json": json.loads(body or b"{}"),
                                     "headers": dict(self.headers)})
                time.sleep(srv.delay)
                if srv.status != 200:
                    data = json.dumps({"error": {"code": srv.status, "message": "model failed to load",
                                                 "type": "server_error"}}).encode()
                    self.send_response(srv.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for ev in srv.events:
                    if ev == "CUT":                   # the connection drops mid-stream
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    if isinstance(ev, tuple) and ev[0] == "SLEEP":
                        time.sleep(ev[1])
                        continue
                    if isinstance(ev, str) and ev.startswith(":"):
                        self._write(f"{ev}\n\n".encode())
                    elif ev == "[DONE]":
                        self._write(b"data: [DONE]\n\n")
                    elif isinstance(ev, str):           # raw (malformed) data
                        self._write(f"data: {ev}\n\n".encode())
                    else:
                        self._write(f"data: {json.dumps(ev)}\n\n".encode())
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

        class Quiet(ThreadingHTTPServer):
            def handle_error(self, request, client_address):   # a client that hung up (timeout tests)
                pass

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *a):
        self.httpd.shutdown()
        self.httpd.server_close()
