"""Small typed events that cross the voice pipeline's stages.

Each stage (source → VAD/segmenter → speech-to-text → text-to-speech → sink) hands the
next one one of these frozen dataclasses, in the spirit of Wyoming's events: a stage can be
tested by feeding it events and reading the events it emits, without the stages around it.
All times are seconds on the *audio clock* (sample position / rate), so a recording and the
live microphone produce the same timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SAMPLE_RATE = 16_000
"""Every stage between the source and the synthesiser works on 16 kHz mono float32."""


@dataclass(frozen=True)
class AudioFrame:
    """A run of 16 kHz mono float32 samples that starts at `start_s` on the audio clock."""

    samples: np.ndarray
    start_s: float

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


@dataclass(frozen=True)
class SpeechStarted:
    """The user began speaking at `start_s`; the decision was taken at `detected_s`."""

    start_s: float
    detected_s: float


@dataclass(frozen=True)
class Pause:
    """Silence inside a user's turn: it began at `start_s` and lasted `duration_s`."""

    start_s: float
    duration_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


@dataclass(frozen=True)
class PauseObserved:
    """A pause ended because speech resumed; emitted as soon as that is known."""

    pause: Pause


@dataclass(frozen=True)
class TurnMayEnd:
    """Silence has lasted long enough that the turn will probably end: a chance to start
    transcribing early. If the user speaks again, a later event supersedes it; if the turn ends,
    the `TurnEnded` that follows has the same `start_s`, `end_s` and audio."""

    start_s: float
    end_s: float
    at_s: float
    audio: np.ndarray


@dataclass(frozen=True)
class TurnEnded:
    """The user's turn is over.

    `end_s` is when their speech stopped; `decided_s` is when enough silence had passed to
    decide so (the gap is the end-of-turn wait). `audio` holds the turn's samples, starting at
    `audio_start_s` (a little before `start_s`, so the first syllable is not clipped).
    """

    start_s: float
    end_s: float
    decided_s: float
    audio: np.ndarray
    audio_start_s: float
    pauses: tuple[Pause, ...] = field(default_factory=tuple)
    forced: bool = False  # ended by the max-turn limit or the end of input, not by silence


@dataclass(frozen=True)
class Word:
    """A recognised word and when it was said, in seconds from the start of the turn's audio."""

    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Transcript:
    """What speech-to-text heard in a turn; empty text means nothing was said."""

    text: str
    language: str = "en"
    no_speech_prob: float = 0.0
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class SpeechAudio:
    """Synthesised speech for one sentence, at the voice's own sample rate."""

    text: str
    samples: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    # a timed exercise's cue plan on this audio's own clock (0 = its first sample), as data; None for speech.
    # Set by a guided breathing exercise (`BreathingPlan.as_dict()`) so a screen can move with the sound.
    schedule: dict | None = None

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate
