"""Builds the pipeline's parts from settings, showing progress while models load."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from dialogue.companion import Companion
from dialogue.crisis import CrisisResources
from dialogue.llm.base import ChatBackend
from dialogue.store import Store
from voice.stt import Transcriber
from voice.tts import Synthesizer
from voice.turns import TurnSegmenter

from ..config import LlmSettings, MemorySettings, Settings, checked_data_dir, data_dir, ensure_data_dir
from ..listening import build_turn_judge
from ..offline import disable_onnxruntime_telemetry

log = logging.getLogger(__name__)
T = TypeVar("T")


class Progress:
    """One line per slow step on stderr ('Loading speech-to-text… 0.4 s'); silent when quiet."""

    def __init__(self, quiet: bool = False, stream=None):
        self.quiet = quiet
        self.stream = stream or sys.stderr

    def step(self, label: str, work: Callable[[], T]) -> T:
        if not self.quiet:
            print(f"{label}…", end="", file=self.stream, flush=True)
        started = time.perf_counter()
        try:
            result = work()
        except BaseException:
            if not self.quiet:
                print(" failed", file=self.stream, flush=True)
            raise
        if not self.quiet:
            print(f" {time.perf_counter() - started:.1f} s", file=self.stream, flush=True)
        return result


def build_backend(llm: LlmSettings, backend: str | None = None) -> ChatBackend:
    choice = backend or llm.backend
    if choice == "ollama":
        from dialogue.llm.ollama_backend import OllamaBackend

        o = llm.ollama
        return OllamaBackend(host=o.host, model=o.model, keep_alive=o.keep_alive, options=o.options, timeout_s=o.timeout_s)
    if choice == "openai":
        from dialogue.llm.openai_backend import OpenAIBackend

        a = llm.openai
        return OpenAIBackend(base_url=a.base_url, model=a.model, api_key=a.api_key, timeout_s=a.timeout_s)
    from dialogue.llm.embedded import EmbeddedBackend

    e = llm.embedded
    return EmbeddedBackend(e.model_path, n_ctx=e.n_ctx, threads=e.threads)


def open_store(settings: Settings, *, readonly: bool = False) -> Store:
    """The database in the data folder; `readonly` for commands that only read (they then work on a
    read-only or full disk, and create nothing when nothing was ever saved)."""
    if readonly:
        return Store(checked_data_dir(data_dir(settings)) / "stillpoint.db", readonly=True)
    return Store(ensure_data_dir(data_dir(settings)) / "stillpoint.db")


def make_segmenter(settings: Settings, judge=None) -> TurnSegmenter:
    """The turn segmenter; with a judge (listening, issue 10) it ends turns from sound + words."""
    from ..listening import make_segmenter as listening_segmenter

    return listening_segmenter(settings, judge)


@dataclass
class Pipeline:
    segmenter: TurnSegmenter
    transcriber: Transcriber
    synthesizer: Synthesizer
    companion: Companion
    crisis_length_scale: float = 1.25
    memory: MemorySettings = field(default_factory=MemorySettings)
    settings: Settings | None = None

    def fork(self) -> "Pipeline":
        """Parts for one more conversation at once (the page): its own segmenter and companion,
        sharing the loaded models. (A model backend is not made thread-safe by this.)"""
        judge = self.segmenter.judge.fork() if self.segmenter.judge is not None else None
        segmenter = make_segmenter(self.settings or Settings(), judge)
        return replace(self, segmenter=segmenter, companion=self.companion.fresh())


def build_pipeline(settings: Settings, progress: Progress, backend: str | None = None) -> Pipeline:
    disable_onnxruntime_telemetry()  # before the VAD and voice create their onnxruntime sessions
    s = settings.stt
    transcriber = progress.step(
        f"Loading speech-to-text ({s.model})",
        lambda: Transcriber(
            s.model,
            compute_type=s.compute_type,
            language=s.language,
            beam_size=s.beam_size,
            no_speech_threshold=s.no_speech_threshold,
            threads=s.threads,
        ),
    )
    t = settings.tts
    synthesizer = progress.step(
        f"Loading voice ({t.voice})",
        lambda: Synthesizer(t.voice, length_scale=t.length_scale, sentence_silence_ms=t.sentence_silence_ms),
    )
    # listening (issue 10): the turn-end judge reads the sound and the words of each silence
    judge = progress.step("Loading turn-end detection", lambda: build_turn_judge(settings, transcriber, live=True))
    segmenter = progress.step(f"Loading voice activity detection ({settings.vad.engine})",
                              lambda: make_segmenter(settings, judge))
    companion = build_companion(settings, progress, backend)
    return Pipeline(segmenter, transcriber, synthesizer, companion, settings.safety.crisis_length_scale, settings.memory,
                    settings)


def text_pipeline(settings: Settings, progress: Progress, backend: str | None = None) -> Pipeline:
    """A typed conversation's parts (`stillpoint chat`): the same companion, no ears, no voice."""
    from .text import NoTranscriber, Unvoiced

    companion = build_companion(settings, progress, backend)
    return Pipeline(make_segmenter(settings), NoTranscriber(), Unvoiced(), companion, settings.safety.crisis_length_scale,
                    settings.memory, settings)


def build_companion(settings: Settings, progress: Progress, backend: str | None = None) -> Companion:
    """The companion alone (model, safety, understanding, replies)."""
    llm = settings.llm
    chosen = backend or llm.backend
    model = progress.step(f"Loading language model ({chosen})", lambda: build_backend(llm, chosen))
    embedded_factory = None
    if chosen != "embedded" and llm.fallback_to_embedded:
        embedded_factory = lambda: build_backend(llm, "embedded")  # noqa: E731
    safety = settings.safety
    companion = Companion(
        model,
        embedded_factory=embedded_factory,
        max_reply_tokens=llm.max_reply_tokens,
        temperature=llm.temperature,
        history_tokens=llm.history_tokens,
        resources=CrisisResources.for_region(safety.region, safety.resources),
        second_opinion=build_second_opinion(settings),
    )
    from dialogue.safety import semantic_layer

    def warm() -> None:  # loaded now, not in the first turn before its reply (issue 10)
        companion.understanding.read("hello")
        if companion.semantic:
            semantic_layer()

    progress.step("Loading sentence understanding and the safety check", warm)
    return companion


def build_second_opinion(settings: Settings):
    """Llama Guard (or another safety model) through Ollama, when configured; else none."""
    if settings.safety.second_opinion != "ollama":
        return None
    from dialogue.llm.guard_model import OllamaSafetyModel

    return OllamaSafetyModel(host=settings.llm.ollama.host, model=settings.safety.second_opinion_model)
