"""Builds the pipeline's parts from settings, showing progress while models load."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from dialogue.companion import Companion
from dialogue.crisis import CrisisResources
from dialogue.llm.base import ChatBackend
from dialogue.store import Store
from voice.stt import Transcriber
from voice.tts import Synthesizer
from voice.turns import TurnSegmenter
from voice.turns import TurnSettings as SegmenterSettings
from voice.vad import make_vad

from .config import LlmSettings, MemorySettings, Settings, data_dir, ensure_data_dir

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


def open_store(settings: Settings) -> Store:
    return Store(ensure_data_dir(data_dir(settings)) / "stillpoint.db")


def make_segmenter(settings: Settings) -> TurnSegmenter:
    v, t = settings.vad, settings.turns
    vad = make_vad(v.engine, webrtc_aggressiveness=v.webrtc_aggressiveness, silero_threshold=v.silero_threshold)
    return TurnSegmenter(
        vad,
        SegmenterSettings(
            pause_min_ms=t.pause_min_ms,
            end_of_turn_ms=t.end_of_turn_ms,
            speech_confirm_ms=t.speech_confirm_ms,
            min_turn_speech_ms=t.min_turn_speech_ms,
            max_turn_s=t.max_turn_s,
            preroll_ms=t.preroll_ms,
        ),
    )


@dataclass
class Pipeline:
    segmenter: TurnSegmenter
    transcriber: Transcriber
    synthesizer: Synthesizer
    companion: Companion
    crisis_length_scale: float = 1.25
    memory: MemorySettings = field(default_factory=MemorySettings)


def build_pipeline(settings: Settings, progress: Progress, backend: str | None = None) -> Pipeline:
    segmenter = progress.step(f"Loading voice activity detection ({settings.vad.engine})", lambda: make_segmenter(settings))
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
    companion = build_companion(settings, progress, backend)
    return Pipeline(segmenter, transcriber, synthesizer, companion, settings.safety.crisis_length_scale, settings.memory)


def build_companion(settings: Settings, progress: Progress, backend: str | None = None) -> Companion:
    """The companion alone (model, safety, understanding, replies): what typed chat needs."""
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
    progress.step("Loading sentence understanding", lambda: companion.understanding.read("hello"))
    return companion


def build_second_opinion(settings: Settings):
    """Llama Guard (or another safety model) through Ollama, when configured; else none."""
    if settings.safety.second_opinion != "ollama":
        return None
    from dialogue.llm.guard_model import OllamaSafetyModel

    return OllamaSafetyModel(host=settings.llm.ollama.host, model=settings.safety.second_opinion_model)
