"""`stillpoint chat`: type instead of speak, for when someone is asleep in the next room.

The same conversation engine as speech (`stillpoint.engine.Conversation` fed by `on_text`, with
`TextOutput` in place of the speaker): the same companion, safety, memory and store; only the
ears and the mouth are left out. Each typed line is saved before the reply is made, safety flags
are stored as they are assessed, a goodbye ends the session, and recall and the AI disclosure
follow the same rules as when talking.

With `--script FILE` the user lines come from a file (a line `---` starts a new session; blank
lines and lines starting with `#` are skipped), so clinicians can review replies and benchmarks
can run without audio. `--json` prints one object per turn: speaker, text, source, session
(and, with `--explain`, why each reply sentence was chosen).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from dialogue.store import Store

from .engine.components import Pipeline
from .engine.conversation import Conversation, ConversationSettings
from .engine.text import TextOutput

log = logging.getLogger(__name__)

SESSION_BREAK = "---"


@dataclass(frozen=True)
class ChatTurn:
    speaker: str  # "user" | "companion"
    text: str
    source: str  # "typed" for the user; the reply's sources, joined, for the companion
    session: int
    why: list[str] = field(default_factory=list)
    intent: str = ""
    parts: tuple[tuple[str, str], ...] = ()  # (sentence, source) for each reply sentence
    ends_session: bool = False

    def as_json(self, explain: bool = False) -> str:
        data = {"speaker": self.speaker, "text": self.text, "source": self.source, "session": self.session}
        if explain and self.speaker == "companion":
            data["intent"] = self.intent
            data["why"] = self.why
        return json.dumps(data)


def script_sessions(lines: Iterable[str]) -> list[list[str]]:
    """A script's user lines, split into sessions at `---`."""
    sessions: list[list[str]] = [[]]
    for raw in lines:
        line = raw.strip()
        if line == SESSION_BREAK:
            if sessions[-1]:
                sessions.append([])
            continue
        if line and not line.startswith("#"):
            sessions[-1].append(line)
    return [s for s in sessions if s]


class ChatSession:
    """One typed session: a `Conversation` on the text path, one typed line at a time."""

    def __init__(self, pipeline: Pipeline, store: Store, *, clock: Callable[[], float] = time.monotonic):
        self.pipeline = pipeline
        self.conversation = Conversation(pipeline, store, TextOutput(lambda text: None), source="chat",
                                         settings=ConversationSettings(checkin_after_s=0))
        self.session_id = self.conversation.session_id
        self.clock = clock
        self._t0 = clock()

    @property
    def ended(self) -> bool:
        """The person closed the session (a goodbye): later lines are not answered."""
        return self.conversation.ended is not None

    def _now(self) -> float:
        return round(self.clock() - self._t0, 3)

    def turn(self, text: str) -> list[ChatTurn]:
        """The user's line and the companion's reply to it (nothing after the session ended)."""
        if self.ended:
            return []
        conversation = self.conversation
        before = len(conversation.exchanges)
        conversation.on_text(text, at_s=max(self._now(), conversation.now_s))
        turns = [ChatTurn("user", text, "typed", self.session_id)]
        record = conversation.exchanges[-1] if len(conversation.exchanges) > before else None
        if record is None or not record.sentences:
            return turns
        sentences = record.sentences
        reading = getattr(self.pipeline.companion, "last_reading", None)
        turns.append(ChatTurn(
            "companion", record.reply_text, ",".join(dict.fromkeys(s.source for s in sentences)), self.session_id,
            why=[f"{s.source}: {s.why}" if s.why else s.source for s in sentences],
            intent=reading.intent if reading else "",
            parts=tuple((s.text, s.source) for s in sentences),
            ends_session=conversation.ended == "closing",
        ))
        return turns

    def close(self) -> None:
        self.conversation.close(reason="closing" if self.ended else "end of input")


def run_chat(pipeline: Pipeline, store: Store, sessions: Iterable[Iterable[str]],
             on_turn: Callable[[ChatTurn], None] = lambda t: None) -> list[ChatTurn]:
    """Play user lines through the conversation, one session per inner iterable."""
    turns: list[ChatTurn] = []
    for lines in sessions:
        session = ChatSession(pipeline, store)
        try:
            for text in lines:
                if session.ended:
                    log.info("session %d was closed; the rest of its lines are not answered", session.session_id)
                    break
                for turn in session.turn(text):
                    turns.append(turn)
                    on_turn(turn)
        finally:
            session.close()
    return turns


def typed_lines(stream: TextIO, prompt: Callable[[], None]) -> Iterator[str]:
    """Lines typed at the terminal until end of input; blank lines are skipped."""
    while True:
        prompt()
        line = stream.readline()
        if not line:
            return
        if line.strip():
            yield line.strip()


class ChatPrinter:
    def __init__(self, out: TextIO, *, as_json: bool, explain: bool, echo_user: bool):
        self.out, self.as_json, self.explain, self.echo_user = out, as_json, explain, echo_user

    def __call__(self, turn: ChatTurn) -> None:
        if self.as_json:
            print(turn.as_json(self.explain), file=self.out, flush=True)
            return
        if turn.speaker == "user":
            if self.echo_user:
                print(f"you: {turn.text}", file=self.out, flush=True)
            return
        print(f"stillpoint: {turn.text}", file=self.out, flush=True)
        if self.explain:
            print(f"  (read as: {turn.intent or 'n/a'})", file=self.out)
            for why in turn.why:
                print(f"  why: {why}", file=self.out, flush=True)
