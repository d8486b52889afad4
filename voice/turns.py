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
from typing import Protocol

import numpy as np

from .events import SAMPLE_RATE, AudioFrame, Pause, PauseObserved, SpeechStarted, TurnEnded, TurnMayEnd
from .room import HOP, RoomNoise
from .vad import VoiceActivityDetector

TurnEvent = SpeechStarted | PauseObserved | TurnMayEnd | TurnEnded


class EndOfTurnJudge(Protocol):
    """Decides when a silence ends the turn, from more than its length (see stillpoint.turn_end).

    The segmenter calls `prepare` as soon as a silence begins (`prepare_ms`: the words take the
    longest to read, so they start first), `begin` when the silence is long enough to consider
    (`speculate_ms`), then `should_end` on every 32 ms step of that silence, and `cancel` if the
    person speaks again.
    Without a judge, `end_of_turn_ms` of silence ends every turn; with one, it is the longest
    silence any turn is held open."""

    def prepare(self, end_s: float, at_s: float, audio: np.ndarray) -> None:
        """The speech stopped at `end_s`, heard at `at_s`; `audio` is the turn up to `at_s`."""

    def begin(self, offer: TurnMayEnd, heard: np.ndarray) -> None:
        """`heard`: the turn's audio up to now, the silence so far included."""

    def should_end(self, silence_ms: float, now_s: float) -> bool:
        """True to end the turn now, `silence_ms` after the speech stopped."""

    def cancel(self) -> None:
        """The person spoke again (or the turn ended): drop the silence being judged."""


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
    refine_ms: int = 400  # how far back energy may move a pause's start from where the VAD put it (0: off)
    refine_onset_ms: int = 150  # how far energy may move a pause's end (the VAD hears onsets promptly)
    speculate_ms: int = 200  # after this much silence, offer the turn for early transcription and judging (0: off)
    prepare_ms: int = 0  # after this much silence (0: at once), the judge starts reading the words


