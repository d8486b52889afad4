"""The one protocol every language-model backend speaks: stream a chat reply as text pieces."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


class BackendUnavailable(Exception):
    """The backend cannot answer (server down, model missing); the message says which and why."""


class ChatBackend(Protocol):
    name: str
    """Short human name, e.g. 'ollama llama3.2:3b at http://127.0.0.1:11434'."""

    def stream_chat(
        self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        """Yield the reply as it is generated; raise `BackendUnavailable` if it cannot start."""

    def close(self) -> None:
        """Release the model or connection."""
