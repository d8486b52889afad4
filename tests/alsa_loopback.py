"""A sound card made of two named pipes, for testing the live loop through real PortAudio.

ALSA's `file` PCM plugin reads capture data from `infile` and writes playback data to `file`.
Both are FIFOs here, driven by this harness in real time: a writer feeds the "microphone" 20 ms
at a time (then room noise for as long as the test runs), and a reader drains the "speaker" 20 ms
at a time, noting when each block arrived and how loud it was. Small pipe buffers keep the
timing honest.

ALSA's file plugin handles a short read from `infile` badly (the missing part of the period is
not audio), so a paced feed can lose samples when the machine is busy. `paced=False` keeps the
pipe full instead: every sample arrives intact, but the microphone then runs faster than real
time — right for checking what was heard, wrong for timing barge-in. The `.asoundrc` goes in a temporary HOME so nothing on the machine changes.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import numpy as np

RATE = 16_000  # the microphone pipe
SPEAKER_RATE = 48_000  # the speaker pipe: at 48 kHz its 4 KiB buffer holds only ~43 ms
BLOCK = 320  # 20 ms at RATE
SPEAKER_BLOCK = 960  # 20 ms at SPEAKER_RATE
F_SETPIPE_SZ = 1031

ASOUNDRC = """
pcm.!default {{
  type asym
  capture.pcm "stillpoint_mic"
  playback.pcm "stillpoint_speaker"
}}
pcm.stillpoint_mic {{
  type plug
  slave {{ pcm "stillpoint_mic_file"; format S16_LE; rate {rate}; channels 1 }}
}}
pcm.stillpoint_mic_file {{
  type file
  slave.pcm "null"
  file "/dev/null"
  infile "{mic}"
  format "raw"
}}
pcm.stillpoint_speaker {{
  type plug
  slave {{ pcm "stillpoint_speaker_file"; format S16_LE; rate {speaker_rate}; channels 1 }}
}}
pcm.stillpoint_speaker_file {{
  type file
  slave.pcm "null"
  file "{speaker}"
  format "raw"
}}
"""


class AlsaLoopback:
    def __init__(self, home: Path, recording: np.ndarray, noise: float = 0.002, paced: bool = True):
        self.home = home
        self.mic_path = home / "mic.fifo"
        self.speaker_path = home / "speaker.fifo"
        os.mkfifo(self.mic_path)
        os.mkfifo(self.speaker_path)
        (home / ".asoundrc").write_text(ASOUNDRC.format(rate=RATE, speaker_rate=SPEAKER_RATE, mic=self.mic_path, speaker=self.speaker_path))
        # O_RDWR opens never block and keep each pipe alive while ALSA opens and closes it
        self._mic_fd = os.open(self.mic_path, os.O_RDWR)
        self._speaker_fd = os.open(self.speaker_path, os.O_RDWR | os.O_NONBLOCK)
        for fd in (self._mic_fd, self._speaker_fd):
            fcntl.fcntl(fd, F_SETPIPE_SZ, 4096)
        self.recording = recording
        self.noise = noise
        self.paced = paced
        self.heard: list[tuple[float, np.ndarray]] = []  # (wall time, samples) from the speaker
        self.t0: float | None = None  # wall time when the recording's first sample was written
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._feed, daemon=True), threading.Thread(target=self._drain, daemon=True)]

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(2)
        os.close(self._mic_fd)
        os.close(self._speaker_fd)

    def _feed(self):
        rng = np.random.default_rng(0)
        start = time.monotonic()
        self.t0 = time.time()
        i = 0
        while not self._stop.is_set():
            if i < len(self.recording):
                block = self.recording[i : i + BLOCK]
            else:
                block = (rng.standard_normal(BLOCK) * self.noise).astype(np.float32)
            try:
                os.write(self._mic_fd, (np.clip(block, -1, 1) * 32767).astype("<i2").tobytes())
            except OSError:
                return
            i += BLOCK
            delay = start + i / RATE - time.monotonic()
            if self.paced and delay > 0:
                time.sleep(delay)

    def _drain(self):
        start = time.monotonic()
        ticks = 0
        while not self._stop.is_set():
            try:
                data = os.read(self._speaker_fd, SPEAKER_BLOCK * 2)
            except BlockingIOError:
                data = b""
            except OSError:
                return
            if data:
                self.heard.append((time.time(), np.frombuffer(data[: len(data) // 2 * 2], "<i2").astype(np.float32) / 32767))
            ticks += 1
            delay = start + ticks * SPEAKER_BLOCK / SPEAKER_RATE - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def speaker_audio(self) -> np.ndarray:
        return np.concatenate([s for _, s in self.heard]) if self.heard else np.zeros(0, np.float32)

    def loud_times(self, level: float = 0.02) -> list[float]:
        """Wall times of speaker blocks that carried sound."""
        return [t for t, s in self.heard if len(s) and np.abs(s).max() > level]
