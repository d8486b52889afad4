"""Runs a guided breathing exercise: cues on the clock, the person's voice heard throughout.

One `BreathingSession` holds the exercise's state (the plan, the cue track, what was heard) and is
driven by one of two clocks:

- live: a `ClockedSpeaker` pulls the cue track sample by sample against the monotonic clock while
  the microphone stays open on the main thread;
- a recording (`--input`) or nothing at all: the recording's own sample clock, and the output is
  written to a WAV — the same cues, the same steering, at the same times.

The microphone hears the cues too (open speakers, or a recording made in the room). An echo gate
compares each microphone frame with the cue audio that was playing at that moment: only sound
clearly louder than the cue's own echo counts as the person, and words that are only the cue's own
words ("in", "hold") are never taken for a request.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile
import soxr

from dialogue.breathing import (
    CHECK_IN, PHASE_WORDS, BreathingPlan, Cue, Pattern, Steering, Style, parse_mood, parse_steering,
)
from voice.cue_audio import NIGHT_GAIN, CueTrack, CueWords, tone
from voice.events import SAMPLE_RATE, AudioFrame, SpeechStarted, TurnEnded

log = logging.getLogger(__name__)

NIGHT_LENGTH_SCALE = 1.35  # night: slower speech
INTRO_GAP_S = 1.0  # quiet between the intro and the first breath
CLOSE_GAP_S = 0.8  # after the last breath out, before the closing words
ANSWER_WINDOW_S = 15.0  # how long the check-in waits for an answer
LOOKAHEAD_S = 0.05  # cues are put on the track this far ahead of the sample being rendered
ECHO_MARGIN = 4.0  # the person must be this many times louder than the cue's echo (+12 dB)
STEERING_END_OF_TURN_MS = 500  # steering words are short: end a turn sooner than in conversation
STEERING_PROMPT = "Slower. Faster. Stop. One more. Just tones."
CUE_WORDS = {*PHASE_WORDS.values(), "breathe", "and", "two", "three", "four", "five", "six", "seven", "eight"}


@dataclass(frozen=True)
class Heard:
    at_s: float
    text: str
    action: str  # what it did: "slower: …", "mood 7", "" (nothing)


@dataclass
class BreathingResult:
    plan: BreathingPlan
    heard: list[Heard] = field(default_factory=list)
    mood: int | None = None
    mood_words: str = ""
    closed_at_s: float = 0.0
    session_id: int | None = None
    cut_cues: int = 0
    t0_monotonic: float | None = None  # live: when exercise time 0 was heard (time.monotonic)

    def as_dict(self) -> dict:
        """The schedule as it was played (steering applied), what was heard, and the check-in."""
        return {**self.plan.as_dict(), **self.summary(), "t0_monotonic": self.t0_monotonic, "mood": self.mood,
                "closed_at_s": round(self.closed_at_s, 4), "cut_cues": self.cut_cues,
                "heard": [{"at_s": h.at_s, "text": h.text, "action": h.action} for h in self.heard]}

    def summary(self) -> dict:
        """The exercise as stored with the mood point."""
        p = self.plan
        return {"pattern": p.pattern.name, "planned_cycles": p.planned_cycles, "completed_cycles": p.completed_cycles(),
                "length_s": round(p.end_s - p.start_s, 1), "scale": round(p.scale, 3),
                "stopped": p.stopped_at is not None}


class EchoGate:
    """Tells the person from the cue audio the microphone also hears.

    The cue audio is known to the sample. While a cue sounds, the ratio of microphone level to cue
    level is the room's echo coupling plus whatever the person adds; its lowest value over time is
    the coupling alone. A frame counts as the person only if it is `ECHO_MARGIN` times louder than
    the echo that coupling predicts. With headphones the coupling is ~0 and everything passes.
    """

    def __init__(self) -> None:
        self.coupling: float | None = None

    def person(self, mic: np.ndarray, reference: np.ndarray) -> bool:
        ref = float(np.sqrt(np.mean(reference**2))) if len(reference) else 0.0
        if ref < 1e-4:
            return True
        level = float(np.sqrt(np.mean(mic**2)))
        ratio = level / ref
        self.coupling = ratio if self.coupling is None else min(self.coupling, ratio)
        return level > ECHO_MARGIN * self.coupling * ref + 0.004


class BreathingSession:
    """The exercise's state; both clocks call `render`, `on_frame` and `close_lines` the same way."""

    def __init__(self, plan: BreathingPlan, words: CueWords, rate: int, *, intro: np.ndarray | None = None,
                 close: Callable[[bool], np.ndarray] | None = None, gain: float = 1.0):
        self.plan = plan
        self.words = words
        self.rate = rate
        self.gain = gain
        self.track = CueTrack(rate)
        self.result = BreathingResult(plan)
        self._pushed_until = -1.0
        self._lock = threading.RLock()
        self._closing_at: float | None = None
        self._answer_until: float | None = None
        self._rendered_s = 0.0
        self._close = close or (lambda stopped: np.zeros(0, np.float32))
        self.person_speaking = False  # set by the ears: cues then play as tones only
        self.listening = True  # the check-in waits for an answer only while someone can be heard
        self.gate = EchoGate()
        if intro is not None and len(intro):
            self.track.add(0.0, intro * gain, "intro")

    # -- output ---------------------------------------------------------------------------
    def _cue_audio(self, cue: Cue) -> np.ndarray:
        """Tone and word together; while the person is speaking, the tone alone keeps the rhythm."""
        speak = cue.words and not self.person_speaking
        word = self.words.get(cue.words) if speak else np.zeros(0, np.float32)
        if cue.kind == "count":
            return word * 0.6 * self.gain if len(word) else word
        sound = tone(cue.kind, self.rate, gain=0.12 * self.gain)
        if len(word):
            word = word * self.gain
            mixed = np.zeros(max(len(sound), len(word)), np.float32)
            mixed[: len(sound)] += sound
            mixed[: len(word)] += word
            sound = mixed
        return sound

    def push_until(self, horizon_s: float) -> None:
        """Put every cue that starts before `horizon_s` on the track (each once)."""
        with self._lock:
            if horizon_s <= self._pushed_until:
                return
            for cue in self.plan.cues_between(max(self._pushed_until, -1.0), horizon_s):
                self.track.add(cue.at_s, self._cue_audio(cue), f"{cue.kind}:{cue.cycle}")
            self._pushed_until = horizon_s
            if self._closing_at is None and horizon_s >= self.plan.end_s:
                stopped = self.plan.stopped_at is not None
                self._closing_at = at = self.plan.end_s + (0.3 if stopped else CLOSE_GAP_S)
                audio = self._close(stopped)
                self.track.add(at, audio * self.gain, "close")
                self.result.closed_at_s = at
                self._answer_until = at + len(audio) / self.rate + (ANSWER_WINDOW_S if self.listening else 0.5)

    def render(self, start: int, n: int) -> np.ndarray:
        self._rendered_s = (start + n) / self.rate
        self.push_until(self._rendered_s + LOOKAHEAD_S)
        return self.track.render(start, n)

    def quiet(self, start: int, n: int) -> bool:
        """Nothing audible here (the speaker may add or skip silence to stay on the clock)."""
        block = self.track.render(start, n)
        return not len(block) or float(np.abs(block).max()) < 0.002

    @property
    def closing_at(self) -> float | None:
        return self._closing_at

    def finished(self, now_s: float) -> bool:
        return self._answer_until is not None and (now_s >= self._answer_until or self.result.mood is not None)

    # -- input ----------------------------------------------------------------------------
    def reference(self, start_s: float, seconds: float) -> np.ndarray:
        """The cue audio that was playing over a stretch of exercise time, at 16 kHz."""
        ref = self.track.render(self.track.at(start_s), max(1, round(seconds * self.rate)))
        return soxr.resample(ref, self.rate, SAMPLE_RATE).astype(np.float32)

    def speech_started(self, at_s: float) -> None:
        """Speaking over a cue stops that cue."""
        cut = self.track.cut(at_s)
        cut = [t for t in cut if t not in ("close", "intro")]
        if cut:
            self.result.cut_cues += len(cut)
            log.info("cue %s stopped at %.2f s: the person is speaking", cut, at_s)

    def heard(self, text: str, at_s: float) -> str:
        """Act on a transcript heard at `at_s` (exercise seconds); returns what it did."""
        words = [w.strip(".,!?").lower() for w in text.split()]
        action = ""
        with self._lock:
            if self._answer_until is not None:
                mood = parse_mood(text)
                if mood is not None:
                    self.result.mood, self.result.mood_words = mood, text
                    action = f"mood {mood}"
            elif words and set(words) <= CUE_WORDS:
                action = ""  # the cue's own words, heard back
            else:
                steering = parse_steering(text)
                if steering is not None:
                    action = self.steer(steering, at_s)
        self.result.heard.append(Heard(round(at_s, 3), text, action))
        log.info("heard %r at %.2f s → %s", text, at_s, action or "nothing to do")
        return action

    def steer(self, steering: Steering, at_s: float, played_until_s: float | None = None) -> str:
        """Re-plan what has not been played: nothing before `played_until_s` (by default, what is
        already in the speaker) changes, and the cues after it are laid again on the same origin."""
        with self._lock:
            action = self.plan.steer(steering, at_s)
            edge = max(at_s, self._rendered_s if played_until_s is None else played_until_s)
            if steering.kind == "stop":
                self.track.cut(edge)
            self.track.cancel_from(edge)
            self._pushed_until = min(self._pushed_until, edge)
            if self._closing_at is not None and self._closing_at >= edge:  # the close moves with the plan's end
                self._closing_at = self._answer_until = None
        return action


