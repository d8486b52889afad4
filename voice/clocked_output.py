"""A speaker that keeps a timeline on the monotonic clock: sample n of the timeline is heard at
`t0 + n / rate`, however long it runs.

A continuous stream (silence between cues) with blocking 10 ms writes. After each write the device
buffer is full, so the next block will be heard about one output latency from now: that is where
the timeline should be. A sound card's crystal drifts from the computer's clock (tens of ppm: some
tens of ms over ten minutes) and a busy machine can underrun; both show up as a gap between where
the timeline is and where the clock says it should be. The gap is measured on every block, smoothed
over a tenth of a second (one late wake-up is not drift), and closed only in silence — by skipping or
repeating silence, never by cutting or stretching a cue.
"""

from __future__ import annotations

import logging
import os
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from .errors import NoSpeakerError

log = logging.getLogger(__name__)

TOLERANCE_S = 0.004  # correct the timeline when it is this far from the clock
OUTPUT_LATENCY_S = 0.2  # a deep device buffer: a busy machine cannot starve it, and the timeline allows for it


class ClockedSpeaker:
    def __init__(self, device: int | str | None = None, block_ms: int = 10, extra_latency_s: float = 0.0):
        """The timeline plays at the card's own rate (`rate`, chosen here): whoever renders it renders
        at that rate, so nothing is converted while playing — a stream resampler here once made the
        card fall ~10% behind the clock, which the timeline then had to skip silence to make up.
        `extra_latency_s`: delay after the sound card that it cannot report (Bluetooth headphones,
        a sound server, a pipe), added to the card's own buffer."""
        try:
            import sounddevice

            info = sounddevice.query_devices(device, kind="output")
        except Exception as error:
            raise NoSpeakerError(
                f"No speaker is available ({error}). Use --output FILE.wav to write the exercise to a file."
            ) from None
        self.device_name = info["name"]
        self._stream = None
        # 48 kHz first: every card plays it natively, where a driver's plug converter can fall behind
        # real time (ALSA's does)
        for rate in dict.fromkeys((48_000, int(info.get("default_samplerate") or 48_000))):
            try:
                self._stream = sounddevice.OutputStream(samplerate=rate, channels=1, dtype="float32",
                                                        device=device, latency=OUTPUT_LATENCY_S)
                self.rate = rate
                break
            except Exception as error:
                log.debug("speaker refused %d Hz: %s", rate, error)
        if self._stream is None:
            raise NoSpeakerError(f"The speaker '{self.device_name}' could not be opened; try --output FILE.wav.")
        self.block = int(self.rate * block_ms / 1000)
        self.extra_latency_s = extra_latency_s
        self.latency_s = float(self._stream.latency) + extra_latency_s
        self.t0: float | None = None
        self.position = 0  # timeline sample of the next block
        self.corrections: list[tuple[float, float]] = []  # (timeline s, correction s) for the log and the bench
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def now_s(self) -> float:
        """Timeline seconds now (what is being heard)."""
        return time.monotonic() - (self.t0 or time.monotonic())

    def start(self, render: Callable[[int, int], np.ndarray], quiet: Callable[[int, int], bool], lead_s: float = 1.0) -> float:
        """Start playing `render(start_sample, n)`; returns `t0`, the monotonic time of timeline 0."""
        self.t0 = time.monotonic() + lead_s
        self._thread = threading.Thread(target=self._play, args=(render, quiet), name="breathing-speaker", daemon=True)
        self._thread.start()
        return self.t0

    def _play(self, render, quiet) -> None:
        # audio threads ask for real-time scheduling where the system allows it (as sound servers do
        # through rtkit); without it a busy machine can starve the device and the cues slip until the
        # next silence, where the timeline is corrected
        try:
            os.sched_setscheduler(threading.get_native_id(), os.SCHED_FIFO, os.sched_param(10))
        except (PermissionError, AttributeError, OSError) as error:
            log.debug("no real-time priority for the speaker thread (%s)", error)
        gaps: deque[float] = deque(maxlen=10)
        silence = np.zeros(self.block, np.float32)
        self._stream.start()
        try:
            # after a blocking write the device buffer is full, so its size is the wait until the next
            # block is heard (PortAudio's `latency` is what was asked for, not always what was given)
            self.latency_s = self._stream.write_available / self.rate + self.extra_latency_s
        except Exception as error:
            log.debug("buffer size unknown (%s); using the reported latency", error)
        log.info("breathing speaker '%s' at %d Hz, %.0f ms to the ear", self.device_name, self.rate,
                 self.latency_s * 1000)
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                target = (now - self.t0 + self.latency_s) * self.rate
                if target < 0:
                    block = silence  # before the start: fill the device buffer with silence
                else:
                    gaps.append(target - self.position)
                    if self.position == 0 and abs(gaps[-1]) > TOLERANCE_S * self.rate:
                        log.info("the speaker started %.0f ms late", gaps[-1] / self.rate * 1000)
                    if len(gaps) >= 10:
                        gap = int(round(statistics.median(gaps)))
                        # ahead of the clock, silence can only be added a whole block at a time: less than
                        # a block ahead is what a blocking write's own granularity looks like, not drift
                        ahead_by_blocks = -gap // self.block if gap < 0 else 0
                        if (gap > TOLERANCE_S * self.rate or ahead_by_blocks) and quiet(self.position, max(self.block, gap)):
                            self.corrections.append((self.position / self.rate, gap / self.rate))
                            log.debug("timeline %+.0f ms at %.2f s", gap / self.rate * 1000, self.position / self.rate)
                            gaps.clear()
                            if gap > 0:
                                self.position += gap  # behind the clock: skip that much silence
                            else:
                                # ahead of the clock: play that much extra silence (the write waits it out)
                                for _ in range(ahead_by_blocks):
                                    self._write(silence)
                                continue
                    block = render(self.position, self.block)
                    self.position += self.block
                self._write(block)
        except Exception as error:
            log.warning("breathing speaker stopped: %s", error)
        finally:
            try:
                self._stream.stop()
            except Exception:
                pass

    def _write(self, block: np.ndarray) -> None:
        self._stream.write(np.ascontiguousarray(block, dtype=np.float32).reshape(-1, 1))

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
        if self._stream is not None:
            self._stream.close()
            self._stream = None
