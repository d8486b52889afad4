"""The live loop: the microphone's frames into a `Conversation`, its replies onto the speaker.

Only threads and devices live here. This thread reads the microphone; replies are produced on
the conversation's worker thread, so listening never stops while the companion thinks or
speaks. The speaker keeps the microphone's clock, so a barge-in is measured on one clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from dialogue.store import Store
from voice.sinks import SpeakerSink
from voice.sources import MicrophoneSource

from .components import Pipeline
from .conversation import Conversation, ConversationSettings

log = logging.getLogger(__name__)


def run_live(
    pipeline: Pipeline,
    store: Store,
    microphone: MicrophoneSource,
    speaker: SpeakerSink,
    *,
    settings: ConversationSettings = ConversationSettings(speaks_first=True),
    on_event=lambda event: None,
    max_turns: int | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Conversation:
    """Listen until the microphone closes, Ctrl-C, a goodbye, or `max_turns` replies were heard."""
    conversation = Conversation(pipeline, store, speaker, source="live", settings=settings, on_event=on_event,
                                background=True, clock=clock)
    speaker.clock = lambda: conversation.now_s
    conversation.start()
    try:
        for frame in microphone.frames():
            conversation.on_frame(frame)
            answered = sum(bool(e.user_text) for e in conversation.exchanges)
            if conversation.ended or (max_turns is not None and answered >= max_turns and conversation.idle):
                break
    except KeyboardInterrupt:
        log.info("stopped by the user")
    finally:
        conversation.close(flush=False, reason="stopped")
    return conversation
