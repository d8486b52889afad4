"""One exchange: a finished user turn in, the companion's spoken reply out.

speech-to-text → save the user's turn (before anything is said back) → companion (model, guard,
fallbacks) → text-to-speech sentence by sentence. The same step serves the live microphone and a
recording; only the clock and the sink differ. Latency figures are kept for every turn, each
measured from the end of the user's speech: end-of-turn decision, transcript, first model
token, first reply audio.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dialogue.companion import Companion
from dialogue.store import Store
from voice.events import SpeechAudio, Transcript, TurnEnded, TurnMayEnd
from voice.stt import Transcriber
from voice.tts import Synthesizer

from .disclosure import DisclosureClock
from .reflection import CueRecorder, Recall, SilenceBefore

if TYPE_CHECKING:
    from .components import Pipeline

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplyAudio:
    """A sentence of reply audio, and how many seconds after the end-of-turn decision it was ready."""

    speech: SpeechAudio
    ready_after_s: float
    source: str
    text: str = ""  # the sentence this audio speaks


@dataclass
class EarlyTranscript:
    """A transcript started during the end-of-turn wait, before the turn was known to be over.

    Live, it runs on a worker thread while the segmenter keeps listening. On a recording it is
    computed at once and `ready_at_s` says when it would have been ready on the audio clock, so
    the reply is placed exactly as the live loop would have managed.
    """

    key: tuple[float, float]
    future: Future
    ready_at_s: float | None = None


@dataclass
class ExchangeRecord:
    """What one exchange produced, filled in as it goes."""

    turn: TurnEnded
    user_text: str = ""
    user_turn_id: int | None = None
    reply_sentences: list[str] = field(default_factory=list)
    reply_sources: list[str] = field(default_factory=list)
    companion_turn_id: int | None = None
    safety_level: str = "none"
    cues: list = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def reply_text(self) -> str:
        return " ".join(self.reply_sentences)


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
        disclosure: DisclosureClock | None = None,
        cue_recorder: CueRecorder | None = None,
        recall: Recall | None = None,
    ):
        self.transcriber = transcriber
        self.companion = companion
        self.synthesizer = synthesizer
        self.store = store
        self.session_id = session_id
        self.clock = clock
        self.crisis_length_scale = crisis_length_scale
        self.disclosure = disclosure
        self.cue_recorder = cue_recorder
        self.recall = recall
        self.pending_silence: SilenceBefore | None = None  # set by the loop when the user starts speaking
        self._early: EarlyTranscript | None = None
        self._pool: ThreadPoolExecutor | None = None

    @classmethod
    def for_session(cls, pipeline: "Pipeline", store: Store, session_id: int) -> "Exchanger":
        memory = pipeline.memory
        return cls(
            pipeline.transcriber,
            pipeline.companion,
            pipeline.synthesizer,
            store,
            session_id,
            crisis_length_scale=pipeline.crisis_length_scale,
            disclosure=DisclosureClock(store),
            cue_recorder=CueRecorder(store, session_id, min_pause_s=memory.cue_min_pause_s,
                                     min_latency_s=memory.cue_min_latency_s),
            recall=Recall(store, pipeline.companion, session_id, enabled=memory.recall),
        )

    def _flag_safety(self, record: ExchangeRecord) -> None:
        """Crisis language is flagged on the user's turn the moment it is assessed."""
        assessment = self.companion.last_assessment
        record.safety_level = assessment.level
        if assessment.flagged and record.user_turn_id is not None:
            self.store.flag_safety(self.session_id, record.user_turn_id, assessment.level, assessment.reason)

    def transcribe_early(self, event: TurnMayEnd, background: bool) -> None:
        """Start on the transcript while waiting to be sure the turn is over (hides most of STT)."""
        key = (event.start_s, event.end_s)
        if background:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="early-stt")
            self._early = EarlyTranscript(key, self._pool.submit(self.transcriber.transcribe, event.audio))
            return
        started = self.clock()
        future: Future = Future()
        future.set_result(self.transcriber.transcribe(event.audio))
        self._early = EarlyTranscript(key, future, ready_at_s=event.at_s + (self.clock() - started))

    def _transcript_for(self, turn: TurnEnded) -> tuple[Transcript, float | None]:
        """The turn's transcript, and how long after the decision it was ready if it was early."""
        early, self._early = self._early, None
        if early is not None and early.key == (turn.start_s, turn.end_s):
            transcript = early.future.result()
            late = max(0.0, early.ready_at_s - turn.decided_s) if early.ready_at_s is not None else None
            return transcript, late
        return self.transcriber.transcribe(turn.audio), None

    def run(self, turn: TurnEnded, record: ExchangeRecord, cancelled: Callable[[], bool] = lambda: False) -> Iterator[ReplyAudio]:
        """Yield reply audio sentence by sentence; `record` holds the transcript and timings."""
        decided = self.clock()
        wait = turn.decided_s - turn.end_s  # silence waited before deciding the turn was over
        timings = record.timings
        timings["end_of_turn_ms"] = _ms(wait)

        transcript, late = self._transcript_for(turn)
        if late is not None:  # simulated early transcript: it was ready `late` s after the decision
            decided = self.clock() - late
        timings["transcript_ms"] = _ms(wait + self.clock() - decided)
        record.user_text = transcript.text
        if not transcript.text:
            log.info("turn at %.2f s had no words; no reply", turn.start_s)
            return
        record.user_turn_id = self.store.add_turn(
            self.session_id,
            "user",
            transcript.text,
            turn.start_s,
            turn.end_s,
            pauses=[(p.start_s, p.duration_s) for p in turn.pauses],
            timings=dict(timings),
        )
        if self.cue_recorder is not None:
            record.cues = self.cue_recorder.record(
                turn, transcript.text, transcript.words, record.user_turn_id, self.pending_silence
            )
        self.pending_silence = None
        if self.recall is not None:
            self.recall.before_reply(transcript.text)

        reply_started = self.clock()
        if self.disclosure is not None and self.disclosure.due():
            self.companion.disclosure_pending = True
        disclosed_before = self.companion.disclosure_pending
        for sentence in self.companion.respond(transcript.text):
            if cancelled():
                break
            if not record.reply_sentences:
                self._flag_safety(record)
            first_token = self.companion.last_trace.first_token_s
            if first_token is not None and "first_token_ms" not in timings:
                timings["first_token_ms"] = _ms(wait + reply_started - decided + first_token)
            record.reply_sentences.append(sentence.text)
            record.reply_sources.append(sentence.source)
            pace = self.crisis_length_scale if sentence.source in ("safety", "practice") else None
            for speech in self.synthesizer.synthesize(sentence.text, length_scale=pace):
                ready = self.clock() - decided
                timings.setdefault("first_audio_ms", _ms(wait + ready))
                yield ReplyAudio(speech=speech, ready_after_s=ready, source=sentence.source, text=sentence.text)
                if cancelled():
                    break
        if disclosed_before and not self.companion.disclosure_pending and self.disclosure is not None:
            self.disclosure.mark()
        if self.recall is not None:
            self.recall.after_reply()
        if self.cue_recorder is not None:  # a quiet after fixed words is not a silence to come back to
            # judged by the reply's last sentence: a disclosure before an ordinary reply does not count
            self.cue_recorder.previous_reply_fixed = bool(record.reply_sources) and \
                record.reply_sources[-1] in ("fixed", "safety", "practice")
        trace = self.companion.last_trace
        if trace.guard_reasons:
            log.debug("reply guard: %s", ", ".join(trace.guard_reasons))
        timings["reply_done_ms"] = _ms(wait + self.clock() - decided)
