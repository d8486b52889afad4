"""One exchange: a finished user turn in, the companion's reply out as typed items.

speech-to-text → save the user's turn (before anything is said back) → companion (safety,
model, guard, fallbacks) → text-to-speech sentence by sentence. The exchange only *produces*:
it never plays, and it never decides what was heard — the `Conversation` does both, on the
audio clock, and commits the turn once it knows. Latency figures are kept for every turn, each
measured from the end of the user's speech: end-of-turn decision, transcript, first model
token, first reply audio.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from dialogue.companion import Companion, ReplySentence, ReplyTrace, SafetyAssessed, SessionEnds
from dialogue.store import Store
from voice.events import Pause, SpeechAudio, Transcript, TurnEnded, TurnMayEnd
from voice.protocols import Synthesizer, Transcriber

from ..mood_keeper import keep_mood
from .reflection import CueRecorder, SilenceBefore

if TYPE_CHECKING:
    from .components import Pipeline

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UserTurnSaved:
    """The user's words are on disk (before any reply is heard)."""

    text: str
    turn_id: int
    start_s: float
    end_s: float
    pauses: tuple[Pause, ...]
    timings: dict


@dataclass(frozen=True)
class ReplyAudio:
    """A piece of reply audio, and how many seconds after the end-of-turn decision it was ready."""

    speech: SpeechAudio
    ready_after_s: float
    sentence: ReplySentence


ExchangeItem = UserTurnSaved | SafetyAssessed | ReplyAudio | SessionEnds


@dataclass(frozen=True)
class TextTurn:
    """A turn typed instead of spoken (`stillpoint chat`, the page's text box): no audio, no STT."""

    text: str
    at_s: float


@dataclass
class EarlyTranscript:
    """A transcript started during the end-of-turn wait, before the turn was known to be over.

    In the background it runs on a worker thread while the segmenter keeps listening. Inline (a
    recording) it is computed at once and `ready_at_s` says when it would have been ready on
    the audio clock, so the reply is placed exactly as the live loop would have managed.
    """

    key: tuple[float, float]
    future: Future
    ready_at_s: float | None = None


@dataclass
class ExchangeRecord:
    """What one exchange produced, filled in as it goes."""

    turn: TurnEnded | TextTurn
    user_text: str = ""
    user_turn_id: int | None = None
    sentences: list[ReplySentence] = field(default_factory=list)
    safety: SafetyAssessed | None = None
    cues: list = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    trace: ReplyTrace = field(default_factory=ReplyTrace)

    @property
    def reply_text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @property
    def safety_level(self) -> str:
        return self.safety.assessment.level if self.safety else "none"


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 1)


