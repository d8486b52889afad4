"""Scripted fakes for exact, fast tests of timing and cancellation, beside the real-model tests.

Every fake spends its compute time on a shared `FakeClock` instead of the CPU. On the recording
path (inline) spending simply moves the clock on, as real compute would be measured. On the
live path the clock is the fake audio device's: the microphone thread moves it frame by frame,
and a fake that spends time blocks until the device clock gets there — and the microphone waits
until every worker is either waiting on the clock or finished before it moves on, so a live run
is as deterministic as a recording.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence

import numpy as np

from voice.events import SAMPLE_RATE, AudioFrame, SpeechAudio, Transcript

WORKERS = ("reply", "early-stt")  # the engine's worker threads, by name prefix


def _blocked(frame) -> bool:
    """Whether a thread whose innermost Python frame is `frame` waits on something not yet there.

    Waiting is read from what it waits for, never from where it stands (a woken thread still
    stands in `wait` until it is scheduled): the clock's deadline, a future's result, the work
    queue of an idle pool thread."""
    code = frame.f_code
    if code.co_name == "_worker" and code.co_filename.endswith(os.path.join("concurrent", "futures", "thread.py")):
        return frame.f_locals["work_queue"].empty()
    if not code.co_filename.endswith("threading.py"):
        return False
    while frame is not None:
        code = frame.f_code
        if code.co_name == "result" and code.co_filename.endswith(os.path.join("concurrent", "futures", "_base.py")):
            return not frame.f_locals["self"].done()
        if code.co_name == "spend" and code.co_filename == __file__:
            return True  # FakeClock: a deadline come but not yet left shows in its `_deadlines`
        frame = frame.f_back
    return True


class FakeClock:
    def __init__(self, live: bool = False):
        self.live = live
        self._now = 0.0
        self._cond = threading.Condition()
        self._deadlines: dict[int, float] = {}  # workers blocked until the clock reaches their deadline

    def __call__(self) -> float:
        return self._now

    def spend(self, seconds: float) -> None:
        """Compute for `seconds` of audio-clock time."""
        if seconds <= 0:
            return
        with self._cond:
            if not self.live:
                self._now += seconds
                return
            me = threading.get_ident()
            deadline = self._deadlines[me] = self._now + seconds - 1e-9
            self._cond.wait_for(lambda: self._now >= deadline)
            del self._deadlines[me]

    def _quiet(self) -> bool:
        if any(d <= self._now for d in list(self._deadlines.values())):
            return False  # woken, not yet running
        frames = sys._current_frames()
        return all(_blocked(frames[t.ident]) for t in threading.enumerate()
                   if t.name.startswith(WORKERS) and t.ident in frames)

    def settle(self, timeout_s: float = 20.0) -> None:
        """Wait (real time) until every engine worker waits on the clock or has finished."""
        give_up = time.monotonic() + timeout_s
        while not self._quiet():
            if time.monotonic() > give_up:
                raise TimeoutError("an engine worker kept running")
            time.sleep(0.0002)

    def advance_to(self, t: float) -> None:
        """The device clock moves on (live): whoever's deadline has come runs before it moves again."""
        self.settle()
        with self._cond:
            self._now = max(self._now, t)
            self._cond.notify_all()
        self.settle()


class FakeTranscriber:
    """Hears `text` (one entry per turn, in order; the last repeats) after `delay_s`."""

    def __init__(self, clock: FakeClock, text: str | Sequence[str], delay_s: float = 0.1):
        self.clock = clock
        self.texts = [text] if isinstance(text, str) else list(text)
        self.delay_s = delay_s
        self.heard: list[float] = []  # durations of the audio it was given
        self._next = 0
        self._by_audio: dict[int, str] = {}  # the same turn always gets the same words

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        self.clock.spend(self.delay_s)
        key = hash(audio[:800].tobytes())  # a turn's early and final transcripts begin alike
        if key not in self._by_audio:
            self._by_audio[key] = self.texts[min(self._next, len(self.texts) - 1)]
            self._next += 1
        self.heard.append(len(audio) / SAMPLE_RATE)
        return Transcript(self._by_audio[key])


