"""Audio sinks: the speaker (PortAudio via sounddevice) and a WAV file of the conversation.

Both are `ReplyOutput`s (see `voice.protocols`): the conversation engine plays a sentence at a
moment on the audio clock, cuts at a moment, and asks until when something is playing; it never
needs to know which of the two it is talking to.

`ConversationRecorder` writes what a listener in the room would have heard: the user's audio in
place, and each reply mixed in at the moment it would have started playing (cut short where the
user barged in). It streams: replies wait in a small overlay until the user audio reaches them,
so memory stays flat however long the recording is.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile
import soxr

from .errors import NoSpeakerError, VoiceError
from .events import SAMPLE_RATE, AudioFrame, SpeechAudio
from .protocols import ReplyOutput

__all__ = ["ConversationRecorder", "ReplyOutput", "SpeakerSink"]

log = logging.getLogger(__name__)


class ConversationRecorder:
    def __init__(self, path: str | Path, sample_rate: int):
        self.path = Path(path)
        self.sample_rate = sample_rate
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = soundfile.SoundFile(
                str(self.path), mode="w", samplerate=sample_rate, channels=1, subtype="PCM_16", format="WAV"
            )
        except Exception as error:
            raise VoiceError(f"Cannot write the reply file {self.path}: {error}") from None
        self._resampler = soxr.ResampleStream(SAMPLE_RATE, sample_rate, 1, dtype="float32")
        self._written = 0  # samples at the output rate
        self._overlay: list[tuple[int, np.ndarray]] = []
        self._until = 0  # end of the last reply audio scheduled, in samples

    def _at(self, seconds: float) -> int:
        return round(seconds * self.sample_rate)

    @property
    def written_s(self) -> float:
        return self._written / self.sample_rate

    def write_user(self, frame: AudioFrame) -> None:
        self._write(self._resampler.resample_chunk(frame.samples, last=False))

    def schedule_reply(self, samples: np.ndarray, sample_rate: int, at_s: float) -> float:
        """Place reply audio to start at `at_s` (or now, if that moment is already written).

        Returns where it was placed, in seconds.
        """
        if sample_rate != self.sample_rate:
            samples = soxr.resample(samples, sample_rate, self.sample_rate).astype(np.float32)
        start = max(self._at(at_s), self._written)
        self._overlay.append((start, samples.astype(np.float32, copy=False)))
        return start / self.sample_rate

    def cut_replies_at(self, at_s: float) -> float:
        """Barge-in: nothing of a reply is heard after `at_s`."""
        cut = max(self._at(at_s), self._written)
        kept = []
        for start, samples in self._overlay:
            if start >= cut:
                continue
            kept.append((start, samples[: cut - start]))
        self._overlay = kept
        self._until = min(self._until, cut)
        return cut / self.sample_rate

    # ReplyOutput: the file's clock is the recording's own
    def play(self, speech: SpeechAudio, at_s: float) -> float:
        placed = self.schedule_reply(speech.samples, speech.sample_rate, max(at_s, self._until / self.sample_rate))
        self._until = max(self._until, self._at(placed) + round(speech.duration_s * self.sample_rate))
        return placed

    def cut(self, at_s: float) -> float:
        return self.cut_replies_at(at_s)

    def playing_until(self) -> float:
        return self._until / self.sample_rate

    def _write(self, block: np.ndarray) -> None:
        if not len(block):
            return
        block = block.astype(np.float32, copy=True)
        begin, end = self._written, self._written + len(block)
        remaining = []
        for start, samples in self._overlay:
            stop = start + len(samples)
            lo, hi = max(begin, start), min(end, stop)
            if lo < hi:
                block[lo - begin : hi - begin] += samples[lo - start : hi - start]
            if stop > end:
                remaining.append((start, samples))
        self._overlay = remaining
        try:
            self._file.write(np.clip(block, -1.0, 1.0))
        except Exception as error:
            raise VoiceError(f"Writing {self.path} failed (is the disk full?): {error}") from None
        self._written = end

    def close(self) -> None:
        """Flush the resampler and any reply still pending after the user audio ended."""
        self._write(self._resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
        if self._overlay:
            tail_end = max(start + len(samples) for start, samples in self._overlay)
            self._write(np.zeros(tail_end - self._written, dtype=np.float32))
        self._file.close()


class SpeakerSink:
    """Plays reply audio on the default (or chosen) output device, and can stop at once.

    A player thread writes 20 ms blocks with PortAudio's blocking API, only while there is
    something to say, so an idle speaker costs nothing. `stop()` (barge-in) empties the queue and
    aborts the stream, dropping what the device had buffered: the speaker goes quiet within one
    block plus the device's latency, not at the end of the sentence.
    """

    def __init__(
        self,
        sample_rate: int,
        device: int | str | None = None,
        block_ms: int = 20,
        clock: Callable[[], float] | None = None,
    ):
        """`clock` is the conversation's audio clock (the microphone's); by default, seconds since opening."""
        import sounddevice

        opened = time.monotonic()
        self.clock = clock or (lambda: time.monotonic() - opened)
        self._until = 0.0

        try:
            info = sounddevice.query_devices(device, kind="output")
        except Exception as error:
            raise NoSpeakerError(
                f"No speaker is available ({error}). Use --input FILE --output REPLY.wav to write replies to a file."
            ) from None
        self.device_name = info["name"]
        self._cond = threading.Condition()
        self._blocks: deque[np.ndarray] = deque()
        self._writing = False
        self._closed = False
        self._generation = 0
        self.rate = sample_rate
        self._stream = None
        for rate in (sample_rate, int(info.get("default_samplerate") or sample_rate)):
            try:
                self._stream = sounddevice.OutputStream(
                    samplerate=rate, channels=1, dtype="float32", device=device, latency="low"
                )
                self.rate = rate
                break
            except Exception as error:
                log.debug("speaker refused %d Hz: %s", rate, error)
        if self._stream is None:
            raise NoSpeakerError(f"The speaker '{self.device_name}' could not be opened; try --input FILE --output REPLY.wav.")
        self._block = int(self.rate * block_ms / 1000)
        self._thread = threading.Thread(target=self._player, name="speaker", daemon=True)
        self._thread.start()

    def _player(self) -> None:
        while True:
            with self._cond:
                while not self._blocks and not self._closed:
                    self._writing = False
                    self._cond.notify_all()
                    self._cond.wait()
                if self._closed and not self._blocks:
                    self._writing = False
                    self._cond.notify_all()
                    return
                block = self._blocks.popleft()
                generation = self._generation
                self._writing = True
            try:
                if not self._stream.active:
                    self._stream.start()
                if generation == self._generation:
                    self._stream.write(block.reshape(-1, 1))
            except Exception as error:
                log.warning("speaker write failed: %s", error)

    def play(self, speech: SpeechAudio, at_s: float) -> float:
        """Queue `speech` after what is playing; a moment still ahead is kept as silence first."""
        now = self.clock()
        with self._cond:  # re-entrant: _enqueue takes it again
            free_at = max(now, self._until) if (self._blocks or self._writing) else now
            start = max(free_at, at_s)
            lead = np.zeros(round((start - free_at) * speech.sample_rate), np.float32)
            self._enqueue(np.concatenate([lead, speech.samples]) if len(lead) else speech.samples, speech.sample_rate)
            self._until = start + speech.duration_s
        return start

    def cut(self, at_s: float) -> float:
        self.stop()
        now = self.clock()
        with self._cond:
            self._until = min(self._until, now)
        return now

    def playing_until(self) -> float:
        with self._cond:
            return self._until if (self._blocks or self._writing) else min(self._until, self.clock())

    def _enqueue(self, samples: np.ndarray, sample_rate: int) -> None:
        if sample_rate != self.rate:
            samples = soxr.resample(samples, sample_rate, self.rate).astype(np.float32)
        samples = samples.astype(np.float32, copy=False)
        with self._cond:
            for i in range(0, len(samples), self._block):
                self._blocks.append(samples[i : i + self._block])
            self._writing = True
            self._cond.notify_all()

    @property
    def is_playing(self) -> bool:
        with self._cond:
            return bool(self._blocks) or self._writing

    def stop(self) -> None:
        """Drop everything not yet played (barge-in)."""
        with self._cond:
            self._blocks.clear()
            self._generation += 1
        try:
            if self._stream is not None and self._stream.active:
                self._stream.abort()
        except Exception as error:
            log.debug("speaker abort: %s", error)

    def wait(self, timeout_s: float | None = None) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not self._blocks and not self._writing, timeout_s)

    def close(self) -> None:
        if self._stream is None:
            return
        self.wait(30)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=5)
        self._stream.close()
        self._stream = None
