"""Barge-in read from the outside: the speaker signal recovered from a conversation file, and the
last reply sample after the user's speech onset.

The recording path writes what a listener in the room heard: the user's audio with the replies
mixed in, on the recording's own clock. Subtracting the user's audio (known: it is the input) leaves
what the speaker played, so the moment the reply fell silent is read from samples, not from what
the app says about itself. Shared by the test that pins barge-in and by `bench/bargein.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

# -60 dBFS: a residual sample louder than this is reply audio. Without a reply the residual is the
# file's PCM_16 quantisation (3e-5), so the reply is followed to its last audible sample, not its loud parts.
REPLY_LEVEL = 0.001


def speaker_signal(heard: np.ndarray, rate: int, user_audio_16k: np.ndarray) -> np.ndarray:
    """What the speaker played: the conversation file minus the user's own audio."""
    user = soxr.resample(user_audio_16k, 16_000, rate).astype(np.float32)
    n = min(len(user), len(heard))
    out = heard.astype(np.float32, copy=True)
    out[:n] -= user[:n]
    return out


PLAYING_GAP_S = 0.5  # reply sound this close before the onset: a reply was playing when the user spoke


@dataclass(frozen=True)
class BargeIn:
    onset_s: float  # the interruption's first sample, in the input
    last_before_s: float | None  # last reply sample before the onset (None: no reply sound before it)
    last_reply_sample_s: float  # last reply sample from the onset to the interruption's end (the onset if none)

    @property
    def reply_playing(self) -> bool:
        return self.last_before_s is not None and self.onset_s - self.last_before_s <= PLAYING_GAP_S

    @property
    def latency_ms(self) -> float | None:
        """Speech onset → last reply sample; None when no reply was playing at the onset."""
        return round((self.last_reply_sample_s - self.onset_s) * 1000, 1) if self.reply_playing else None


def measure(heard_wav: Path, user_audio_16k: np.ndarray, onset_s: float, until_s: float,
            level: float = REPLY_LEVEL) -> BargeIn:
    """Where the reply was sounding around a barge-in at `onset_s`, read from the written file."""
    heard, rate = sf.read(heard_wav, dtype="float32")
    reply = np.abs(speaker_signal(heard, rate, user_audio_16k)) > level
    onset, until = round(onset_s * rate), round(until_s * rate)
    before = np.flatnonzero(reply[:onset])
    after = np.flatnonzero(reply[onset:until])
    return BargeIn(
        onset_s,
        float(before[-1] / rate) if len(before) else None,
        float((onset + after[-1]) / rate) if len(after) else onset_s,
    )


def reply_span(heard_wav: Path, user_audio_16k: np.ndarray, after_s: float,
               level: float = REPLY_LEVEL) -> tuple[float, float] | None:
    """First and last reply sample after `after_s` in a conversation file (None: no reply there)."""
    heard, rate = sf.read(heard_wav, dtype="float32")
    reply = np.flatnonzero(np.abs(speaker_signal(heard, rate, user_audio_16k))[round(after_s * rate):] > level)
    if not len(reply):
        return None
    return after_s + float(reply[0] / rate), after_s + float(reply[-1] / rate)
