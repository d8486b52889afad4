"""Builds the listening side from settings: the segmenter's waits and the turn-end judge.

One place maps `turns.*` to what the segmenter and the judge need, so the loops only ask for "a
segmenter" and "the judge". (Journaling swaps in `turns.journaling.*` first: stillpoint/journal.py.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from voice.turns import TurnSegmenter
from voice.turns import TurnSettings as SegmenterSettings
from voice.vad import make_vad

from .config import Settings
from .turn_end import TurnEndRules
from .turn_judge import TurnJudge

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Waits:
    """How long the companion waits, in ms: see config.yaml's `turns` section."""

    pace_ms: int
    max_thinking_ms: int
    end_of_turn_ms: int
    smart: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> "Waits":
        t = settings.turns
        return cls(t.pace_ms, t.max_thinking_ms, t.end_of_turn_ms, t.end_detection == "smart")

    def rules(self) -> TurnEndRules:
        return TurnEndRules(unsure_ms=self.end_of_turn_ms, max_thinking_ms=self.max_thinking_ms)


def segmenter_settings(settings: Settings, *, judged: bool) -> SegmenterSettings:
    """With a judge the segmenter holds a turn open at most `max_thinking_ms` (the judge ends it
    sooner); without one (silence alone, or no judge built), `end_of_turn_ms` ends every turn."""
    t = settings.turns
    waits = Waits.from_settings(settings)
    longest = max(waits.max_thinking_ms, waits.end_of_turn_ms) if judged else waits.end_of_turn_ms
    return SegmenterSettings(
        pause_min_ms=t.pause_min_ms,
        end_of_turn_ms=longest,
        speech_confirm_ms=t.speech_confirm_ms,
        min_turn_speech_ms=t.min_turn_speech_ms,
        max_turn_s=t.max_turn_s,
        preroll_ms=t.preroll_ms,
    )


def build_turn_judge(settings: Settings, transcriber, *, live: bool) -> TurnJudge | None:
    """The judge for `end_detection: smart` (None for silence). A signal whose model is missing is
    left out with one warning; the others (and the silence fallback) still decide."""
    waits = Waits.from_settings(settings)
    if not waits.smart:
        return None
    sound = words = None
    try:
        from voice.smart_turn import SmartTurn

        sound = SmartTurn().probability
    except Exception as error:  # a missing model must not stop the conversation
        log.warning("turn ends without the sound of your voice: %s", error)
    try:
        from dialogue.completion import CompletionModel

        words = CompletionModel().scores
    except Exception as error:
        log.warning("turn ends without reading your words: %s", error)
    return TurnJudge(waits.rules(), sound=sound, transcribe=transcriber.transcribe if transcriber else None,
                     words=words, live=live)


def make_segmenter(settings: Settings, judge: TurnJudge | None = None) -> TurnSegmenter:
    v = settings.vad
    vad = make_vad(v.engine, webrtc_aggressiveness=v.webrtc_aggressiveness, silero_threshold=v.silero_threshold)
    return TurnSegmenter(vad, segmenter_settings(settings, judged=judge is not None), judge=judge)
