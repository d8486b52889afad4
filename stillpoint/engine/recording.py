"""The conversation over a recording: the file's frames into a `Conversation`, its replies into
a WAV of the conversation as a listener would have heard it.

Only the file lives here. Time is the recording's own clock; each reply is really computed
and placed at the end-of-turn decision plus the measured compute time, and a user who speaks
over it cuts it there, as live.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dialogue.store import Store
from voice.sinks import ConversationRecorder
from voice.sources import FileSource

from .components import Pipeline
from .conversation import Conversation, ConversationSettings
from .events import TurnReport
from .exchange import ExchangeRecord


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
    settings: ConversationSettings = ConversationSettings(),
    on_event=lambda event: None,
    backend_name: str = "",
    clock: Callable[[], float] = time.perf_counter,
) -> RecordingResult:
    source = FileSource(input_path)
    recorder = ConversationRecorder(output_path, pipeline.synthesizer.sample_rate)
    reports: list[TurnReport] = []

    def keep(event) -> None:
        if isinstance(event, TurnReport):
            reports.append(event)
        on_event(event)

    conversation = Conversation(pipeline, store, recorder, source=f"file:{Path(input_path).name}", settings=settings,
                                on_event=keep, backend_name=backend_name, clock=clock)
    conversation.start()
    try:
        for frame in source.frames():
            conversation.on_frame(frame)
            recorder.write_user(frame)
            if conversation.ended:
                break
    finally:
        try:
            conversation.close()
        finally:
            recorder.close()
    return RecordingResult(conversation.session_id, conversation.exchanges, reports, conversation.now_s,
                           recorder.written_s)
