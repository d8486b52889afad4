"""Models loaded once for every conversation the page serves, and shared safely between them.

Whisper (CTranslate2), Piper (onnxruntime) and llama.cpp are loaded once — each costs memory
and load time — but llama.cpp keeps one context and is not safe to call from two threads, and
the others are not promised to be. So each model sits behind its own lock: two conversations can
transcribe and speak at the same time, but never use one model at once. What belongs to a
single conversation (the turn segmenter with its VAD state, the companion with its history) is
made fresh for each one by the engine's `Pipeline.fork()`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np

from dialogue.llm.base import ChatMessage
from voice.events import SpeechAudio, Transcript

from ..config import Settings
from ..engine import Pipeline, Progress, build_pipeline


class LockedTranscriber:
    def __init__(self, inner):
        self._inner = inner
        self._lock = threading.Lock()

    def transcribe(self, audio: np.ndarray, **options) -> Transcript:
        with self._lock:
            return self._inner.transcribe(audio, **options)


class LockedSynthesizer:
    """Synthesises a whole line under the lock, then hands it out unlocked as one piece of audio.

    One piece per line is also what the page wants: a line's words and its breathing cue arrive
    with all of its audio ("Breathe in slowly… Two. Three. Four." is one inhale, not four).
    """

    def __init__(self, inner):
        self._inner = inner
        self._lock = threading.Lock()
        self.sample_rate = inner.sample_rate

    def prepare(self, text: str, *, length_scale: float | None = None) -> None:
        prepare = getattr(self._inner, "prepare", None)
        if prepare is not None:
            with self._lock:
                prepare(text, length_scale=length_scale)

    def synthesize(self, text: str, *, length_scale: float | None = None) -> Iterator[SpeechAudio]:
        with self._lock:
            chunks = list(self._inner.synthesize(text, length_scale=length_scale))
        if chunks:
            samples = np.concatenate([c.samples for c in chunks]).astype(np.float32, copy=False)
            yield SpeechAudio(text=chunks[0].text, samples=samples, sample_rate=chunks[0].sample_rate)


class LockedBackend:
    """Holds the model's lock for one whole streamed reply (released when the stream ends or is closed)."""

    def __init__(self, inner):
        self._inner = inner
        self._lock = threading.Lock()
        self.name = inner.name

    def stream_chat(self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float) -> Iterator[str]:
        with self._lock:
            yield from self._inner.stream_chat(messages, max_tokens=max_tokens, temperature=temperature)

    def close(self) -> None:
        with self._lock:
            self._inner.close()


class SharedModels:
    """Everything heavy, loaded once; `pipeline()` makes one conversation's own parts around it."""

    def __init__(self, settings: Settings, progress: Progress | None = None, backend: str | None = None):
        self.settings = settings
        loaded = build_pipeline(settings, progress or Progress(quiet=True), backend)
        companion = loaded.companion
        companion.backend = LockedBackend(companion.backend)
        if companion._embedded_factory is not None:  # a fallback model, made once and shared like the rest
            fallback = companion._embedded_factory
            companion._embedded_factory = functools.cache(lambda: LockedBackend(fallback()))
        self._base = replace(loaded, transcriber=LockedTranscriber(loaded.transcriber),
                             synthesizer=LockedSynthesizer(loaded.synthesizer))

    def pipeline(self) -> Pipeline:
        """One conversation's parts (journaling wraps them as `stillpoint journal` does)."""
        return self._base.fork()
