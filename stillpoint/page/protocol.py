"""The page's WebSocket protocol: what the browser may send, what the server sends back, and limits.

Binary messages from the page are microphone audio (16-bit little-endian PCM, 16 kHz, mono);
text messages are JSON events with a `type`. Every client event is validated here with pydantic,
so a malformed one becomes an `error` event for the page, never a dropped connection. Server
events are small typed dataclasses turned into JSON in one place. The README documents both.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

PCM_RATE = 16_000
PCM_BYTES_PER_SAMPLE = 2


@dataclass(frozen=True)
class Limits:
    """What one conversation may send. Audio arrives as 40 ms blocks (1280 bytes) from the page."""

    max_audio_bytes: int = 16_000  # one binary message: at most 0.5 s of audio
    max_text_bytes: int = 4_096  # one JSON event
    transport_max_bytes: int = 65_536  # larger messages are refused by the server (close 1009)
    messages_per_s: float = 100.0  # sustained rate; the page sends 25 audio blocks a second
    burst: int = 200
    max_session_s: float = 3 * 3600.0  # a conversation's longest length
    max_conversations: int = 8  # open at once; more are refused with an error and closed (1013)


# ---- client → server ---------------------------------------------------------------------------
class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")


BreathingPattern = Literal["coherent", "box", "478", "sigh"]  # the page's choice of guided exercise (issue 12)


class Start(_Event):
    type: Literal["start"]
    mode: Literal["talk", "breathe", "journal"] = "talk"
    pattern: BreathingPattern | None = None  # breathe: which exercise (default: coherent)
    microphone: bool = True  # False: typing only; the server keeps the conversation's clock with silence


class Mode(_Event):
    type: Literal["mode"]
    mode: Literal["talk", "breathe", "journal"]
    pattern: BreathingPattern | None = None  # breathe: which exercise (default: coherent)


class PushToTalk(_Event):
    type: Literal["ptt"]
    down: bool


class StopReply(_Event):
    type: Literal["stop"]


class Played(_Event):
    type: Literal["played"]
    seq: int = Field(ge=0)


class Say(_Event):
    """A typed turn, for when speaking aloud isn't possible (or a keyboard is easier)."""

    type: Literal["say"]
    text: str = Field(min_length=1, max_length=1000)


class Ping(_Event):
    type: Literal["ping"]


ClientEvent = Annotated[Union[Start, Mode, PushToTalk, StopReply, Played, Say, Ping], Field(discriminator="type")]
_client_events = TypeAdapter(ClientEvent)


class BadEvent(Exception):
    """A client message the server cannot accept; `code` and the message go back as an `error` event."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def parse_client_event(text: str, limits: Limits) -> ClientEvent:
    if len(text.encode("utf-8")) > limits.max_text_bytes:
        raise BadEvent("too_large", f"An event may be at most {limits.max_text_bytes} bytes.")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        raise BadEvent("bad_json", "That message was not JSON.") from None
    try:
        return _client_events.validate_python(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "event"
        raise BadEvent("bad_event", f"{where}: {first['msg']}") from None


def check_audio(data: bytes, limits: Limits) -> None:
    if len(data) > limits.max_audio_bytes:
        raise BadEvent("too_large", f"An audio message may be at most {limits.max_audio_bytes} bytes (0.5 s).")
    if len(data) % PCM_BYTES_PER_SAMPLE:
        raise BadEvent("bad_audio", "Audio must be 16-bit PCM: an even number of bytes.")


class RateLimiter:
    """A token bucket: `allow()` is False once the page sends faster than the sustained rate."""

    def __init__(self, per_s: float, burst: int, clock=time.monotonic):
        self.per_s = per_s
        self.burst = burst
        self.clock = clock
        self._tokens = float(burst)
        self._at = clock()

    def allow(self) -> bool:
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.per_s)
        self._at = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True


# ---- server → client ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Link:
    label: str
    href: str


@dataclass(frozen=True)
class Resources:
    text: str
    links: list[Link]


def resource_links(text: str) -> Resources:
    """Tap-to-call (and tap-to-text) links for every number in the region's crisis text.

    "call or text 988 … call 911" → Call 988, Text 988, Call 911: the same numbers the voice says.
    """
    links: list[Link] = []
    for sentence in re.split(r"(?<=\.)\s+", text):
        for number in re.findall(r"\d[\d ]*\d|\d", sentence):
            digits = number.replace(" ", "")
            if not any(link.href.endswith(":" + digits) for link in links):
                links.append(Link(f"Call {number}", f"tel:{digits}"))
                if re.search(r"\btext\b", sentence, re.I):
                    links.append(Link(f"Text {number}", f"sms:{digits}"))
    return Resources(text, links)


@dataclass(frozen=True)
class ServerEvent:
    def to_json(self) -> str:
        return json.dumps({"type": self.type, **asdict(self)})  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Ready(ServerEvent):
    session_id: int
    audio_in: dict
    limits: dict
    resources: Resources
    type: str = field(default="ready", init=False)


@dataclass(frozen=True)
class SpeechStartedEvent(ServerEvent):
    at_s: float
    type: str = field(default="speech.started", init=False)


@dataclass(frozen=True)
class PauseEvent(ServerEvent):
    start_s: float
    duration_s: float
    type: str = field(default="pause", init=False)


@dataclass(frozen=True)
class TurnEndedEvent(ServerEvent):
    start_s: float
    end_s: float
    type: str = field(default="turn.ended", init=False)


@dataclass(frozen=True)
class UserTurn(ServerEvent):
    text: str
    start_s: float
    end_s: float
    pieces: list[dict]  # {"words": "..."} and {"pause_s": 1.4}, in the order they were said
    type: str = field(default="user.turn", init=False)


@dataclass(frozen=True)
class BreathCue:
    phase: Literal["in", "hold", "out", "rest"]
    label: str
    offset_ms: int  # from the start of the audio this cue came with
    duration_ms: int


@dataclass(frozen=True)
class ReplyAudio(ServerEvent):
    """Announces the binary message that follows: one sentence of reply audio (16-bit PCM)."""

    seq: int
    text: str
    sample_rate: int
    samples: int
    cues: list[BreathCue]
    delay_ms: int = 0  # start this long after it arrives (a paced practice keeps its quiet between lines)
    type: str = field(default="reply.audio", init=False)


@dataclass(frozen=True)
class ReplyStop(ServerEvent):
    reason: str
    type: str = field(default="reply.stop", init=False)


@dataclass(frozen=True)
class Crisis(ServerEvent):
    level: str
    resources: Resources
    type: str = field(default="crisis", init=False)


@dataclass(frozen=True)
class ErrorEvent(ServerEvent):
    code: str
    message: str
    type: str = field(default="error", init=False)


@dataclass(frozen=True)
class Closing(ServerEvent):
    reason: str
    message: str
    type: str = field(default="closing", init=False)
