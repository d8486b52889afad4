"""The live spoken loop: microphone in, speaker out, with barge-in.

The main thread reads microphone frames and runs the turn segmenter; each finished turn is
answered on a worker thread, so listening never stops while the companion thinks or speaks.
With barge-in on, speech detected during a reply stops the speaker at once (one audio block
after the detection, well inside 200 ms of onset) and the reply is stored as interrupted. With
barge-in off (open speakers, no echo cancellation) the microphone is ignored while the
companion speaks, so it does not answer itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from dialogue.cues import CHECK_IN
from dialogue.honesty import OPENING_DISCLOSURE
from dialogue.store import Store
from voice.events import SpeechStarted, TurnEnded, TurnMayEnd
from voice.sinks import SpeakerSink
from voice.sources import MicrophoneSource

from .components import Pipeline
from .exchange import Exchanger, ExchangeRecord
from .reflection import SilenceWatch, close_session
from .reporting import TurnReport

log = logging.getLogger(__name__)

ECHO_TAIL_S = 0.3  # with barge-in off, keep ignoring the mic this long after playback ends


class LiveConversation:
    def __init__(
        self,
        pipeline: Pipeline,
        store: Store,
        microphone: MicrophoneSource,
        speaker: SpeakerSink,
        *,
        barge_in: bool = True,
        on_turn: Callable[[TurnReport], None] = lambda report: None,
        max_turns: int | None = None,
    ):
        self.pipeline = pipeline
        self.store = store
        self.microphone = microphone
        self.speaker = speaker
        self.barge_in = barge_in
        self.on_turn = on_turn
        self.max_turns = max_turns
        self.session_id = store.start_session("live", pipeline.companion.backend.name)
        self.exchanger = Exchanger.for_session(pipeline, store, self.session_id)
        self.watch = SilenceWatch(pipeline.memory.checkin_after_s)
        self._worker: threading.Thread | None = None
        self._cancel = threading.Event()
        self._now_s = 0.0
        self._reply: TurnReport | None = None
        self._reply_turn_id: int | None = None
        self._lock = threading.Lock()
        self._mute_until_s = 0.0
        self._barge_in_ms: float | None = None
        self.exchanges: list[ExchangeRecord] = []
        self.interruptions = 0

    @property
    def busy(self) -> bool:
        return (self._worker is not None and self._worker.is_alive()) or self.speaker.is_playing

    def run(self) -> None:
        """Listen until the microphone closes, Ctrl-C, or `max_turns` replies have been given."""
        segmenter = self.pipeline.segmenter
        segmenter.reset()
        self._speak_opening()
        try:
            for frame in self.microphone.frames():
                self._now_s = frame.end_s
                if not self.busy and not segmenter.in_turn and self.watch.due_check_in(frame.end_s) is not None:
                    self._say([CHECK_IN])
                if not self.barge_in and (self.busy or frame.start_s < self._mute_until_s):
                    if self.busy:
                        self._mute_until_s = frame.end_s + ECHO_TAIL_S
                    if segmenter.in_turn:
                        segmenter.reset()
                    continue
                for event in segmenter.process(frame):
                    if isinstance(event, SpeechStarted):
                        self.exchanger.pending_silence = self.watch.speech_started(event.start_s)
                        self._on_speech_started(event)
                    elif isinstance(event, TurnMayEnd) and not self.busy:
                        self.exchanger.transcribe_early(event, background=True)
                    elif isinstance(event, TurnEnded):
                        self._on_turn_ended(event)
                if self.max_turns is not None and len(self.exchanges) >= self.max_turns and not self.busy:
                    break
                if self.pipeline.companion.session_ended and not self.busy:
                    log.info("the user closed the session; no longer listening")  # a goodbye, heard in full
                    break
        except KeyboardInterrupt:
            log.info("stopped by the user")
        finally:
            self._cancel.set()
            self.speaker.stop()
            if self._worker is not None:
                self._worker.join(timeout=30)
            self._finish_reply()
            close_session(self.store, self.session_id)

    def _say(self, lines: list[str]) -> None:
        """Speak fixed lines (an opening or a check-in) outside an exchange, and keep them."""
        text = " ".join(lines)
        start = self._now_s
        duration = 0.0
        for line in lines:
            for audio in self.pipeline.synthesizer.synthesize(line):
                self.speaker.play(audio.samples, audio.sample_rate)
                duration += audio.duration_s
        self.store.add_turn(self.session_id, "companion", text, start, start + duration, timings={"fixed": 1})
        self.on_turn(TurnReport("companion", text, start, start + duration, {"fixed": 1}))
        self.watch.reply_finished(start + duration, text)

    def _speak_opening(self) -> None:
        """Live, the companion may speak first: the AI disclosure when due, and a return to an earlier cue."""
        companion = self.pipeline.companion
        disclosure = self.exchanger.disclosure
        lines = []
        if disclosure is not None and disclosure.due():
            lines.append(OPENING_DISCLOSURE)
            disclosure.mark()
        if companion.opening:
            lines += companion.opening
            companion.opening = []
            if self.exchanger.recall is not None:
                self.exchanger.recall.after_reply()
        if lines:
            self._say(lines)

    def _on_speech_started(self, event: SpeechStarted) -> None:
        if not (self.barge_in and self.busy):
            return
        began = time.perf_counter()
        self._cancel.set()
        self.speaker.stop()
        # speech onset → detection (audio clock) + detection → speaker stopped (wall clock)
        self._barge_in_ms = round((event.detected_s - event.start_s) * 1000 + (time.perf_counter() - began) * 1000, 1)
        self.interruptions += 1
        with self._lock:
            if self._reply is not None:
                timings = {**self._reply.timings, "barge_in_ms": self._barge_in_ms}
                self._reply = replace(
                    self._reply, end_s=max(event.detected_s, self._reply.start_s), interrupted=True, timings=timings
                )
                if self._reply_turn_id is not None:
                    self.store.update_turn(self._reply_turn_id, end_s=self._reply.end_s, interrupted=True, timings=timings)
        log.info("barge-in: speaker stopped %.0f ms after speech onset", self._barge_in_ms)

    def _on_turn_ended(self, turn: TurnEnded) -> None:
        if self._worker is not None:
            self._worker.join()
        self._finish_reply()
        self._cancel = threading.Event()
        self._barge_in_ms = None
        self._worker = threading.Thread(target=self._answer, args=(turn, self._cancel), daemon=True)
        self._worker.start()

    def _finish_reply(self) -> None:
        with self._lock:
            if self._reply is not None:
                self.on_turn(self._reply)
                self._reply = None
                self._reply_turn_id = None

    def _answer(self, turn: TurnEnded, cancel: threading.Event) -> None:
        record = ExchangeRecord(turn=turn)
        started_s = None
        played_s = 0.0
        try:
            for audio in self.exchanger.run(turn, record, cancelled=cancel.is_set):
                if started_s is None:
                    started_s = self._now_s
                    pauses = [{"start_s": p.start_s, "duration_s": p.duration_s} for p in turn.pauses]
                    self.on_turn(TurnReport("user", record.user_text, turn.start_s, turn.end_s, dict(record.timings), pauses=pauses))
                self.speaker.play(audio.speech.samples, audio.speech.sample_rate)
                played_s += audio.speech.duration_s
        except Exception:
            log.exception("the reply failed")
        self.exchanges.append(record)
        if started_s is None or not record.reply_text:
            return
        timings = dict(record.timings)
        if cancel.is_set() and self._barge_in_ms is not None:
            timings["barge_in_ms"] = self._barge_in_ms
        report = TurnReport("companion", record.reply_text, started_s, started_s + played_s, timings)
        turn_id = self.store.add_turn(
            self.session_id, "companion", report.text, report.start_s, report.end_s, timings=timings,
            interrupted=cancel.is_set(),
        )
        with self._lock:
            self._reply, self._reply_turn_id = replace(report, interrupted=cancel.is_set()), turn_id
        self.speaker.wait()
        if not cancel.is_set():
            self.watch.reply_finished(self._now_s, report.text)
