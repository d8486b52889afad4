"""The loopback sound card with its speaker on the monotonic clock, for timing cues at the device.

Each speaker read is stamped with its 20 ms tick (not when Python happened to wake), and
`timeline()` lays the reads on that clock as a DAC would play them: a read that came up short
leaves silence. CLOCK_MONOTONIC is shared by every process, so the app's `t0_monotonic` and these
ticks are on one clock.
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np

from alsa_loopback import SPEAKER_BLOCK, SPEAKER_RATE, AlsaLoopback


class TimedLoopback(AlsaLoopback):
    """The loopback card, with each speaker read stamped by its tick on the monotonic clock."""

    def _drain(self):
        # a sound card's DAC never waits for the CPU: give the emulated one real-time priority where
        # allowed, so a busy machine slows the app under test, not the card it is measured on
        try:
            os.sched_setscheduler(threading.get_native_id(), os.SCHED_FIFO, os.sched_param(20))
        except (PermissionError, AttributeError, OSError):
            pass
        start = time.monotonic()
        ticks = 0
        self.ticks: list[tuple[float, np.ndarray]] = []
        while not self._stop.is_set():
            try:
                data = os.read(self._speaker_fd, SPEAKER_BLOCK * 2)
            except BlockingIOError:
                data = b""
            except OSError:
                return
            if data:
                samples = np.frombuffer(data[: len(data) // 2 * 2], "<i2").astype(np.float32) / 32767
                self.ticks.append((start + ticks * SPEAKER_BLOCK / SPEAKER_RATE, samples))
            ticks += 1
            delay = start + ticks * SPEAKER_BLOCK / SPEAKER_RATE - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def timeline(self) -> tuple[float, np.ndarray]:
        """(monotonic time of sample 0, the audio as the DAC would have played it)."""
        if not self.ticks:
            return 0.0, np.zeros(0, np.float32)
        t0 = self.ticks[0][0]
        end = round((self.ticks[-1][0] - t0) * SPEAKER_RATE) + 2 * SPEAKER_BLOCK
        out = np.zeros(end + SPEAKER_BLOCK * 4, np.float32)
        pos = 0
        for t, samples in self.ticks:
            pos = max(pos, round((t - t0) * SPEAKER_RATE))
            if pos + len(samples) > len(out):
                out = np.concatenate([out, np.zeros(pos + len(samples) - len(out), np.float32)])
            out[pos : pos + len(samples)] = samples
            pos += len(samples)
        return t0, out