# -- building one -------------------------------------------------------------------------------

def intro_text(plan: BreathingPlan, night: bool) -> str:
    notes = " ".join(plan.notes)
    if night:
        return f"{notes} Let's breathe, gently. {plan.pattern.spoken}".strip()
    return (f"{notes} Let's breathe together. You can close your eyes if that feels okay. {plan.pattern.spoken} "
            "Say slower, faster, or stop, whenever you like.").strip()


def close_text(result: BreathingResult, night: bool) -> str:
    done = "Let's stop there." if result.plan.stopped_at is not None else "Well done."
    if night:
        return f"{done} {CHECK_IN}"
    return f"{done} Let your breath find its own pace again. {CHECK_IN}"


def speak(synthesizer, text: str, length_scale: float) -> np.ndarray:
    parts = [a.samples for a in synthesizer.synthesize(text, length_scale=length_scale)]
    return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)


@dataclass
class Listener:
    """The ears during an exercise: a turn segmenter and speech-to-text."""

    segmenter: object
    transcriber: object


def run_on_clock(
    session: BreathingSession,
    frames: Iterator[AudioFrame] | None,
    listener: Listener | None,
    write: Callable[[np.ndarray, np.ndarray | None], None],
    *,
    block_s: float = 0.03,
) -> BreathingResult:
    """Drive the exercise on a sample clock (a recording, or no input at all), writing the output.

    `write(cue_block, mic_block)` receives each stretch of cue audio (at the voice's rate) and the
    microphone audio heard over it (16 kHz), for the file of what was heard. A steering word takes
    effect where a live listener would have acted: when the turn ended plus the real time speech
    recognition took.
    """
    rate = session.rate
    now = 0.0
    source = iter(frames) if frames is not None else None
    session.listening = source is not None and listener is not None
    while not (session.finished(now) and now * rate >= session.track.end_sample):
        frame = next(source, None) if source is not None else None
        if frame is None:
            source, session.listening = None, False
            start, n = session.track.at(now), session.track.at(block_s)
        else:
            start = session.track.at(frame.start_s)
            n = session.track.at(frame.end_s) - start
        block = session.render(start, n)
        if frame is not None and listener is not None:
            _listen(session, listener, frame, lambda turn, took: turn.decided_s + took)
        write(block, frame.samples if frame is not None else None)
        now = (start + n) / rate
    return session.result


