"""The Ollama backend, through the official `ollama` client (`/api/chat`, streamed NDJSON).

Only used when configured; it talks to whatever host the user names (by default the local
Ollama at 127.0.0.1:11434), so nothing leaves the machine unless the user points it elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from .base import BackendUnavailable, ChatMessage


class OllamaBackend:
    def __init__(
        self,
        *,
        host: str,
        model: str,
        keep_alive: str | int | None = "5m",
        options: dict[str, Any] | None = None,
        timeout_s: float = 60.0,
    ):
        import ollama

        self._ollama = ollama
        self._client = ollama.Client(host=host, timeout=timeout_s)
        self.host = host
        self.model = model
        self.keep_alive = keep_alive
        self.options = dict(options or {})
        self.name = f"ollama {model} at {host}"

    def stream_chat(
        self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        options = {"temperature": temperature, "num_predict": max_tokens, **self.options}
        try:
            stream = self._client.chat(
                model=self.model,
                messages=[{"role": m.role, "content": m.content} for m in messages],
                stream=True,
                options=options,
                keep_alive=self.keep_alive,
            )
            for part in stream:
                piece = part.message.content if part.message else ""
                if piece:
                    yield piece
        except self._ollama.ResponseError as error:
            raise BackendUnavailable(f"Ollama at {self.host} refused the request: {error.error}") from None
        except (ConnectionError, OSError) as error:
            raise BackendUnavailable(f"Ollama is not reachable at {self.host} ({error})") from None
        except Exception as error:  # httpx transport errors
            if type(error).__module__.startswith("httpx"):
                raise BackendUnavailable(f"Ollama is not reachable at {self.host} ({error})") from None
            raise

    def close(self) -> None:
        pass
