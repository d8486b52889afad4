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


@lru_cache(maxsize=256)
def say(text: str, length_scale: float | None = None) -> np.ndarray:
    """`text` spoken by the bundled Piper voice, 16 kHz, trimmed to the speech itself — with Piper's
    sampling noise switched off, so the same text is the same samples on every run and a test built
    on it measures the code, not the voice's dice (Piper's default varies each rendering)."""
    from piper import SynthesisConfig

    synth = piper()
    config = SynthesisConfig(length_scale=length_scale or 1.0, noise_scale=0.0, noise_w_scale=0.0)
    from voice.tts import speakable

    # as Synthesizer.synthesize does it: one chunk a sentence, each followed by the voice's short breath
    audio = np.concatenate([np.concatenate([np.asarray(c.audio_float_array, dtype=np.float32).reshape(-1), synth._gap])
                            for c in synth._voice.synthesize(speakable(text.strip()), syn_config=config)])
    return trim(soxr.resample(audio, synth.sample_rate, SR).astype(np.float32) * 0.6)


def spoken_casually(text: str, seed: int = 0) -> np.ndarray:
    """A stand-in for spontaneous speech (no public-domain or CC-BY conversational recording is
    installable here): Piper speaking hesitant phrasing ("um", "you know", restarts) at a slower,
    varied pace, quieter, and trailing off — the last 0.25–0.5 s fades towards silence the way a
    voice drops at the end of a thought, which is what makes pause starts hard in room noise.
    Clearly synthetic; the ground truth is trimmed from the faded audio itself."""
    rng = np.random.default_rng(seed)
    audio = say(text, length_scale=float(rng.uniform(1.05, 1.35))).copy()
    audio *= float(rng.uniform(0.35, 0.8))
    fade = min(len(audio), int(rng.uniform(0.25, 0.5) * SR))
    audio[len(audio) - fade :] *= np.linspace(1.0, 0.15, fade, dtype=np.float32) ** 2
    return trim(audio)


NOISE_KINDS = ("white", "pink", "brown", "hum")


def room_noise(n: int, level_dbfs: float, kind: str = "white", seed: int = 0) -> np.ndarray:
    """`n` samples of room noise at `level_dbfs` RMS: white, pink (1/f), brown (1/f²) or a low
    mains hum (50 Hz and harmonics over a little hiss)."""
    rng = np.random.default_rng(seed)
    if kind == "hum":
        t = np.arange(n) / SR
        x = sum(a * np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3)) for f, a in ((50, 1.0), (100, 0.5), (150, 0.3), (250, 0.15)))
        x = x + 0.2 * rng.standard_normal(n)
    else:
        white = rng.standard_normal(n)
        if kind == "white":
            x = white
        else:
            spectrum = np.fft.rfft(white)
            f = np.fft.rfftfreq(n, 1 / SR)
            f[0] = f[1]
            spectrum /= f ** (0.5 if kind == "pink" else 1.0)
            spectrum[f < 20] = 0
            x = np.fft.irfft(spectrum, n)
    x = x / (np.sqrt(np.mean(x**2)) + 1e-12) * 10 ** (level_dbfs / 20)
    return x.astype(np.float32)


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


def build(parts: list, seed: int = 0, noise: float = NOISE_FLOOR, floor_dbfs: float | None = None,
          kind: str = "white") -> Recording:
    """`parts` alternates audio arrays and silence lengths in seconds (floats). The room noise is
    white at RMS `noise`, or `kind` noise at `floor_dbfs` when that is given."""
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
    if floor_dbfs is None:
        audio = audio + (rng.standard_normal(len(audio)) * noise).astype(np.float32)
    else:
        audio = audio + room_noise(len(audio), floor_dbfs, kind, seed)
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