def _listen(session: BreathingSession, listener: Listener, frame: AudioFrame, heard_at) -> None:
    """One microphone frame: the echo gate, the segmenter, and any finished turn transcribed."""
    reference = session.reference(frame.start_s, frame.duration_s)
    person = session.gate.person(frame.samples, reference)
    samples = frame.samples if person else np.zeros_like(frame.samples)  # the VAD hears even a faint echo
    for event in listener.segmenter.process(AudioFrame(samples, frame.start_s)):
        if isinstance(event, SpeechStarted):
            session.speech_started(event.detected_s)
        elif isinstance(event, TurnEnded):
            began = time.perf_counter()
            text = listener.transcriber.transcribe(event.audio, prompt=STEERING_PROMPT).text
            took = time.perf_counter() - began
            if text:
                session.heard(text, heard_at(event, took))
    session.person_speaking = listener.segmenter.in_turn


def make_plan(pattern: Pattern, *, cycles: int | None, minutes: float | None, night: bool, counts: bool,
              tones_only: bool, tones_after_first: bool, start_s: float = 0.0) -> BreathingPlan:
    style = Style(words=not tones_only, counts=counts and not night, night=night, tones_after_first=tones_after_first)
    return BreathingPlan(pattern, start_s=start_s, cycles=cycles, minutes=minutes, style=style)


