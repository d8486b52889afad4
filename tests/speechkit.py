"""Builds test recordings from real speech: Piper-made utterances and LJ Speech clips joined by
silences of known length over a realistic room-noise floor (never digital zero).

Each builder returns the audio and the ground truth: where speech really starts and ends, found
by trimming each utterance to its first and last sample above a small amplitude, so the silence
between two utterances is known to the sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

SR = 16_000
LJ_DIR = Path(__file__).resolve().parent / "data" / "ljspeech"  # public domain; see tests/data/README.md
NOISE_FLOOR = 0.002  # about -54 dBFS RMS: a quiet room through a laptop microphone


@lru_cache(maxsize=1)
def piper():
    from voice.tts import Synthesizer

    return Synthesizer(sentence_silence_ms=0)


def trim(x: np.ndarray, level: float = 0.02) -> np.ndarray:
    loud = np.flatnonzero(np.abs(x) > level)
    return x[loud[0] : loud[-1] + 1] if len(loud) else x[:0]


@lru_cache(maxsize=64)
def say(text: str) -> np.ndarray:
    """`text` spoken by the bundled Piper voice, 16 kHz, trimmed to the speech itself."""
    synth = piper()
    audio = np.concatenate([a.samples for a in synth.synthesize(text)])
    return trim(soxr.resample(audio, synth.sample_rate, SR).astype(np.float32) * 0.6)


@lru_cache(maxsize=16)
def lj(clip: str) -> np.ndarray:
    audio, rate = sf.read(LJ_DIR / f"{clip}.wav", dtype="float32")
    return trim(soxr.resample(audio, rate, SR).astype(np.float32), level=0.03)


def lj_transcript(clip: str) -> str:
    return (LJ_DIR / f"{clip}.txt").read_text().strip()


@dataclass
class Recording:
    audio: np.ndarray
    speech: list[tuple[float, float]] = field(default_factory=list)  # true (start, end) of each utterance

    def gaps(self) -> list[tuple[float, float]]:
        """True silences between consecutive utterances: (start, duration)."""
        return [(a[1], b[0] - a[1]) for a, b in zip(self.speech, self.speech[1:])]

    def write(self, path: Path, rate: int = SR, subtype: str = "PCM_16") -> Path:
        audio = self.audio if rate == SR else soxr.resample(self.audio, SR, rate)
        sf.write(path, audio, rate, subtype=subtype)
        return path


def build(parts: list, seed: int = 0, noise: float = NOISE_FLOOR) -> Recording:
    """`parts` alternates audio arrays and silence lengths in seconds (floats)."""
    rng = np.random.default_rng(seed)
    pieces, speech, t = [], [], 0
    for part in parts:
        if isinstance(part, (int, float)):
            n = int(round(part * SR))
            pieces.append(np.zeros(n, np.float32))
            t += n
        else:
            pieces.append(part)
            speech.append((t / SR, (t + len(part)) / SR))
            t += len(part)
    audio = np.concatenate(pieces)
    audio = audio + (rng.standard_normal(len(audio)) * noise).astype(np.float32)
    return Recording(audio.astype(np.float32), speech)


def words(text: str) -> list[str]:
    """Lowercase words without punctuation, for word error rate."""
    import re

    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


def word_errors(ref: list[str], hyp: list[str]) -> int:
    """Levenshtein distance over words (substitutions, insertions, deletions)."""
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[-1]
