"""What a conversation tells the world, as small typed events (all times on the audio clock).

`Conversation(on_event=...)` receives every one of these, in order, from the thread that
produced it: a front end prints `TurnReport`s (`--json`), the page streams a live transcript
from all of them, tests read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TurnReport:
    """A finished turn, reported once its reply is settled: the user's words with the latency of
    the reply, then what the companion said as far as it was heard."""

    speaker: str  # "user" or "companion"
    text: str
    start_s: float
    end_s: float
    timings: dict = field(default_factory=dict)
    interrupted: bool = False
    pauses: list[dict] = field(default_factory=list)


# `stillpoint.engine.exchange.UserTurnSaved` (text, turn_id, start_s, end_s, pauses, timings) is
# emitted too, the moment the user's words are on disk: before the reply, for a live transcript.


@dataclass(frozen=True)
class SpeechStarting:
    """The user began to speak at `start_s` (known at `detected_s`)."""

    start_s: float
    detected_s: float


@dataclass(frozen=True)
class PauseHeard:
    """A pause inside the user's turn, emitted as soon as they carried on."""

    start_s: float
    duration_s: float


@dataclass(frozen=True)
class ReplySentenceStarted:
    """A sentence of the reply was handed to the output, to be heard from `start_s` to `end_s`."""

    text: str
    source: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class ReplyCut:
    """The user spoke over the reply: nothing after `at_s` was heard; `heard_text` was."""

    at_s: float
    heard_text: str


@dataclass(frozen=True)
class SafetyFlagged:
    """The user's turn was assessed as `level` and the flag is stored."""

    level: str
    reason: str
    turn_id: int


@dataclass(frozen=True)
class SessionClosed:
    session_id: int
    reason: str  # "end of input", "closing" (the companion said goodbye), "stopped"


ConversationEvent = TurnReport | SpeechStarting | PauseHeard | ReplySentenceStarted | ReplyCut | SafetyFlagged | SessionClosed
