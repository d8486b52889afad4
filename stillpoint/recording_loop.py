"""The spoken loop over a recording: the user's audio is played through the pipeline as if live.

Time is the recording's own clock. When a turn ends, the exchange runs (really: real models,
real compute time), and its reply is placed in the output where a listener would have heard it
— at the end-of-turn decision plus the measured compute latency. If the user in the recording
starts speaking again while a reply would still be playing, barge-in cuts the reply at the
moment speech was detected, exactly as the live loop would.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from dialogue.cues import CHECK_IN
from dialogue.honesty import OPENING_DISCLOSURE
from dialogue.store import Store
from voice.events import PauseObserved, SpeechStarted, TurnEnded, TurnMayEnd
from voice.sinks import ConversationRecorder
from voice.sources import FileSource

from .components import Pipeline
from .exchange import Exchanger, ExchangeRecord
from .reflection import SilenceWatch, close_session
from .reporting import TurnReport

log = logging.getLogger(__name__)


@dataclass
class _Playing:
    turn_id: int | None
    report: TurnReport
    disclosure_end_s: float | None = None  # when the AI disclosure in this reply finishes playing


@dataclass
class RecordingResult:
    session_id: int
    exchanges: list[ExchangeRecord]
    reports: list[TurnReport]
    duration_s: float
    output_duration_s: float


def run_recording(
    pipeline: Pipeline,
    store: Store,
    input_path: str | Path,
    output_path: str | Path,
    *,
    barge_in: bool = True,
    on_turn: Callable[[TurnReport], None] = lambda report: None,
    backend_name: str = "",
) -> RecordingResult:
    source = FileSource(input_path)
    recorder = ConversationRecorder(output_path, pipeline.synthesizer.sample_rate)
    session_id = store.start_session(f"file:{Path(input_path).name}", backend_name or pipeline.companion.backend.name)
    exchanger = Exchanger.for_session(pipeline, store, session_id)
    watch = SilenceWatch(pipeline.memory.checkin_after_s)
    segmenter = pipeline.segmenter
    segmenter.reset()
    exchanges: list[ExchangeRecord] = []
    reports: list[TurnReport] = []
    playing: _Playing | None = None

    def emit(report: TurnReport) -> None:
        reports.append(report)
        on_turn(report)

    def finish_playing() -> None:
        nonlocal playing
        if playing is not None:
            emit(playing.report)
            playing = None

    def place(speech, at_s: float, span: tuple) -> tuple:
        """Schedule one sentence, never before the previous one ends; returns the reply's (start, end) so far."""
        start, end = span
        placed = recorder.schedule_reply(speech.samples, speech.sample_rate, at_s if end is None else max(at_s, end))
        return (placed if start is None else start, placed + speech.duration_s)

    def handle(event) -> None:
        nonlocal playing
        if isinstance(event, SpeechStarted):
            exchanger.pending_silence = watch.speech_started(event.start_s)
            if playing is not None and event.detected_s < playing.report.end_s and barge_in:
                recorder.cut_replies_at(event.detected_s)
                cut = max(event.detected_s, playing.report.start_s)
                playing.report = replace(playing.report, end_s=cut, interrupted=True)
                if playing.turn_id is not None:
                    store.update_turn(playing.turn_id, end_s=cut, interrupted=True)
                if playing.disclosure_end_s is not None and cut < playing.disclosure_end_s:
                    pipeline.companion.disclosure_pending = True  # not heard in full: say it again next turn
                log.info("barge-in at %.2f s: reply cut", event.detected_s)
            finish_playing()
        elif isinstance(event, TurnMayEnd):
            exchanger.transcribe_early(event, background=False)
        elif isinstance(event, PauseObserved):
            log.debug("pause at %.2f s for %.2f s", event.pause.start_s, event.pause.duration_s)
        elif isinstance(event, TurnEnded):
            finish_playing()
            respond(event)

    def respond(turn: TurnEnded) -> None:
        nonlocal playing
        record = ExchangeRecord(turn=turn)
        span = (None, None)
        disclosure_end = None
        for audio in exchanger.run(turn, record):
            span = place(audio.speech, turn.decided_s + audio.ready_after_s, span)
            if audio.text == OPENING_DISCLOSURE:
                disclosure_end = span[1]
        placed_start, placed_end = span
        exchanges.append(record)
        if not record.user_text:
            return
        pauses = [{"start_s": round(p.start_s, 3), "duration_s": round(p.duration_s, 3)} for p in turn.pauses]
        emit(TurnReport("user", record.user_text, turn.start_s, turn.end_s, dict(record.timings), pauses=pauses))
        if placed_start is None:
            return
        record.companion_turn_id = store.add_turn(
            session_id, "companion", record.reply_text, placed_start, placed_end, timings=dict(record.timings)
        )
        playing = _Playing(
            record.companion_turn_id,
            TurnReport("companion", record.reply_text, placed_start, placed_end, dict(record.timings)),
            disclosure_end,
        )
        watch.reply_finished(placed_end, record.reply_text)

    def check_in(now_s: float) -> None:
        """One soft line after a long quiet; the silence itself belongs to the user."""
        nonlocal playing
        finish_playing()
        span = (None, None)
        for speech in pipeline.synthesizer.synthesize(CHECK_IN):
            span = place(speech, now_s, span)
        start, end = span
        if start is None:
            return
        turn_id = store.add_turn(session_id, "companion", CHECK_IN, start, end, timings={"check_in": 1})
        playing = _Playing(turn_id, TurnReport("companion", CHECK_IN, start, end, {"check_in": 1}))

    duration = 0.0
    try:
        for frame in source.frames():
            if playing is not None and frame.start_s >= playing.report.end_s:
                finish_playing()
            due = None if segmenter.in_turn or pipeline.companion.session_ended else watch.due_check_in(frame.end_s)
            if due is not None:
                check_in(due)
            muted = not barge_in and playing is not None and frame.start_s < playing.report.end_s
            if pipeline.companion.session_ended:  # a goodbye: no longer listening (the file keeps the audio)
                muted = True
            if not muted:
                for event in segmenter.process(frame):
                    handle(event)
            elif segmenter.in_turn:
                segmenter.reset()
            recorder.write_user(frame)
            duration = frame.end_s
        for event in segmenter.flush():
            handle(event)
        finish_playing()
    finally:
        try:
            recorder.close()
        finally:
            close_session(store, session_id)  # what was said is kept even if the reply file could not be finished
    return RecordingResult(session_id, exchanges, reports, duration, recorder.written_s)