class Exchanger:
    def __init__(
        self,
        transcriber: Transcriber,
        companion: Companion,
        synthesizer: Synthesizer,
        store: Store,
        session_id: int,
        *,
        clock: Callable[[], float] = time.perf_counter,
        crisis_length_scale: float = 1.25,
        cue_recorder: CueRecorder | None = None,
    ):
        self.transcriber = transcriber
        self.companion = companion
        self.synthesizer = synthesizer
        self.store = store
        self.session_id = session_id
        self.clock = clock
        self.crisis_length_scale = crisis_length_scale
        self.cue_recorder = cue_recorder
        self._early: EarlyTranscript | None = None
        self.breathing_done = None  # the last guided exercise, until its check-in is answered
        self.practice = None  # breathing (issue 12): the last guided exercise prepared (a breathe_runner.Practice)
        self._pool: ThreadPoolExecutor | None = None

    @classmethod
    def for_session(cls, pipeline: "Pipeline", store: Store, session_id: int, **options) -> "Exchanger":
        memory = pipeline.memory
        return cls(
            pipeline.transcriber, pipeline.companion, pipeline.synthesizer, store, session_id,
            crisis_length_scale=pipeline.crisis_length_scale,
            cue_recorder=CueRecorder(store, session_id, min_pause_s=memory.cue_min_pause_s,
                                     min_latency_s=memory.cue_min_latency_s),
            **options,
        )

    def transcribe_early(self, event: TurnMayEnd, background: bool, prompt: str | None = None) -> None:
        """Start on the transcript while waiting to be sure the turn is over (hides most of STT).
        `prompt` primes the words expected (breathing, issue 12: the steering words during an exercise)."""
        key = (event.start_s, event.end_s)
        options = {"prompt": prompt} if prompt else {}
        if background:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="early-stt")
            self._early = EarlyTranscript(key, self._pool.submit(self.transcriber.transcribe, event.audio, **options))
            return
        started = self.clock()
        future: Future = Future()
        future.set_result(self.transcriber.transcribe(event.audio, **options))
        self._early = EarlyTranscript(key, future, ready_at_s=event.at_s + (self.clock() - started))

    def early_for(self, turn: TurnEnded, background: bool, prompt: str | None = None) -> EarlyTranscript:
        """breathing (issue 12): the turn's transcript, as it is being made (started now if it was not
        started early); it stays here for `run`, so a turn read first is not transcribed twice."""
        early = self._early
        if early is None or early.key != (turn.start_s, turn.end_s):
            self.transcribe_early(TurnMayEnd(turn.start_s, turn.end_s, turn.decided_s, turn.audio), background, prompt)
        return self._early

    def adopt_early(self, event: TurnMayEnd, future: Future, ready_at_s: float | None) -> None:
        """Use a transcript someone else is already making of this turn (the turn-end judge)."""
        self._early = EarlyTranscript((event.start_s, event.end_s), future, ready_at_s)

    def close(self) -> None:
        """Stop the early-STT worker (waits for a transcript already running)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _transcript_for(self, turn: TurnEnded) -> tuple[Transcript, float | None]:
        """The turn's transcript, and how long after the decision it was ready if it was early."""
        early, self._early = self._early, None
        if early is not None and early.key == (turn.start_s, turn.end_s):
            transcript = early.future.result()
            late = max(0.0, early.ready_at_s - turn.decided_s) if early.ready_at_s is not None else None
            return transcript, late
        return self.transcriber.transcribe(turn.audio), None

    def run(
        self,
        turn: TurnEnded | TextTurn,
        record: ExchangeRecord,
        *,
        silence: SilenceBefore | None = None,
        preface: Sequence[str] = (),
        fixed: Sequence[str] | Callable[[str], Sequence[str]] = (),
        cancelled: Callable[[], bool] = lambda: False,
    ) -> Iterator[ExchangeItem]:
        """Yield the saved user turn, the safety assessment, then reply audio sentence by sentence.

        `fixed` may be a function of the user's words (e.g. the answer to a recalled silence
        decides what comes next); it is called after the turn is saved.
        """
        decided = self.clock()
        timings = record.timings
        if isinstance(turn, TextTurn):
            wait, text, words, start_s, end_s, pauses = 0.0, turn.text.strip(), (), turn.at_s, turn.at_s, ()
        else:
            wait = turn.decided_s - turn.end_s  # silence waited before deciding the turn was over
            timings["end_of_turn_ms"] = _ms(wait)
            transcript, late = self._transcript_for(turn)
            if late is not None:  # simulated early transcript: it was ready `late` s after the decision
                decided = self.clock() - late
            timings["transcript_ms"] = _ms(wait + self.clock() - decided)
            text, words, start_s, end_s, pauses = transcript.text, transcript.words, turn.start_s, turn.end_s, turn.pauses
        record.user_text = text
        if not text:
            log.info("turn at %.2f s had no words; no reply", start_s)
            return
        record.user_turn_id = self.store.add_turn(
            self.session_id, "user", text, start_s, end_s,
            pauses=[(p.start_s, p.duration_s) for p in pauses], timings=dict(timings),
        )
        if not self._keep_breathing_check_in(text):  # the exercise's own check-in keeps its answer itself
            keep_mood(self.store, self.session_id, text,  # mood check-ins anywhere (issue 13)
                      source=getattr(self.companion, "mood_source", "conversation"))
        if self.cue_recorder is not None and isinstance(turn, TurnEnded):
            record.cues = self.cue_recorder.record(turn, text, words, record.user_turn_id, silence)
        yield UserTurnSaved(text, record.user_turn_id, start_s, end_s, tuple(pauses), dict(timings))

        reply_started = self.clock()
        lines = fixed(text) if callable(fixed) else fixed
        replies = self.companion.reply(text, preface=preface, fixed=lines, trace=record.trace)
        try:
            yield from self._speak(replies, record, cancelled, wait, decided, reply_started)
        finally:
            replies.close()  # a barge-in stops the model mid-reply
        if record.trace.guard_reasons:
            log.debug("reply guard: %s", ", ".join(record.trace.guard_reasons))
        timings["reply_done_ms"] = _ms(wait + self.clock() - decided)
        log.info("turn at %.2f s, ms after the end of speech: %s", start_s,
                 ", ".join(f"{k.removesuffix('_ms')} {v:.0f}" for k, v in timings.items()))

    def practice_audio(self, sentence: ReplySentence) -> list[SpeechAudio]:
        """A guided breathing exercise takes over the reply's audio for its length (issue 12)."""
        if not sentence.practice:
            return []
        if not getattr(self.synthesizer, "voiced", True):  # typed chat: the exercise in words (no rhythm to keep)
            from dialogue.practices import TYPED_BREATHING

            return [SpeechAudio(TYPED_BREATHING, np.zeros(0, np.float32), self.synthesizer.sample_rate)]
        from ..breathe_runner import prepare_practice

        # breathing (issue 12): the conversation takes the exercise itself when it starts playing, to steer it
        self.practice = prepare_practice(self.synthesizer, Path(self.store.path).parent / "cache" / "cues",
                                         sentence.practice)
        self.breathing_done = self.practice.result  # steered in place: what it became is what is kept
        return [self.practice.audio()]

    def _keep_breathing_check_in(self, text: str) -> bool:
        """The answer to the exercise's "from one to ten?" is kept as a mood point with the exercise; True if kept."""
        done, self.breathing_done = self.breathing_done, None
        if done is None:
            return False
        from dialogue.breathing import parse_mood

        value = parse_mood(text)
        if value is None:
            return False
        self.store.add_mood(self.session_id, value, text, json.dumps(done.summary()), source="breathing")
        return True

    def _speak(self, replies, record: ExchangeRecord, cancelled, wait: float, decided: float,
               reply_started: float) -> Iterator[ExchangeItem]:
        timings = record.timings
        for item in replies:
            if isinstance(item, SafetyAssessed):
                record.safety = item
                assessment = item.assessment
                if assessment.flagged:  # stored the moment it is known: no barge-in can lose it
                    self.store.flag_safety(self.session_id, record.user_turn_id, assessment.level, assessment.reason)
                yield item
                continue
            if isinstance(item, SessionEnds):
                yield item
                continue
            if cancelled():
                break
            first_token = record.trace.first_token_s
            if first_token is not None and "first_token_ms" not in timings:
                timings["first_token_ms"] = _ms(wait + reply_started - decided + first_token)
            practice = self.practice_audio(item)
            if practice:  # what is said is the exercise's own words: kept as the reply's text
                item = replace(item, text=practice[0].text)
            record.sentences.append(item)
            pace = self.crisis_length_scale if item.source in ("safety", "practice") else None
            for speech in practice or self.synthesizer.synthesize(item.text, length_scale=pace):
                ready = self.clock() - decided
                timings.setdefault("first_audio_ms", _ms(wait + ready))
                yield ReplyAudio(speech=speech, ready_after_s=ready, sentence=item)
                if cancelled():
                    break
            if cancelled():
                break