class WavOut:
    """What was heard: the microphone (if any) with the cues mixed in, at the voice's rate."""

    def __init__(self, path: str | Path, rate: int):
        from voice.errors import VoiceError

        self.rate = rate
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._file = soundfile.SoundFile(str(path), "w", samplerate=rate, channels=1, subtype="PCM_16", format="WAV")
        except Exception as error:
            raise VoiceError(f"Cannot write {path}: {error}") from None
        self._mic = soxr.ResampleStream(SAMPLE_RATE, rate, 1, dtype="float32")
        self._mic_buffer = np.zeros(0, np.float32)

    def write(self, cues: np.ndarray, mic: np.ndarray | None) -> None:
        out = cues.copy()
        if mic is not None:
            self._mic_buffer = np.concatenate([self._mic_buffer, self._mic.resample_chunk(mic)])
        k = min(len(out), len(self._mic_buffer))
        out[:k] += self._mic_buffer[:k]
        self._mic_buffer = self._mic_buffer[k:]
        self._file.write(np.clip(out, -1, 1))

    def close(self) -> None:
        self._file.close()


def store_result(store, result: BreathingResult, source: str, intro: str, close: str) -> int:
    """Keep the exercise as a session (what was said and heard) and the check-in as a mood point."""
    session_id = store.start_session(source)
    plan = result.plan
    store.add_turn(session_id, "companion", intro, 0.0, plan.start_s, timings={"practice": 1})
    for h in result.heard:
        store.add_turn(session_id, "user", h.text, h.at_s, h.at_s, timings={"steering": h.action} if h.action else {})
    store.add_turn(session_id, "companion", close, result.closed_at_s, result.closed_at_s, timings={"practice": 1})
    summary = result.summary()
    store.set_summary(session_id, f"{plan.pattern.title}: {summary['completed_cycles']} of {summary['planned_cycles']} "
                                  f"cycles, {summary['length_s']:.0f} s" + (" (stopped early)" if summary["stopped"] else ""))
    if result.mood is not None:
        store.add_mood(session_id, result.mood, result.mood_words, json.dumps(summary), source="breathing")
    store.end_session(session_id)
    result.session_id = session_id
    return session_id


def run_live(session: BreathingSession, microphone, speaker, listener: Listener | None) -> BreathingResult:
    """Play on the speaker against the monotonic clock while the microphone stays open.

    The microphone's frames are put on the exercise clock by the offset seen at the first frame;
    a steering word acts the moment it is understood (the speaker's clock, now).
    """
    session.result.t0_monotonic = speaker.start(session.render, session.quiet)
    offset = None
    try:
        frames = microphone.frames() if microphone is not None else None
        while True:
            now = speaker.now_s()
            if session.finished(now) and now * session.rate >= session.track.end_sample:
                break
            if frames is None:
                time.sleep(0.05)
                continue
            frame = next(frames, None)
            if frame is None:
                frames, session.listening = None, False
                continue
            now = speaker.now_s()
            # the microphone's sample clock on the exercise clock: a frame cannot end after now, so the
            # smallest offset seen is the right one (a device that delivers a backlog in a burst)
            offset = now - frame.end_s if offset is None else min(offset, now - frame.end_s)
            at = frame.start_s + offset
            if at < 0 or listener is None:
                continue
            _listen(session, listener, AudioFrame(frame.samples, at), lambda turn, took: speaker.now_s())
    except KeyboardInterrupt:
        now = speaker.now_s()
        session.plan.stopped_at = session.plan.stopped_at or max(now, session.plan.start_s)
        log.info("stopped by Ctrl-C at %.1f s", now)
    finally:
        speaker.close()
    return session.result
