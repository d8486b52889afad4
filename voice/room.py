"""The room's own noise, measured all the time, so pause edges can be placed against it.

A voice-activity model says "speech" or "not speech" per 32 ms window and lags at the end of
speech — by 50 ms in a quiet room, by 200–300 ms in an ordinary one, where a trailing-off voice
and the room's hiss look alike to it. Where speech really stops is where the signal sinks to the
room's own level, so that level is what we measure: every 10 ms, the energy in a few frequency
bands; the room's floor in each band is a low percentile of the last several seconds (people
breathe and pause between words, so the quietest tenth of any few seconds is the room itself).

A 10 ms step is *loud* when its energy, band by band relative to the floor, is clearly above it
(the bands matter: a low hum or brown noise fills the bass while an "s" or a "t" still stands out
above it in the treble), and its overall level is above a small absolute level (so in a near-silent
room a breath far below the voice does not count as speech).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from .events import SAMPLE_RATE

HOP = SAMPLE_RATE // 100  # 10 ms
WINDOW = 2 * HOP  # 20 ms, Hann-windowed
BAND_EDGES_HZ = (80, 250, 500, 1000, 2000, 3500, 5500, 8000)


def _band_matrix() -> np.ndarray:
    freqs = np.fft.rfftfreq(WINDOW, 1 / SAMPLE_RATE)
    bands = np.zeros((len(BAND_EDGES_HZ) - 1, len(freqs)), np.float32)
    for i, (lo, hi) in enumerate(zip(BAND_EDGES_HZ, BAND_EDGES_HZ[1:])):
        bands[i, (freqs >= lo) & (freqs < hi)] = 1.0
    return bands


_BANDS = _band_matrix()
_HANN = np.hanning(WINDOW).astype(np.float32)
_ENERGY_PER_POWER = float((_HANN**2).sum()) * WINDOW / 2  # band energy of a signal of mean square 1 (Parseval)


def band_energies(audio: np.ndarray) -> np.ndarray:
    """Energy per band for each 10 ms step of `audio` (20 ms windows): shape (steps, bands).

    Step k covers samples [k*HOP, k*HOP + WINDOW)."""
    n = (len(audio) - WINDOW) // HOP + 1
    if n <= 0:
        return np.zeros((0, len(_BANDS)), np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(audio.astype(np.float32, copy=False), WINDOW)[::HOP][:n]
    spectrum = np.abs(np.fft.rfft(frames * _HANN, axis=1)) ** 2
    return (spectrum @ _BANDS.T).astype(np.float32) + 1e-12


class RoomNoise:
    """Follows the noise floor of the incoming audio and scores each 10 ms step against it.

    Feed it every sample, in order (`feed`); ask it which steps in a stretch of the recent past
    were loud (`loud`). It keeps `memory_s` of step energies, enough to look back across a pause.
    """

    def __init__(self, history_s: float = 8.0, percentile: float = 10.0, memory_s: float = 30.0,
                 margin_db: float = 6.0, min_rms: float = 0.004):
        self.history_steps = int(history_s * 100)
        self.percentile = percentile
        self.margin = 10 ** (margin_db / 10)
        self.min_energy = float((min_rms**2) * _ENERGY_PER_POWER)
        self._memory = int(memory_s * 100)
        self.reset()

    def reset(self) -> None:
        self._carry = np.zeros(0, np.float32)
        self._carry_start = 0  # absolute sample index of _carry[0]
        self._energies: deque[np.ndarray] = deque(maxlen=self._memory)  # per-step band energies
        self._first_step = 0  # absolute step index of _energies[0]
        self._floor: np.ndarray | None = None
        self._floor_age = 0

    @property
    def steps(self) -> int:
        """Absolute index one past the last step measured."""
        return self._first_step + len(self._energies)

    def feed(self, samples: np.ndarray, start: int) -> None:
        """Add `samples`, which begin at absolute sample `start` (contiguous with earlier calls)."""
        if not len(self._carry) and not self._energies:
            self._carry_start = start
        audio = np.concatenate([self._carry, samples.astype(np.float32, copy=False)])
        bands = band_energies(audio)
        for row in bands:
            if len(self._energies) == self._energies.maxlen:
                self._first_step += 1
            self._energies.append(row)
        used = len(bands) * HOP
        self._carry = audio[used:]
        self._carry_start += used
        self._floor_age += len(bands)

    def floor(self) -> np.ndarray:
        """The room's energy per band: a low percentile of the last `history_s` seconds."""
        if self._floor is None or self._floor_age >= 10:
            recent = np.array(list(self._energies)[-self.history_steps :]) if self._energies else None
            if recent is None or len(recent) < 20:
                return np.full(len(_BANDS), 1e-12, np.float32) if self._floor is None else self._floor
            self._floor = np.percentile(recent, self.percentile, axis=0).astype(np.float32) + 1e-12
            self._floor_age = 0
        return self._floor

    def floor_dbfs(self) -> float:
        """The floor as an overall RMS level in dBFS (for logs and the doctor)."""
        energy = float(self.floor().sum()) / _ENERGY_PER_POWER
        return 10 * np.log10(max(energy, 1e-12))

    def loud(self, first_step: int, last_step: int) -> np.ndarray:
        """Loud (True) or quiet for each step in [first_step, last_step), clipped to what is kept.

        Returns the flags and implicitly starts at max(first_step, oldest kept step); use
        `clip` to know where."""
        lo, hi = self.clip(first_step, last_step)
        if hi <= lo:
            return np.zeros(0, bool)
        rows = np.array([self._energies[i - self._first_step] for i in range(lo, hi)])
        ratio = (rows / self.floor()).mean(axis=1)
        return (ratio > self.margin) & (rows.sum(axis=1) > self.min_energy)

    def clip(self, first_step: int, last_step: int) -> tuple[int, int]:
        return max(first_step, self._first_step), min(last_step, self.steps)