class TurnSegmenter:
    def __init__(self, vad: VoiceActivityDetector, settings: TurnSettings | None = None,
                 judge: "EndOfTurnJudge | None" = None):
        self.vad = vad
        self.settings = settings or TurnSettings()
        self.judge = judge
        self.room = RoomNoise()
        self.reset()

    # -- state -----------------------------------------------------------------------------
    def reset(self) -> None:
        """Start over (a new stream, or after the companion spoke with barge-in off)."""
        self.vad.reset()
        self.room.reset()
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
        self._prepared = False  # the judge was asked to start reading the current silence's words
        self._speech_end: int | None = None  # where the current silence really began (refined)
        self._offer_audio: np.ndarray | None = None  # the audio offered in this silence's TurnMayEnd
        if getattr(self, "judge", None) is not None:
            self.judge.cancel()

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
        self.room.feed(chunk, start)
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
            if (self._offered or self._prepared) and self.judge is not None:
                self.judge.cancel()
            self._offered = False
            self._prepared = False
            self._speech_end = None
        if not self._speaking and self._silence_start is not None:
            if not self._offered:  # until offered, re-place where the speech really stopped
                self._speech_end = self._refine(self._silence_start, end)[0] if s.refine_ms else self._silence_start
            silent_ms = self._ms(end - self._speech_end)
            if silent_ms >= s.end_of_turn_ms or (
                self._offered and self.judge is not None and self.judge.should_end(silent_ms, self._s(end))
            ):
                events.extend(self._end_turn(end, forced=False))
                return events
            if (self.judge is not None and s.speculate_ms and not self._prepared and not self._offered
                    and silent_ms >= s.prepare_ms and self._ms(self._speech_samples) >= s.min_turn_speech_ms):
                self._prepared = True
                self.judge.prepare(self._s(self._speech_end), self._s(end), self._turn_slice(until=end))
            if s.speculate_ms and silent_ms >= s.speculate_ms and not self._offered:
                self._offered = True
                if self._ms(self._speech_samples) >= s.min_turn_speech_ms:
                    offer = TurnMayEnd(self._s(self._turn_start), self._s(self._speech_end), self._s(end),
                                       self._turn_slice())
                    self._offer_audio = offer.audio
                    if self.judge is not None:
                        self.judge.begin(offer, self._turn_slice(until=end))
                    events.append(offer)
        if self._s(end - self._turn_start) >= s.max_turn_s:
            if self._speaking:
                self._last_speech_end = end
            events.extend(self._end_turn(end, forced=True))
        return events

    def _refine(self, silence_start: int, speech_resume: int) -> tuple[int, int]:
        """Place a pause's edges where the signal meets the room's own noise floor.

        The VAD is the gate (it decides that there was a pause); energy against the running floor
        (`voice.room`) says where. VAD models lag at the end of speech — 50 ms in a quiet room,
        200–300 ms in an ordinary one — so the start may move back by up to `refine_ms`; the VAD's
        onsets are close, so the end moves at most `refine_onset_ms` either way. From the pause's
        quiet core we walk outwards to the nearest loud stretch (two 10 ms steps or more, so a
        click does not count) on each side.
        """
        s = self.settings
        if not s.refine_ms:
            return silence_start, speech_resume
        back = round(s.refine_ms * SAMPLE_RATE / 1000)
        onset = round(s.refine_onset_ms * SAMPLE_RATE / 1000)
        first, last = self.room.clip((silence_start - back) // HOP, (speech_resume + onset) // HOP + 1)
        loud = self.room.loud(first, last)
        if len(loud) < 4:
            return silence_start, speech_resume
        core = _longest_quiet_run(loud, (silence_start - first * HOP) // HOP, (speech_resume - first * HOP) // HOP)
        if core is None:
            return silence_start, speech_resume
        a, b = core  # quiet steps [a, b)
        solid = loud & (np.r_[False, loud[:-1]] | np.r_[loud[1:], False])  # loud with a loud neighbour
        before = np.flatnonzero(solid[:a])
        after = np.flatnonzero(solid[b:])
        start = (first + before[-1]) * HOP + HOP + HOP // 2 if len(before) else silence_start - back
        end = (first + b + after[0]) * HOP + HOP if len(after) else speech_resume
        start = min(max(start, silence_start - back), silence_start + onset)
        end = min(max(end, speech_resume - onset), speech_resume + onset)
        if end <= start:
            return silence_start, speech_resume
        return int(start), int(end)

    def speech_end_estimate(self) -> float | None:
        """Where the current silence really began (seconds), refined against the room's floor;
        None while the person is speaking or no turn is open."""
        if not self._in_turn or self._speaking or self._silence_start is None:
            return None
        start, _ = self._refine(self._silence_start, self._clock_samples or self._silence_start)
        return self._s(start)

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

    def _turn_slice(self, until: int | None = None) -> np.ndarray:
        """The turn's audio from the pre-roll to a short tail after the last speech (or to `until`:
        the sound model hears the silence so far, as it was trained to)."""
        audio = np.concatenate(self._turn_audio) if self._turn_audio else np.zeros(0, np.float32)
        if until is not None:
            return audio[: max(0, until - self._turn_audio_start)]
        keep = self._last_speech_end + round(self.settings.tail_ms * SAMPLE_RATE / 1000) - self._turn_audio_start
        return audio[: max(0, keep)]

    def _end_turn(self, decided: int, forced: bool) -> list[TurnEvent]:
        s = self.settings
        audio = self._offer_audio if (self._offered and not forced and self._offer_audio is not None) else self._turn_slice()
        if self._prepared and not self._offered and self.judge is not None:
            self.judge.cancel()  # words begun for a silence never offered (an offered one stays the judge's)
        self._offered = False
        ended = self._speech_end if (not forced and self._speech_end is not None) else self._last_speech_end
        event = TurnEnded(
            start_s=self._s(self._turn_start),
            end_s=self._s(ended),
            decided_s=self._s(decided),
            audio=audio,
            audio_start_s=self._s(self._turn_audio_start),
            pauses=tuple(self._pauses),
            forced=forced,
        )
        enough = self._ms(self._speech_samples) >= s.min_turn_speech_ms
        if self._offered and self.judge is not None:
            self.judge.cancel()
        self._offered = False
        self._prepared = False
        self._speech_end = None
        self._in_turn = False
        self._speaking = False
        self._silence_start = None
        self._turn_audio = []
        self._pauses = []
        self._run_start = None
        self._run_samples = 0
        return [event] if enough else []


def _longest_quiet_run(loud: np.ndarray, lo: int, hi: int) -> tuple[int, int] | None:
    """The longest run of quiet steps inside [lo, hi) (at least 3 steps), as [a, b)."""
    lo, hi = max(lo, 0), min(hi, len(loud))
    best, run_start = None, None
    for i in range(lo, hi + 1):
        quiet = i < hi and not loud[i]
        if quiet and run_start is None:
            run_start = i
        elif not quiet and run_start is not None:
            if i - run_start >= 3 and (best is None or i - run_start > best[1] - best[0]):
                best = (run_start, i)
            run_start = None
    return best
