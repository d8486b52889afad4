"""The OpenAI-compatible backend: llama.cpp's server, vLLM, LM Studio, Ollama's /v1, and so on.

Uses the official `openai` client with a configurable base URL. Only used when configured.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .base import BackendUnavailable, ChatMessage


class OpenAIBackend:
    def __init__(self, *, base_url: str, model: str, api_key: str = "not-needed", timeout_s: float = 60.0):
        import openai

        self._openai = openai
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=0)
        self.base_url = base_url
        self.model = model
        self.name = f"openai-compatible {model} at {base_url}"

    def stream_chat(
        self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        try:
            stream = self._client.chat.completions.create(
                model=self.model,
                messages=[{"role": m.role, "content": m.content} for m in messages],
                max_tokens=max_tokens,
                temperature=temperature,
                stream=True,
            )
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except self._openai.APIConnectionError as error:
            raise BackendUnavailable(f"The server at {self.base_url} is not reachable ({error})") from None
        except self._openai.APIStatusError as error:
            raise BackendUnavailable(f"The server at {self.base_url} refused the request: {error}") from None

    def close(self) -> None:
        self._client.close()
