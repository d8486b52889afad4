"""The conversation: one state machine for the microphone, a recording, the page and typed chat.

It takes one input at a time — `on_frame(frame)` for 16 kHz audio, `on_text(text)` for a typed
turn — and sends replies to a `ReplyOutput` (speaker, conversation file, browser) on the
audio clock. Everything a conversation decides exists here once: when a reply is heard,
barge-in, muting when barge-in is off, the soft check-in, the opening, reports and
persistence. Drivers only feed it: the live loop from a microphone thread, the recording loop
from a file.

What was *heard* is what is kept. A reply is settled (`_settle`) when it has played to the
end or the user spoke over it; only then is the turn committed — to the companion's history,
to the store, to the disclosure clock and the recall — from the part the listener really
heard. Settling is reached from every path (next frame, next turn, barge-in, close), and a
safety flag never waits for it: it is stored the moment it is assessed.

Replies are produced inline (a recording: real compute, placed where it would have been
heard) or on a worker thread (live, page: listening never stops while the companion thinks).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from dialogue.companion import ReplySentence, SafetyAssessed, SessionEnds
from dialogue.cues import CHECK_IN
from dialogue.honesty import OPENING_DISCLOSURE
from dialogue.practices import BREATHING_INVITE, DEFAULT_PATTERN
from dialogue.understanding import is_closing
from dialogue.store import Store
from voice.events import AudioFrame, PauseObserved, SpeechStarted, TurnEnded, TurnMayEnd
from voice.protocols import ReplyOutput

from .components import Pipeline
from .disclosure import DisclosureClock
from .events import (
    PauseHeard,
    ReplyCut,
    ReplySentenceStarted,
    SafetyFlagged,
    SessionClosed,
    SpeechStarting,
    TurnReport,
)
from .exchange import EarlyTranscript, ExchangeRecord, Exchanger, ReplyAudio, TextTurn, UserTurnSaved
from .practice import STEERING_PROMPT, PracticePlaying, PracticeSteering
from .reflection import Recall, SilenceBefore, SilenceWatch, close_session, keep_reply_lines, recent_reply_lines

log = logging.getLogger(__name__)

_FIXED_SOURCES = ("fixed", "safety", "practice", "preface", "notice")


@dataclass(frozen=True)
class ConversationSettings:
    barge_in: bool = True  # speech over a reply cuts it; off: the mic is ignored while replying
    speaks_first: bool = False  # live: the opening (disclosure, a recalled silence) before the user speaks
    checkin_after_s: float | None = None  # None: memory.checkin_after_s; 0: never
    check_in_line: str = CHECK_IN
    opening: tuple[str, ...] = ()  # lines said first when it speaks first, after the disclosure (a journaling prompt)
    echo_tail_s: float = 0.3  # barge-in off: keep ignoring the mic this long after a reply ends
    pace_ms: int | None = None  # a reply starts no sooner than this after the user's last word (None: turns.pace_ms)


@dataclass
class _Spoken:
    """One sentence as the output will play it."""

    sentence: ReplySentence
    start_s: float
    end_s: float
    complete: bool = False  # all of its audio was handed over


@dataclass
class _Reply:
    """A reply from its first item to its settling."""

    kind: str  # "reply", "opening", "check_in"
    record: ExchangeRecord | None = None
    spoken: list[_Spoken] = field(default_factory=list)
    cancel: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    cut_at: float | None = None
    not_before_s: float | None = None  # listening (issue 10): the pace — not before the user's last word + pace
    resumed: object | None = None  # listening: the silence before this turn, answered too soon (a ResumedSilence)
    complete_at_cut: bool = False  # everything had been produced when it was cut
    barge_in_ms: float | None = None
    ends_session: bool = False
    user_report: TurnReport | None = None  # reported when settled, with all of its reply's timings
    worker: threading.Thread | None = None

    @property
    def end_s(self) -> float | None:
        if not self.spoken:
            return None
        end = self.spoken[-1].end_s
        return end if self.cut_at is None else min(end, self.cut_at)

    def heard(self) -> tuple[str, bool, float | None, float | None]:
        """(text heard, whether it was cut short, start, end). A sentence cut midway keeps the
        share of its words that had been played."""
        cut = self.cut_at
        parts: list[str] = []
        start = end = None
        for s in self.spoken:
            if cut is not None and s.start_s >= cut:
                break
            if cut is None or s.end_s <= cut:
                parts.append(s.sentence.text)
                end = s.end_s
            else:
                words = s.sentence.text.split()
                kept = int(len(words) * (cut - s.start_s) / max(1e-6, s.end_s - s.start_s) + 1e-6)
                if kept:
                    parts.append(" ".join(words[:kept]))
                end = cut
            start = s.start_s if start is None else start
        interrupted = cut is not None and (not self.complete_at_cut or any(s.end_s > cut for s in self.spoken))
        return " ".join(parts), interrupted, start, end

    def heard_sentences(self) -> list[ReplySentence]:
        """The sentences heard whole: only these count as said (resources, the disclosure)."""
        cut = self.cut_at
        return [s.sentence for s in self.spoken if s.complete and (cut is None or s.end_s <= cut)]


class Conversation(PracticeSteering):  # breathing (issue 12): steering a guided exercise, in practice.py
    def __init__(
        self,
        pipeline: Pipeline,
        store: Store,
        output: ReplyOutput,
        *,
        source: str = "live",
        settings: ConversationSettings = ConversationSettings(),
        on_event: Callable[[object], None] = lambda event: None,
        background: bool = False,
        backend_name: str = "",
        clock: Callable[[], float] = time.perf_counter,
    ):
        self.pipeline = pipeline
        self.store = store
        self.output = output
        self.settings = settings
        self.on_event = on_event
        self.background = background
        self.companion = pipeline.companion
        self.segmenter = pipeline.segmenter
        self.segmenter.reset()
        # listening (issue 10): the turn-end judge computes inline on a recording, in the background live
        self.judge = getattr(self.segmenter, "judge", None)
        if self.judge is not None:
            self.judge.live = background
        turns = pipeline.settings.turns if pipeline.settings is not None else None
        self.pace_s = (settings.pace_ms if settings.pace_ms is not None else (turns.pace_ms if turns else 0)) / 1000
        self._answered: _Reply | None = None  # the last reply to a spoken turn
        self._resumed = None
        memory = pipeline.memory
        backend = getattr(self.companion, "backend", None)
        self.session_id = store.start_session(source, backend_name or getattr(backend, "name", ""))
        # journal #13 / page #14: a companion that keeps things per session (a journal entry's mood and
        # reflection) is told its own session, never left to guess it (several conversations run at once)
        bind = getattr(self.companion, "bind_session", None)
        if bind is not None:
            bind(self.session_id)
        self.exchanger = Exchanger.for_session(pipeline, store, self.session_id, clock=clock)
        self.disclosure = DisclosureClock(store)
        self.recall = Recall(store, self.session_id, enabled=memory.recall)
        begin_session = getattr(self.companion, "begin_session", None)  # replies (issue 9): a new session's lines
        if begin_session is not None:
            begin_session(recent_reply_lines(store))
        checkin = memory.checkin_after_s if settings.checkin_after_s is None else settings.checkin_after_s
        self.watch = SilenceWatch(checkin)
        self.exchanges: list[ExchangeRecord] = []
        self.interruptions = 0
        self.ended: str | None = None  # why the conversation is over (a goodbye, the end of input)
        self.now_s = 0.0
        self._reply: _Reply | None = None
        self._silence: SilenceBefore | None = None
        self._mute_until_s = 0.0
        self._check_in_audio: list | None = None
        # breathing (issue 12): an exercise being heard, speech that began over it, and its turn being read
        self._practice: PracticePlaying | None = None
        self._speech_to_practice = False
        self._practice_turn: tuple[TurnEnded, EarlyTranscript] | None = None
        self._lock = threading.RLock()  # the reply's spans and cut, between the worker and the input thread
        self._emit_lock = threading.Lock()

    # ---- inputs ---------------------------------------------------------------------------

    def start(self, at_s: float = 0.0) -> None:
        """Begin: live, the companion may speak first (the AI disclosure when due, a recalled silence)."""
        self.now_s = at_s
        disclosure = [OPENING_DISCLOSURE] if self.disclosure.due() else []
        if not self.settings.speaks_first:
            # the first reply opens with these instead (the disclosure when due, a recalled silence): voiced
            # now, so that reply starts at once rather than waiting for Piper after the turn ends (issue 10)
            prepare = getattr(self.pipeline.synthesizer, "prepare", None)
            if prepare is not None:
                for line in disclosure + self.recall.lines:
                    prepare(line)
            return
        lines = disclosure + list(self.settings.opening) + self.recall.take_lines()
        if lines:
            self._say_fixed(lines, "opening", at_s)

    def on_frame(self, frame: AudioFrame) -> None:
        """One frame of the user's audio (16 kHz mono), in order, on the audio clock."""
        if self.ended:
            return
        self.now_s = frame.end_s
        self._settle_if_over(frame.start_s)
        if self._reply is None and not self.segmenter.in_turn:
            due = self.watch.due_check_in(frame.end_s)
            if due is not None:
                self._say_fixed([self.settings.check_in_line], "check_in", due)
        if not self.settings.barge_in and self._muted(frame):
            if self.segmenter.in_turn:
                self.segmenter.reset()
            return
        for event in self.segmenter.process(frame):
            self._on_voice_event(event)
        if self._practice_turn is not None:  # breathing (issue 12)
            self._read_practice_turn()

    def on_text(self, text: str, at_s: float | None = None) -> None:
        """A typed turn: it cuts a reply still playing, then is answered like a spoken one."""
        if self.ended:
            return
        at = self.now_s if at_s is None else at_s
        self.now_s = max(self.now_s, at)
        self._silence = self.watch.speech_started(at)
        if self._practice_heard(TextTurn(text, at), text, at):  # breathing (issue 12): typed steering
            return
        self._barge_in(at, at)
        self._begin_reply(TextTurn(text, at))
        reply = self._reply
        if not self.background and reply is not None and reply.done.is_set():
            # typed (inline): a shown reply is read the moment it is shown, however long it took to make
            self.now_s = max(self.now_s, reply.end_s if reply.end_s is not None else self.now_s)
            self._settle_if_over(self.now_s)

    def start_practice(self, pattern: str = DEFAULT_PATTERN, at_s: float | None = None) -> None:
        """A guided breathing exercise asked for without words (the page's Breathe button).

        It is the companion's turn, exactly as when the exercise is asked for aloud (the same
        rendering, the same check-in and mood keeping), but no user turn is invented for it.
        A reply still playing is cut first, as a typed turn would cut it.
        """
        if self.ended:
            return
        at = self.now_s if at_s is None else at_s
        self.now_s = max(self.now_s, at)
        self._silence = self.watch.speech_started(at)
        self._barge_in(at, at)
        if self._reply is not None:
            self._wait(self._reply)
            self._settle()
        reply = _Reply("practice")
        sentence = ReplySentence(BREATHING_INVITE, "practice", practice=pattern)
        clock = self.exchanger.clock

        def items() -> Iterator[ReplyAudio]:
            started = clock()
            for speech in self.exchanger.practice_audio(sentence):
                yield ReplyAudio(speech, clock() - started, replace(sentence, text=speech.text))

        self._produce(reply, items(), at)

    def close(self, *, flush: bool = True, reason: str = "end of input") -> None:
        """End the conversation and keep everything: `flush` answers a turn the input ended in
        the middle of (a recording); otherwise (Ctrl-C) a reply still playing is cut now."""
        try:
            if flush and not self.ended:
                for event in self.segmenter.flush():
                    self._on_voice_event(event)
                if self._practice_turn is not None:  # breathing (issue 12): read it, however long that takes
                    self._read_practice_turn(wait=True)
            reply = self._reply
            if reply is not None:
                end = reply.end_s
                if not flush and (not reply.done.is_set() or (end is not None and end > self.now_s)):
                    self._cut(reply, self.now_s, self.now_s)
                self._wait(reply)
                self._settle()
        finally:
            self.exchanger.close()
            close_session(self.store, self.session_id)
            self.ended = self.ended or reason
            self._emit(SessionClosed(self.session_id, self.ended))

    @property
    def idle(self) -> bool:
        """Nothing is being produced or played."""
        return self._reply is None

    # ---- voice events -----------------------------------------------------------------------

    def _on_voice_event(self, event) -> None:
        if isinstance(event, SpeechStarted):
            self._resumed = self._resumed_silence(event.start_s)
            self._silence = self.watch.speech_started(event.start_s)
            self._emit(SpeechStarting(event.start_s, event.detected_s))
            if not self._speech_over_practice(event):  # breathing (issue 12)
                self._barge_in(event.start_s, event.detected_s)
        elif isinstance(event, PauseObserved):
            self._emit(PauseHeard(event.pause.start_s, event.pause.duration_s))
        elif isinstance(event, TurnMayEnd):
            early = self.judge.early_transcript(event) if self.judge is not None else None
            if self._speech_to_practice and self._practice is not None:  # breathing (issue 12): primed for steering
                self.exchanger.transcribe_early(event, background=self.background, prompt=STEERING_PROMPT)
            elif early is not None:  # listening: the judge already transcribes this silence's turn
                self.exchanger.adopt_early(event, *early)
            elif self._reply is None or self._reply.done.is_set():
                self.exchanger.transcribe_early(event, background=self.background)
        elif isinstance(event, TurnEnded):
            if self._speech_to_practice and self._practice is not None:  # breathing (issue 12): read it first
                self._speech_to_practice = False
                if self._practice_turn is not None:
                    self._read_practice_turn(wait=True)
                self._practice_turn = (event, self.exchanger.early_for(event, self.background, STEERING_PROMPT))
            else:
                self._begin_reply(event)

    def _muted(self, frame: AudioFrame) -> bool:
        """Barge-in off: deaf while a reply is coming or playing, and for an echo tail after."""
        reply, tail = self._reply, self.settings.echo_tail_s
        if reply is not None:
            if not reply.done.is_set():
                self._mute_until_s = max(self._mute_until_s, frame.end_s + tail)
                return True
            if reply.end_s is not None:
                self._mute_until_s = max(self._mute_until_s, reply.end_s + tail)
        return frame.start_s < self._mute_until_s

    def _barge_in(self, onset_s: float, at_s: float) -> None:
        """The user started while a reply was coming or playing: cut it where they were heard."""
        reply = self._reply
        if reply is None:
            return
        end = reply.end_s
        still_coming = not reply.done.is_set() or (end is not None and end > at_s)
        if self.settings.barge_in and still_coming:
            self._cut(reply, onset_s, at_s)
            self.interruptions += 1
        if reply.done.is_set():
            self._settle()

    def _cut(self, reply: _Reply, onset_s: float, at_s: float) -> None:
        with self._lock:
            reply.complete_at_cut = reply.done.is_set()
            reply.cancel.set()
            reply.cut_at = self.output.cut(at_s)
            reply.barge_in_ms = round((reply.cut_at - onset_s) * 1000, 1)
        log.info("barge-in at %.2f s: reply cut (%.0f ms after speech onset)", at_s, reply.barge_in_ms)

    # ---- producing a reply --------------------------------------------------------------------

    def _begin_reply(self, turn: TurnEnded | TextTurn) -> None:
        if self._reply is not None:
            self._wait(self._reply)
            self._settle()
        record = ExchangeRecord(turn=turn)
        self.exchanges.append(record)
        reply = _Reply("reply", record)
        preface = [OPENING_DISCLOSURE] if self.disclosure.due() else []

        def fixed(user_text: str) -> list[str]:
            self.recall.before_reply(user_text)
            if is_closing(user_text):
                return []  # replies (issue 9): no return to an earlier silence on the way out
            return self.recall.take_lines()

        items = self.exchanger.run(turn, record, silence=self._silence, preface=preface, fixed=fixed,
                                   cancelled=reply.cancel.is_set)
        self._silence = None
        decided = turn.decided_s if isinstance(turn, TurnEnded) else turn.at_s
        if isinstance(turn, TurnEnded):  # listening (issue 10): the pace, and a silence answered too soon
            reply.not_before_s = turn.end_s + self.pace_s
            reply.resumed, self._resumed = self._resumed, None
            self._answered = reply
        self._produce(reply, items, decided)

    def _say_fixed(self, lines: list[str], kind: str, at_s: float) -> None:
        """An opening or a check-in: fixed lines outside any user turn."""
        reply = _Reply(kind)
        synthesizer = self.pipeline.synthesizer

        clock = self.exchanger.clock

        prepared = self._check_in_audio if kind == "check_in" else None

        def items() -> Iterator[ReplyAudio]:
            started = clock()
            for line in lines:
                sentence = ReplySentence(line, "fixed", discloses=line == OPENING_DISCLOSURE)
                for speech in prepared or synthesizer.synthesize(line):
                    yield ReplyAudio(speech, clock() - started, sentence)
                    if reply.cancel.is_set():
                        return

        self._produce(reply, items(), at_s)

    def _produce(self, reply: _Reply, items: Iterator, decided_s: float) -> None:
        self._reply = reply
        if not self.background:
            self._consume(reply, items, decided_s)
            self._settle_if_over(self.now_s)  # a reply with no duration (typed chat) is heard at once
            return
        reply.worker = threading.Thread(target=self._consume, args=(reply, items, decided_s), name="reply", daemon=True)
        reply.worker.start()

    def _consume(self, reply: _Reply, items: Iterator, decided_s: float) -> None:
        """Hand each item on as it comes: reports, flags, audio to the output."""
        try:
            for item in items:
                if isinstance(item, UserTurnSaved):
                    pauses = [{"start_s": round(p.start_s, 3), "duration_s": round(p.duration_s, 3)} for p in item.pauses]
                    reply.user_report = TurnReport("user", item.text, item.start_s, item.end_s, pauses=pauses)
                    self._emit(item)  # the words, at once (a live transcript); the report follows when settled
                    if reply.resumed is not None:  # listening: that silence was theirs, a pause in their thought
                        self._keep_resumed(reply.resumed, item.text)
                elif isinstance(item, SafetyAssessed):
                    if item.assessment.flagged and reply.record is not None:
                        self._emit(SafetyFlagged(item.assessment.level, item.assessment.reason, reply.record.user_turn_id))
                elif isinstance(item, SessionEnds):
                    reply.ends_session = True
                elif isinstance(item, ReplyAudio):
                    self._play(reply, item, decided_s)
            if reply.kind == "reply" and not reply.cancel.is_set():
                self._prepare_check_in()
        except Exception:
            log.exception("the reply failed")
        finally:
            items.close()
            reply.done.set()

    # ---- listening (issue 10) -----------------------------------------------------------------

    def _wait_until(self, reply: _Reply, at_s: float) -> None:
        """Live: hold the first sentence until the audio clock reaches `at_s` (the pace)."""
        deadline = time.monotonic() + max(0.0, at_s - self.now_s) + 0.1
        while self.now_s < at_s and not reply.cancel.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)

    def _resumed_silence(self, speech_start_s: float):
        """The person spoke again: was it during or just after a reply that began in their silence?"""
        from ..turn_end import resumed_silence

        reply = self._answered
        if reply is None or reply.record is None or not isinstance(reply.record.turn, TurnEnded):
            return None
        record = reply.record
        started = reply.spoken[0].start_s if reply.spoken else speech_start_s
        ended = reply.end_s if reply.done.is_set() else None
        return resumed_silence(record.turn.end_s, record.user_turn_id, record.user_text, started, ended, speech_start_s)

    def _keep_resumed(self, resumed, words_after: str) -> None:
        from ..turn_end import resumed_pause_cue

        self.store.add_cue(self.session_id, resumed.turn_id, resumed_pause_cue(resumed, words_after))
        self._emit(PauseHeard(resumed.start_s, resumed.duration_s))

    def _prepare_check_in(self) -> None:
        """Voice the check-in while the reply plays, so it costs nothing when it is due."""
        if self._check_in_audio is None and self.watch.checkin_after_s > 0:
            self._check_in_audio = list(self.pipeline.synthesizer.synthesize(self.settings.check_in_line))

    def _play(self, reply: _Reply, item: ReplyAudio, decided_s: float) -> None:
        # inline, a reply is placed where it would have been heard; in the background it is
        # ready now (the microphone's clock may lag the worker by a block: never wait for it)
        at = decided_s + item.ready_after_s
        if reply.not_before_s is not None and not reply.spoken:
            at = max(at, reply.not_before_s)  # listening (issue 10): the pace
            if self.background:
                self._wait_until(reply, reply.not_before_s)
        if self.background:
            at = min(at, self.now_s)
        with self._lock:
            if reply.cancel.is_set():
                return
            last = reply.spoken[-1] if reply.spoken else None
            if item.sentence.pause_before_s and (last is None or last.sentence is not item.sentence):
                at = max(at, (last.end_s if last else at) + item.sentence.pause_before_s)  # a timed practice
            start = self.output.play(item.speech, at)
            end = start + item.speech.duration_s
            last = reply.spoken[-1] if reply.spoken else None
            if last is not None and last.sentence is item.sentence:
                last.end_s = end
            else:
                if last is not None:
                    last.complete = True
                reply.spoken.append(_Spoken(item.sentence, start, end))
                self._emit(ReplySentenceStarted(item.sentence.text, item.sentence.source, start, end))
                if item.sentence.practice and self.exchanger.practice is not None:  # breathing (issue 12)
                    self._practice = PracticePlaying(self.exchanger.practice, start, self.output, reply)

    # ---- settling: what was heard is what is kept -------------------------------------------------

    def _wait(self, reply: _Reply) -> None:
        if reply.worker is not None:
            reply.worker.join()

    def _settle_if_over(self, now_s: float) -> None:
        reply = self._reply
        if reply is None or not reply.done.is_set():
            return
        end = reply.end_s
        if reply.cut_at is not None or end is None or end <= now_s:
            self._settle()

    def _settle(self) -> None:
        """Commit the reply as heard. Runs once per reply, whatever ended it."""
        reply, self._reply = self._reply, None
        if reply is None:
            return
        if self._practice is not None and self._practice.reply is reply:  # breathing (issue 12)
            self._practice = None
        if reply.spoken and (reply.cut_at is None or reply.complete_at_cut):
            reply.spoken[-1].complete = True  # its audio was all handed over
        text, interrupted, start, end = reply.heard()
        record = reply.record
        try:
            self._report_user_turn(reply)
            if interrupted:
                self._emit(ReplyCut(reply.cut_at if reply.cut_at is not None else self.now_s, text))
            if text:
                timings = {"fixed": reply.kind} if record is None else dict(record.timings)
                if interrupted and reply.barge_in_ms is not None:
                    timings["barge_in_ms"] = reply.barge_in_ms
                self.store.add_turn(self.session_id, "companion", text, start, end, timings=timings,
                                    interrupted=interrupted)
                self._emit(TurnReport("companion", text, start, end, timings, interrupted=interrupted))
        finally:
            self._commit(reply, text, interrupted, end)

    def _commit(self, reply: _Reply, text: str, interrupted: bool, end: float | None) -> None:
        record = reply.record
        heard = reply.heard_sentences()
        flagged = record is not None and record.safety is not None and record.safety.responding_as != "none"
        if record is not None and record.user_text:
            self.companion.commit(record.user_text, text, interrupted)
            keep_reply_lines(self.store, self.companion)  # replies (issue 9): rarely the same line across sessions
        recorder = self.exchanger.cue_recorder
        if recorder is not None and reply.kind != "check_in" and reply.spoken:
            # replies (issue 9): a quiet after fixed words (a policy, a practice, a recall) is no silence to return to
            recorder.previous_reply_fixed = reply.spoken[-1].sentence.source in _FIXED_SOURCES
        if any(s.discloses for s in heard):
            self.disclosure.mark()
        if reply.kind != "check_in" and (record is None or record.user_text):
            self.recall.after_reply(" ".join(s.text for s in heard), flagged)
        if text and not interrupted and reply.kind != "check_in":
            self.watch.reply_finished(end, text)  # a check-in does not end the user's silence
        if reply.ends_session and not interrupted:
            self.ended = "closing"

    def _report_user_turn(self, reply: _Reply) -> None:
        report, reply.user_report = reply.user_report, None
        if report is not None and reply.record is not None:
            self._emit(replace(report, timings=dict(reply.record.timings)))

    def _emit(self, event) -> None:
        with self._emit_lock:
            self.on_event(event)

