"""Assembles a breathing exercise from settings and runs it live or on files, then keeps it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from dialogue.breathing import BreathingPlan, parse_pattern
from voice.cue_audio import NIGHT_GAIN, CueWords
from voice.events import SpeechAudio

from .breathe import (
    CLOSE_GAP_S, INTRO_GAP_S, NIGHT_LENGTH_SCALE, STEERING_END_OF_TURN_MS, BreathingResult, BreathingSession, Listener, WavOut,
    close_text, intro_text, make_plan, run_live, run_on_clock, store_result,
)
from .engine.components import Progress, make_segmenter, open_store
from .config import Settings, data_dir

log = logging.getLogger(__name__)


def cue_words(settings: Settings, night: bool, play_rate: int | None = None) -> CueWords:
    """The cached voice for cues, intro and close (Piper loads only for words not cached yet),
    handed out at `play_rate` (live: the sound card's rate) or the voice's own."""
    from voice.tts import Synthesizer, voice_sample_rate

    t = settings.tts
    scale = t.length_scale * (NIGHT_LENGTH_SCALE if night else 1.0)
    # a pause between the intro's sentences is also where the live speaker can re-align with the clock
    return CueWords(lambda: Synthesizer(t.voice, sentence_silence_ms=300), data_dir(settings) / "cache" / "cues",
                    voice=t.voice, length_scale=scale, rate=voice_sample_rate(t.voice), play_rate=play_rate)


def listener(settings: Settings, progress: Progress) -> Listener:
    from voice.stt import Transcriber

    segmenter = progress.step("Loading voice activity detection", lambda: make_segmenter(settings))
    # steering words are short ("stop" is ~0.3 s): end the turn sooner, and keep short turns
    segmenter.settings = replace(segmenter.settings, end_of_turn_ms=STEERING_END_OF_TURN_MS, min_turn_speech_ms=100)
    s = settings.stt
    transcriber = progress.step("Loading speech-to-text", lambda: Transcriber(
        s.model, compute_type=s.compute_type, language=s.language, beam_size=s.beam_size,
        no_speech_threshold=s.no_speech_threshold, threads=s.threads))
    # the first transcription is several times slower than the rest: pay for it before the clock starts
    transcriber.transcribe(np.random.default_rng(0).standard_normal(16000).astype(np.float32) * 0.01)
    return Listener(segmenter, transcriber)


def build_session(plan: BreathingPlan, words: CueWords, *, night: bool) -> tuple[BreathingSession, str]:
    """The session with its intro placed at 0 and the plan moved to start after it."""
    intro = intro_text(plan, night)
    intro_audio = words.get(intro)
    plan = replace_start(plan, len(intro_audio) / words.output_rate + INTRO_GAP_S)
    for word in {c.words for c in plan.cues() if c.words}:
        words.get(word)  # render (or load) every cue word before the clock starts
    closes = {stopped: words.get(close_text(_stub(plan, stopped), night)) for stopped in (False, True)}
    session = BreathingSession(plan, words, words.output_rate, intro=intro_audio, close=closes.__getitem__,
                               gain=NIGHT_GAIN if night else 1.0)
    return session, intro


def replace_start(plan: BreathingPlan, start_s: float) -> BreathingPlan:
    return BreathingPlan(plan.pattern, start_s=start_s, cycles=plan.cycles, minutes=plan.minutes, style=plan.style,
                         notes=list(plan.notes))


def _stub(plan: BreathingPlan, stopped: bool) -> BreathingResult:
    copy = replace_start(plan, plan.start_s)
    copy.stopped_at = plan.start_s if stopped else None
    return BreathingResult(copy)


def run_exercise(settings: Settings, plan: BreathingPlan, *, night: bool, input_path: str | None,
                 output_path: str | None, verbose: int = 0) -> BreathingResult:
    progress = Progress(quiet=False)
    live = not (output_path or input_path)
    speaker = None
    if live:
        from voice.clocked_output import ClockedSpeaker

        # the cues are rendered at the card's own rate, so nothing is converted while it plays
        speaker = ClockedSpeaker(settings.audio.output_device, extra_latency_s=settings.audio.output_latency_ms / 1000)
    play_rate = speaker.rate if speaker is not None else None
    session, intro = progress.step("Preparing the voice",
                                   lambda: build_session(plan, cue_words(settings, night, play_rate), night=night))
    store = open_store(settings)
    if not live:
        from voice.sources import FileSource

        ears = listener(settings, progress) if input_path else None
        frames = FileSource(input_path).frames() if input_path else None
        out = WavOut(output_path, session.rate)
        try:
            result = run_on_clock(session, frames, ears, out.write)
        finally:
            out.close()
        source = f"breathing:file:{input_path}" if input_path else "breathing:render"
    else:
        from voice.sources import MicrophoneSource

        try:
            microphone = MicrophoneSource(settings.audio.input_device)
        except Exception as error:
            log.warning("%s Breathing without listening.", error)
            microphone = None
        ears = listener(settings, progress) if microphone is not None else None
        try:
            result = run_live(session, microphone, speaker, ears)
        finally:
            if microphone is not None:
                microphone.close()
        source = "breathing:live"
    close = close_text(result, night)
    store_result(store, result, source, intro, close)
    return result


@dataclass
class Practice:
    """A guided exercise inside a conversation: its session (plan, cue track, result), rendered to
    reply audio from any moment of its own clock (0 = the first sample of its intro).

    The conversation plays `audio()` as the reply; when the person steers, the session is re-planned
    and `audio(from_s)` is the rest of it, to be played from that same moment (issue 12).
    """

    session: BreathingSession
    intro: str

    @property
    def result(self) -> BreathingResult:
        return self.session.result

    @property
    def text(self) -> str:
        """What it says, as kept in the conversation's transcript."""
        plan = self.session.plan
        return f"{self.intro} ({plan.pattern.title}, {plan.planned_cycles} cycles) {close_text(self.result, False)}"

    def audio(self, from_s: float = 0.0) -> SpeechAudio:
        """The exercise from `from_s` to its end (after its closing words), with its plan on the same
        clock as the audio: cue times from this audio's first sample, for a screen to move with it."""
        session = self.session
        session.push_until(session.plan.end_s + CLOSE_GAP_S + 1.0)  # every cue and the closing words
        start = session.track.at(from_s)
        samples = session.track.render(start, max(0, session.track.end_sample - start))
        schedule = session.plan.as_dict()
        schedule["cues"] = [{**c, "at_s": round(c["at_s"] - from_s, 4)} for c in schedule["cues"] if c["at_s"] >= from_s]
        return SpeechAudio("" if from_s else self.text, samples, session.rate, schedule=schedule)


def prepare_practice(synthesizer, cache_dir: Path, pattern: str, *, minutes: float = 2.0) -> Practice:
    """The exercise a conversation plays when breathing is asked for (two minutes, or the pattern's cap)."""
    chosen = parse_pattern(pattern)
    cycles = chosen.max_cycles
    plan = make_plan(chosen, cycles=cycles, minutes=None if cycles else min(minutes, chosen.default_minutes or minutes),
                     night=False, counts=False, tones_only=False, tones_after_first=False)
    words = CueWords(lambda: synthesizer, cache_dir, voice=getattr(synthesizer, "voice", "bundled"), length_scale=1.0,
                     rate=synthesizer.sample_rate)
    session, intro = build_session(plan, words, night=False)
    session.listening = False
    return Practice(session, intro)
