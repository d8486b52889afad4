"""A local server that speaks Ollama's documented HTTP API (`POST /api/chat`, streamed NDJSON;
`GET /api/tags`; `GET /api/version`), for testing the `ollama` backend where no Ollama binary
can be installed. It answers with a real model — the bundled GGUF through llama-cpp-python — and
keeps every request it received so tests can check what the client sent.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class OllamaStandIn:
    def __init__(self, llm, models=("llama3.2:3b",), scripted=None):
        """`llm` answers chats; `scripted(messages) -> str`, when given, answers instead — for a
        model whose documented output format is what is under test (Llama Guard's verdicts)."""
        self.llm = llm
        self.scripted = scripted
        self.models = set(models)
        self.requests: list[dict] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/api/tags":
                    self._json(200, {"models": [{"name": m, "model": m} for m in sorted(standin.models)]})
                elif self.path == "/api/version":
                    self._json(200, {"version": "0.12.0"})
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self):
                if self.path != "/api/chat":
                    self._json(404, {"error": "not found"})
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                standin.requests.append(body)
                if body.get("model") not in standin.models:
                    self._json(404, {"error": f"model '{body.get('model')}' not found"})
                    return
                options = body.get("options") or {}
                if standin.scripted is not None:
                    pieces = iter([standin.scripted(body["messages"])])
                else:
                    pieces = standin.llm.stream_chat(
                        _messages(body["messages"]),
                        max_tokens=int(options.get("num_predict", 64)),
                        temperature=float(options.get("temperature", 0.7)),
                    )
                if body.get("stream") is False:
                    text = "".join(pieces)
                    self._json(200, {"model": body["model"], "created_at": _now(), "done": True, "done_reason": "stop",
                                     "message": {"role": "assistant", "content": text}})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                count = 0
                for piece in pieces:
                    count += 1
                    self._chunk({"model": body["model"], "created_at": _now(),
                                 "message": {"role": "assistant", "content": piece}, "done": False})
                self._chunk({"model": body["model"], "created_at": _now(),
                             "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop",
                             "total_duration": 1, "load_duration": 1, "prompt_eval_count": 1, "eval_count": count})
                self.wfile.write(b"0\r\n\r\n")

            def _chunk(self, obj):
                line = (json.dumps(obj) + "\n").encode()
                self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _messages(raw):
    from dialogue.llm.base import ChatMessage

    return [ChatMessage(m["role"], m["content"]) for m in raw]


def _now():
    return datetime.now(timezone.utc).isoformat()