class FakeBackend:
    """A chat backend that says `sentences` after `ttft_s` (then `per_sentence_s` each)."""

    name = "fake"

    def __init__(self, clock: FakeClock, sentences: Sequence[str], ttft_s: float = 0.2, per_sentence_s: float = 0.0):
        self.clock = clock
        self.sentences = list(sentences)
        self.ttft_s = ttft_s
        self.per_sentence_s = per_sentence_s
        self.calls = 0
        self.seen: list = []  # the messages of each call

    def stream_chat(self, messages, *, max_tokens: int, temperature: float) -> Iterator[str]:
        self.calls += 1
        self.seen.append(list(messages))
        self.clock.spend(self.ttft_s)
        for i, sentence in enumerate(self.sentences):
            if i:
                self.clock.spend(self.per_sentence_s)
            yield sentence + " "

    def close(self) -> None:
        pass


class FakeSynthesizer:
    """Speaks any text as a tone lasting `seconds_per_word` a word, after `delay_s` of compute."""

    def __init__(self, clock: FakeClock, sample_rate: int = 22050, seconds_per_word: float = 0.3,
                 delay_s: float = 0.0):
        self.clock = clock
        self.sample_rate = sample_rate
        self.seconds_per_word = seconds_per_word
        self.delay_s = delay_s

    def synthesize(self, text: str, *, length_scale: float | None = None) -> Iterator[SpeechAudio]:
        self.clock.spend(self.delay_s)
        n = round(len(text.split()) * self.seconds_per_word * (length_scale or 1.0) * self.sample_rate)
        t = np.arange(n) / self.sample_rate
        yield SpeechAudio(text, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), self.sample_rate)


class FakeMicrophone:
    """The fake audio device's input: `audio` in frames of the VAD's size (32 ms), each moving the
    device clock, so every decision the segmenter takes falls on a frame's end."""

    device_name = "fake"

    def __init__(self, clock: FakeClock, audio: np.ndarray, frame_s: float = 0.032):
        self.clock = clock
        self.audio = audio
        self.frame = round(frame_s * SAMPLE_RATE)

    def frames(self) -> Iterator[AudioFrame]:
        for i in range(0, len(self.audio), self.frame):
            frame = AudioFrame(self.audio[i : i + self.frame], i / SAMPLE_RATE)
            self.clock.advance_to(frame.end_s)
            yield frame
        self.clock.advance_to(len(self.audio) / SAMPLE_RATE)

    def close(self) -> None:
        pass


class FakeSpeaker:
    """The fake audio device's output (a `ReplyOutput` on the device clock): keeps what was played where."""

    def __init__(self, clock: FakeClock):
        self.device_clock = clock
        self.clock = clock  # the live loop points this at the microphone's clock; the device keeps its own
        self.played: list[list] = []  # [start_s, end_s, text]
        self.sounds: list[list] = []  # [start_s, samples, rate]: what was heard, for onsets (breathing)

    def play(self, speech: SpeechAudio, at_s: float) -> float:
        start = max(at_s, self.device_clock(), self.played[-1][1] if self.played else 0.0)
        self.played.append([start, start + speech.duration_s, speech.text])
        self.sounds.append([start, speech.samples, speech.sample_rate])
        return start

    def cut(self, at_s: float) -> float:
        at = max(at_s, self.device_clock())
        self.played = [[s, min(e, at), text] for s, e, text in self.played if s < at]
        self.sounds = [[s, samples[: max(0, round((at - s) * rate))], rate] for s, samples, rate in self.sounds if s < at]
        return at

    def heard(self, rate: int) -> np.ndarray:
        """Everything played, as one signal from 0 s (each sound at its sample)."""
        end = max((round(s * rate) + len(x) for s, x, _ in self.sounds), default=0)
        out = np.zeros(end, np.float32)
        for s, x, r in self.sounds:
            assert r == rate
            out[round(s * rate) : round(s * rate) + len(x)] += x
        return out

    def playing_until(self) -> float:
        return self.played[-1][1] if self.played else 0.0

    def wait(self, timeout_s=None) -> bool:
        return True

    def close(self) -> None:
        pass
