"""Turn-taking: a streaming segmenter that tells pauses inside a turn from the end of a turn.

People pause mid-thought all the time, and those pauses are what Stillpoint exists to notice,
so the two thresholds are separate: silence of `pause_min_ms` or more followed by more speech
is a *pause* (kept, with start and length); only `end_of_turn_ms` of silence ends the turn.
Frame decisions use hysteresis (a speech threshold and a lower silence threshold) and speech
must last `speech_confirm_ms` before it counts, so a click or a breath does not open a turn or
cut a pause in two.

`process(frame)` returns the events that frame caused — one step per stage, like a Pipecat
frame processor — and `flush()` closes a turn left open when the input ends.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from .events import SAMPLE_RATE, AudioFrame, Pause, PauseObserved, SpeechStarted, TurnEnded, TurnMayEnd
from .vad import VoiceActivityDetector

TurnEvent = SpeechStarted | PauseObserved | TurnMayEnd | TurnEnded


@dataclass(frozen=True)
class TurnSettings:
    pause_min_ms: int = 250
    end_of_turn_ms: int = 800
    speech_confirm_ms: int = 90
    min_turn_speech_ms: int = 200
    max_turn_s: float = 60.0
    preroll_ms: int = 300
    tail_ms: int = 200
    silence_margin: float = 0.15  # silence needs probability below threshold minus this
    refine_ms: int = 150  # how far energy may move a pause edge from where the VAD put it (0: off)
    speculate_ms: int = 300  # after this much silence, offer the turn for early transcription (0: off)


class TurnSegmenter:
    def __init__(self, vad: VoiceActivityDetector, settings: TurnSettings | None = None):
        self.vad = vad
        self.settings = settings or TurnSettings()
        self.reset()

    # -- state -----------------------------------------------------------------------------
    def reset(self) -> None:
        """Start over (a new stream, or after the companion spoke with barge-in off)."""
        self.vad.reset()
        self._pending = np.zeros(0, dtype=np.float32)
        self._clock_samples: int | None = None  # absolute sample index of _pending[0]
        self._in_turn = False
        self._speaking = False  # last confirmed state inside a turn
        self._run_start: int | None = None  # sample where an unconfirmed speech run began
        self._run_samples = 0
        self._silence_start: int | None = None  # sample where the current in-turn silence began
        self._turn_start = 0
        self._last_speech_end = 0
        self._speech_samples = 0
        self._pauses: list[Pause] = []
        self._turn_audio: list[np.ndarray] = []
        self._turn_audio_start = 0
        self._preroll: deque[tuple[int, np.ndarray]] = deque()
        self._was_speech = False
        self._offered = False  # a TurnMayEnd was emitted for the current silence

    @property
    def in_turn(self) -> bool:
        return self._in_turn

    def _ms(self, samples: int) -> float:
        return samples * 1000.0 / SAMPLE_RATE

    @staticmethod
    def _s(samples: int) -> float:
        return samples / SAMPLE_RATE

    # -- streaming -------------------------------------------------------------------------
    def process(self, frame: AudioFrame) -> list[TurnEvent]:
        if self._clock_samples is None:
            self._clock_samples = round(frame.start_s * SAMPLE_RATE)
        self._pending = np.concatenate([self._pending, frame.samples.astype(np.float32, copy=False)])
        events: list[TurnEvent] = []
        size = self.vad.frame_samples
        while len(self._pending) >= size:
            chunk, self._pending = self._pending[:size], self._pending[size:]
            start = self._clock_samples
            self._clock_samples += size
            events.extend(self._step(chunk, start))
        return events

    def flush(self) -> list[TurnEvent]:
        """The input ended: close an open turn (as forced) so its words are not lost."""
        if not self._in_turn:
            return []
        now = self._clock_samples or 0
        if self._speaking or self._silence_start is None:
            self._last_speech_end = now
        return self._end_turn(now, forced=True)

    def _is_speech(self, chunk: np.ndarray) -> bool:
        p = self.vad.speech_probability(chunk)
        if p >= self.vad.threshold:
            self._was_speech = True
        elif p < self.vad.threshold - self.settings.silence_margin:
            self._was_speech = False
        return self._was_speech

    def _step(self, chunk: np.ndarray, start: int) -> list[TurnEvent]:
        s = self.settings
        end = start + len(chunk)
        speech = self._is_speech(chunk)
        events: list[TurnEvent] = []
        confirm = round(s.speech_confirm_ms * SAMPLE_RATE / 1000)

        if speech:
            if self._run_start is None:
                self._run_start = start
                self._run_samples = 0
            self._run_samples += len(chunk)
        else:
            self._run_start = None
            self._run_samples = 0
        confirmed = self._run_start is not None and self._run_samples >= confirm

        if not self._in_turn:
            self._preroll.append((start, chunk))
            preroll = round(s.preroll_ms * SAMPLE_RATE / 1000) + confirm
            while self._preroll and self._preroll[0][0] + len(self._preroll[0][1]) < end - preroll:
                self._preroll.popleft()
            if confirmed:
                self._open_turn(self._run_start)
                events.append(SpeechStarted(start_s=self._s(self._run_start), detected_s=self._s(end)))
            return events

        self._turn_audio.append(chunk)
        if speech and self._run_start is not None:
            self._speech_samples += len(chunk)
        if confirmed:
            if not self._speaking and self._silence_start is not None:
                start_, end_ = self._refine(self._silence_start, self._run_start)
                gap = end_ - start_
                if self._ms(gap) >= s.pause_min_ms:
                    pause = Pause(start_s=self._s(start_), duration_s=self._s(gap))
                    self._pauses.append(pause)
                    events.append(PauseObserved(pause))
            self._speaking = True
            self._silence_start = None
            self._last_speech_end = end
        elif not speech and self._speaking:
            self._speaking = False
            self._silence_start = self._last_speech_end
        elif not speech and self._silence_start is None:
            self._silence_start = self._last_speech_end

        if confirmed:
            self._offered = False
        if not self._speaking and self._silence_start is not None:
            silent_ms = self._ms(end - self._silence_start)
            if silent_ms >= s.end_of_turn_ms:
                events.extend(self._end_turn(end, forced=False))
                return events
            if s.speculate_ms and silent_ms >= s.speculate_ms and not self._offered:
                self._offered = True
                if self._ms(self._speech_samples) >= s.min_turn_speech_ms:
                    events.append(TurnMayEnd(self._s(self._turn_start), self._s(self._last_speech_end), self._s(end),
                                             self._turn_slice()))
        if self._s(end - self._turn_start) >= s.max_turn_s:
            if self._speaking:
                self._last_speech_end = end
            events.extend(self._end_turn(end, forced=True))
        return events

    def _refine(self, silence_start: int, speech_resume: int) -> tuple[int, int]:
        """Sharpen a pause's edges with the signal's energy.

        VAD models answer per 30 ms window and lag at edges (Silero keeps saying "speech" for
        ~50 ms after a voice stops, sometimes 100 ms or more). Around each edge we measure 10 ms
        energy against the pause's own noise floor: the pause starts after the last loud frame
        before its quiet middle and ends at the first loud frame after it. Edges move at most
        `refine_ms`, so a breath or a click cannot drag them far.
        """
        s = self.settings
        if not s.refine_ms or not self._turn_audio:
            return silence_start, speech_resume
        hop = SAMPLE_RATE // 100
        reach = round(s.refine_ms * SAMPLE_RATE / 1000)
        origin = self._turn_audio_start
        audio = np.concatenate(self._turn_audio[-(2 + (speech_resume - silence_start + 2 * reach) // self.vad.frame_samples):])
        audio_origin = origin + sum(len(c) for c in self._turn_audio) - len(audio)
        lo = max(audio_origin, silence_start - reach)
        hi = min(audio_origin + len(audio), speech_resume + reach)
        segment = audio[lo - audio_origin : hi - audio_origin]
        n = len(segment) // hop
        if n < 4:
            return silence_start, speech_resume
        rms = np.sqrt(np.mean(segment[: n * hop].reshape(n, hop) ** 2, axis=1)) + 1e-7
        inner = rms[(silence_start - lo) // hop : max((silence_start - lo) // hop + 1, (speech_resume - lo) // hop)]
        floor = float(np.percentile(inner, 30)) if len(inner) else float(rms.min())
        loud = rms > max(floor * 4.0, floor + 0.004)
        middle = ((silence_start + speech_resume) // 2 - lo) // hop
        middle = min(max(middle, 0), n - 1)
        before = np.flatnonzero(loud[:middle])
        after = np.flatnonzero(loud[middle:])
        start = lo + (before[-1] + 1) * hop if len(before) else silence_start
        end = lo + (middle + after[0]) * hop if len(after) else speech_resume
        start = min(max(start, silence_start - reach), silence_start + reach)
        end = min(max(end, speech_resume - reach), speech_resume + reach)
        if end <= start:
            return silence_start, speech_resume
        return start, end

    def _open_turn(self, speech_start: int) -> None:
        self._in_turn = True
        self._speaking = True
        self._silence_start = None
        self._turn_start = speech_start
        self._last_speech_end = speech_start + self._run_samples
        self._speech_samples = self._run_samples
        self._pauses = []
        self._turn_audio = [c for _, c in self._preroll]
        self._turn_audio_start = self._preroll[0][0] if self._preroll else speech_start
        self._preroll.clear()

    def _turn_slice(self) -> np.ndarray:
        """The turn's audio from the pre-roll to a short tail after the last speech."""
        audio = np.concatenate(self._turn_audio) if self._turn_audio else np.zeros(0, np.float32)
        keep = self._last_speech_end + round(self.settings.tail_ms * SAMPLE_RATE / 1000) - self._turn_audio_start
        return audio[: max(0, keep)]

    def _end_turn(self, decided: int, forced: bool) -> list[TurnEvent]:
        s = self.settings
        audio = self._turn_slice()
        self._offered = False
        event = TurnEnded(
            start_s=self._s(self._turn_start),
            end_s=self._s(self._last_speech_end),
            decided_s=self._s(decided),
            audio=audio,
            audio_start_s=self._s(self._turn_audio_start),
            pauses=tuple(self._pauses),
            forced=forced,
        )
        enough = self._ms(self._speech_samples) >= s.min_turn_speech_ms
        self._in_turn = False
        self._speaking = False
        self._silence_start = None
        self._turn_audio = []
        self._pauses = []
        self._run_start = None
        self._run_samples = 0
        return [event] if enough else []
