"""Assembles a breathing exercise from settings and runs it live or on files, then keeps it."""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np

from dialogue.breathing import BreathingPlan
from voice.cue_audio import NIGHT_GAIN, CueWords

from .breathe import (
    INTRO_GAP_S, NIGHT_LENGTH_SCALE, STEERING_END_OF_TURN_MS, BreathingResult, BreathingSession, Listener, WavOut,
    close_text, intro_text, run_live, run_on_clock, store_result,
)
from .components import Progress, make_segmenter, open_store
from .config import Settings, data_dir

log = logging.getLogger(__name__)


def cue_words(settings: Settings, night: bool) -> CueWords:
    """The cached voice for cues, intro and close (Piper loads only for words not cached yet)."""
    from voice.tts import Synthesizer, voice_sample_rate

    t = settings.tts
    scale = t.length_scale * (NIGHT_LENGTH_SCALE if night else 1.0)
    return CueWords(lambda: Synthesizer(t.voice, sentence_silence_ms=0), data_dir(settings) / "cache" / "cues",
                    voice=t.voice, length_scale=scale, rate=voice_sample_rate(t.voice))


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


def build_session(settings: Settings, plan: BreathingPlan, *, night: bool, words: CueWords | None = None
                  ) -> tuple[BreathingSession, str]:
    """The session with its intro placed at 0 and the plan moved to start after it."""
    words = words or cue_words(settings, night)
    intro = intro_text(plan, night)
    intro_audio = words.get(intro)
    plan = replace_start(plan, len(intro_audio) / words.rate + INTRO_GAP_S)
    for word in {c.words for c in plan.cues() if c.words}:
        words.get(word)  # render (or load) every cue word before the clock starts

    def close(stopped: bool) -> np.ndarray:
        return closes[stopped]

    session = BreathingSession(plan, words, words.rate, intro=intro_audio, close=close,
                               gain=NIGHT_GAIN if night else 1.0)
    closes = {stopped: words.get(close_text(_stub(plan, stopped), night)) for stopped in (False, True)}
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
    session, intro = progress.step("Preparing the voice", lambda: build_session(settings, plan, night=night))
    store = open_store(settings)
    if output_path or input_path:
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
        from voice.clocked_output import ClockedSpeaker
        from voice.sources import MicrophoneSource

        speaker = ClockedSpeaker(session.rate, settings.audio.output_device,
                                 extra_latency_s=settings.audio.output_latency_ms / 1000)
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
