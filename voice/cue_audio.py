"""The sound of a breathing exercise: soft tones made in code, short spoken words cached once,
and a track that places each sound at its sample.

Why a track of samples: a cue's time is its position in the output stream, not "after the last
thing finished", so nothing can accumulate. Words are rendered by Piper once per voice and speed
and kept on disk (owner-only cache), so a later exercise starts without loading the voice. Each
word is trimmed to its first audible sample, so the word starts exactly where the cue is placed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile
import soxr

log = logging.getLogger(__name__)

TONE_GAIN = 0.12  # soft: about -18 dBFS peak
NIGHT_GAIN = 0.5  # night mode: everything at half the level (-6 dB)
WORD_GAIN = 0.5
CACHE_VERSION = "1"

_TONES = {  # (start Hz, end Hz, seconds): rising for in, falling for out, a short level note to hold
    "in": (392.0, 523.25, 0.45),
    "top_up": (523.25, 587.33, 0.2),
    "hold": (440.0, 440.0, 0.25),
    "rest": (349.23, 349.23, 0.25),
    "out": (523.25, 349.23, 0.6),
}


def tone(kind: str, rate: int, gain: float = TONE_GAIN) -> np.ndarray:
    """A soft sine glide with a 6 ms raised-cosine attack (a clean onset) and a long fade."""
    f0, f1, seconds = _TONES.get(kind, _TONES["hold"])
    n = int(rate * seconds)
    t = np.arange(n) / rate
    freq = np.linspace(f0, f1, n)
    phase = 2 * np.pi * np.cumsum(freq) / rate
    wave = np.sin(phase) + 0.25 * np.sin(2 * phase)  # a touch of the octave: warmer than a pure sine
    attack = int(rate * 0.006)
    env = np.exp(-3.0 * t / seconds)
    env[:attack] *= 0.5 - 0.5 * np.cos(np.pi * np.arange(attack) / attack)
    release = int(rate * 0.05)
    env[-release:] *= np.linspace(1, 0, release)
    return (wave * env * gain / 1.25).astype(np.float32)


def trim_start(samples: np.ndarray, rate: int, level: float = 0.02) -> np.ndarray:
    """Drop the voice's leading silence so the word begins on the cue's sample."""
    loud = np.flatnonzero(np.abs(samples) > level * max(1e-6, float(np.abs(samples).max())))
    if not len(loud):
        return samples[:0]
    start = max(0, int(loud[0]) - int(rate * 0.002))
    end = int(loud[-1]) + int(rate * 0.03)
    return samples[start:end]


class CueWords:
    """Short spoken words ("in", "hold", "out", counts), synthesised once and cached on disk.

    `synthesizer_factory` is called only when a word is missing from the cache; `length_scale`
    > 1 is slower speech (night mode). `play_rate`: the rate the words are handed out at (the
    sound card's own), resampled once here so the live speaker streams without converting.
    """

    def __init__(self, synthesizer_factory: Callable[[], object], cache_dir: Path | None, *, voice: str = "bundled",
                 length_scale: float = 1.0, rate: int = 22050, play_rate: int | None = None):
        self._factory = synthesizer_factory
        self._synth = None
        self.cache_dir = cache_dir
        self.voice = voice
        self.length_scale = length_scale
        self.rate = rate
        self.play_rate = play_rate
        self._memory: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def _path(self, words: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(f"{CACHE_VERSION}|{self.voice}|{self.length_scale:.3f}|{words}".encode()).hexdigest()[:20]
        return self.cache_dir / f"{key}.wav"

    def get(self, words: str) -> np.ndarray:
        with self._lock:
            if words in self._memory:
                return self._memory[words]
            path = self._path(words)
            audio = None
            if path is not None and path.exists():
                try:
                    audio, rate = soundfile.read(str(path), dtype="float32")
                    if rate != self.rate:
                        audio = None
                except Exception as error:  # a damaged cache file is made again
                    log.debug("cue cache %s unreadable: %s", path, error)
            if audio is None:
                audio = self._synthesize(words)
                if path is not None:
                    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                    soundfile.write(str(path), audio, self.rate, subtype="FLOAT")
            if self.play_rate and self.play_rate != self.rate:
                audio = soxr.resample(audio, self.rate, self.play_rate).astype(np.float32)
            self._memory[words] = audio
            return audio

    @property
    def output_rate(self) -> int:
        """The rate `get` returns audio at."""
        return self.play_rate or self.rate

    def _synthesize(self, words: str) -> np.ndarray:
        if self._synth is None:
            self._synth = self._factory()
            self.rate = int(self._synth.sample_rate)
        parts = [a.samples for a in self._synth.synthesize(words, length_scale=self.length_scale)]
        audio = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        audio = trim_start(audio.astype(np.float32), self.rate)
        peak = float(np.abs(audio).max()) if len(audio) else 0.0
        return (audio / peak * WORD_GAIN).astype(np.float32) if peak else audio


class CueTrack:
    """Sounds placed at absolute sample positions; `render(start, n)` mixes whatever overlaps.

    Rendering is pure (the same range gives the same samples), so the echo gate can read the
    reference for a microphone frame after the speaker has played it. `cut(at)` silences
    everything sounding at `at` from there on (speaking over a cue stops it); `cancel_from(at)`
    drops everything that has not started (stop).
    """

    def __init__(self, rate: int):
        self.rate = rate
        self._sounds: list[tuple[int, np.ndarray, str]] = []
        self._lock = threading.Lock()

    def at(self, seconds: float) -> int:
        return round(seconds * self.rate)

    def add(self, at_s: float, samples: np.ndarray, tag: str = "") -> None:
        with self._lock:
            self._sounds.append((self.at(at_s), samples.astype(np.float32, copy=False), tag))

    def cut(self, at_s: float) -> list[str]:
        """Stop what is sounding at `at_s`; returns the tags of what was cut."""
        cut = self.at(at_s)
        cut_tags = []
        with self._lock:
            kept = []
            for start, samples, tag in self._sounds:
                if start < cut < start + len(samples):
                    fade = min(len(samples) - (cut - start), int(self.rate * 0.01))
                    samples = samples[: cut - start + fade].copy()
                    samples[-fade:] *= np.linspace(1, 0, fade, dtype=np.float32) if fade else 1
                    cut_tags.append(tag)
                kept.append((start, samples, tag))
            self._sounds = kept
        return cut_tags

    def cancel_from(self, at_s: float) -> None:
        cut = self.at(at_s)
        with self._lock:
            self._sounds = [s for s in self._sounds if s[0] < cut]

    def sounding(self, at_s: float) -> bool:
        n = self.at(at_s)
        with self._lock:
            return any(start <= n < start + len(samples) for start, samples, _ in self._sounds)

    def starts_between(self, from_s: float, to_s: float) -> list[float]:
        """When sounds start in [from_s, to_s), in order (seconds)."""
        lo, hi = self.at(from_s), self.at(to_s)
        with self._lock:
            return sorted(start / self.rate for start, _, _ in self._sounds if lo <= start < hi)

    @property
    def end_sample(self) -> int:
        with self._lock:
            return max((start + len(samples) for start, samples, _ in self._sounds), default=0)

    def render(self, start: int, n: int) -> np.ndarray:
        out = np.zeros(n, np.float32)
        end = start + n
        with self._lock:
            sounds = list(self._sounds)
        for s0, samples, _ in sounds:
            lo, hi = max(start, s0), min(end, s0 + len(samples))
            if lo < hi:
                out[lo - start : hi - start] += samples[lo - s0 : hi - s0]
        return out

    def forget_before(self, sample: int) -> None:
        with self._lock:
            self._sounds = [s for s in self._sounds if s[0] + len(s[1]) > sample]
