"""The seams between the voice stages and the app, as protocols.

`Transcriber` and `Synthesizer` are what the conversation engine needs from speech-to-text and
text-to-speech (`voice.stt.Transcriber` with faster-whisper and `voice.tts.Synthesizer` with Piper are the real ones;
tests add scripted fakes). `ReplyOutput` is where reply audio goes: the speaker, the conversation
file, a browser. All times are seconds on the conversation's audio clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

import numpy as np

from .events import SpeechAudio, Transcript


@runtime_checkable
class Transcriber(Protocol):
    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        """Transcribe one turn of 16 kHz mono float32 audio; `prompt` primes the words expected."""


@runtime_checkable
class Synthesizer(Protocol):
    sample_rate: int

    def synthesize(self, text: str, *, length_scale: float | None = None) -> Iterator[SpeechAudio]:
        """Yield speech for `text`, one piece per sentence."""


@runtime_checkable
class ReplyOutput(Protocol):
    """Where replies are heard, on the same clock as the microphone's frames."""

    def play(self, speech: SpeechAudio, at_s: float) -> float:
        """Play `speech` from `at_s`, or as soon after as what is already playing has finished.

        Returns the moment it starts."""

    def cut(self, at_s: float) -> float:
        """Barge-in: nothing more is heard after `at_s` (or now, if that has passed).

        Returns the moment the output went quiet."""

    def playing_until(self) -> float:
        """When everything played so far will have been heard (in the past when idle)."""
