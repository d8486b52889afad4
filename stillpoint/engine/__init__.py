"""The conversation engine: one `Conversation` for the microphone, recordings, the page and chat.

    pipeline = build_pipeline(settings, Progress())              # models, loaded once
    conversation = Conversation(pipeline, store, output,         # output: a voice.protocols.ReplyOutput
                                source="live", settings=ConversationSettings(...),
                                on_event=handle, background=True)
    conversation.start()                                         # the opening, if it speaks first
    conversation.on_frame(frame)  /  conversation.on_text(text)  # one input at a time
    conversation.close()                                         # keeps everything

Front ends (cli, web, export, doctor) live outside this package and only feed it.
"""

from .components import Pipeline, Progress, build_pipeline, open_store
from .conversation import Conversation, ConversationSettings
from .events import (
    ConversationEvent,
    PauseHeard,
    ReplyCut,
    ReplySentenceStarted,
    SafetyFlagged,
    SessionClosed,
    SpeechStarting,
    TurnReport,
)
from .exchange import ExchangeRecord, Exchanger, TextTurn, UserTurnSaved

__all__ = [
    "Conversation", "ConversationEvent", "ConversationSettings", "ExchangeRecord", "Exchanger", "PauseHeard",
    "Pipeline", "Progress", "ReplyCut", "ReplySentenceStarted", "SafetyFlagged", "SessionClosed", "SpeechStarting",
    "TextTurn", "TurnReport", "UserTurnSaved", "build_pipeline", "open_store",
]
