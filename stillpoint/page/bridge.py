"""One page conversation: the engine's `Conversation`, fed from a WebSocket, heard in a browser.

The page is one more front end of the conversation engine: its audio frames go to
`Conversation.on_frame`, a typed line to `on_text`, and the engine's replies come out through
`PageOutput` (the engine's `ReplyOutput` for a browser) instead of a sound card. Turn-taking,
barge-in, safety, cues and storage all happen in the engine; this module only translates, and
keeps every input on one thread, in order, as the engine wants.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from dialogue.practices import DEFAULT_PATTERN
from dialogue.store import Store
from voice.events import SAMPLE_RATE, AudioFrame, SpeechAudio

from ..engine import (
    Conversation,
    ConversationSettings,
    PauseHeard,
    SafetyFlagged,
    SessionClosed,
    SpeechStarting,
    UserTurnSaved,
)
from .protocol import (
    BreathCue,
    Closing,
    Crisis,
    PauseEvent,
    ReplyAudio,
    ReplyStop,
    Resources,
    ServerEvent,
    SpeechStartedEvent,
    UserTurn,
)

log = logging.getLogger(__name__)

Emit = Callable[[ServerEvent | bytes], None]
PLAYBACK_LEAD_S = 0.05  # the page starts a sentence about this long after it arrives


def _cues_for(speech: SpeechAudio) -> list[BreathCue]:
    """Only a guided exercise moves the circle: its audio carries its own plan (`SpeechAudio.schedule`),
    so ordinary talk ("I'm in a bad place") never does, and sound and picture share one clock."""
    return cues_from_schedule(speech.schedule) if speech.schedule else []


class PageOutput:
    """The engine's reply output for a browser, on the conversation's audio clock.

    The audio clock is the count of samples the page has sent, which runs in step with the
    page's own playback; so `playing_until` is when the page will have finished what it was
    sent, and a cut is heard the moment the page gets `reply.stop`.
    """

    start_lead_s = PLAYBACK_LEAD_S  # breathing (issue 12): an exercise resumed after a cut is placed this far ahead

    def __init__(self, emit: Emit):
        self._emit = emit
        self._lock = threading.Lock()
        self._until = 0.0
        self._seq = 0
        self.clock: Callable[[], float] = lambda: 0.0  # set to the conversation's audio clock

    def play(self, speech: SpeechAudio, at_s: float) -> float:
        with self._lock:
            now = self.clock()
            start = max(at_s, now + PLAYBACK_LEAD_S, self._until)
            self._until = start + speech.duration_s
            self._seq += 1
            header = ReplyAudio(self._seq, speech.text, speech.sample_rate, len(speech.samples),
                                _cues_for(speech),
                                delay_ms=round(1000 * (start - now - PLAYBACK_LEAD_S)))
            pcm = (np.clip(speech.samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
            self._emit(header)  # under the lock: header and audio stay a pair
            self._emit(pcm)
        return start

    def cut(self, at_s: float) -> float:
        with self._lock:
            now = self.clock()
            playing = self._until > now
            self._until = min(self._until, max(at_s, now))
        if playing:
            self._emit(ReplyStop("barge_in"))
        return max(at_s, now)

    def playing_until(self) -> float:
        with self._lock:
            return self._until


def pieces_with_pauses(text: str, start_s: float, end_s: float, pauses) -> list[dict]:
    """The turn's words with its pauses where they fell, for the page to mark: `… (1.4 s) …`."""
    from dialogue.store import StoredPause, StoredTurn

    from ..transcript import _words_with_times

    turn = StoredTurn(0, "user", text, start_s, end_s, False, {},
                      tuple(StoredPause(*((p["start_s"], p["duration_s"]) if isinstance(p, dict) else (p.start_s, p.duration_s)))
                            for p in pauses))
    pieces: list[dict] = []
    words: list[str] = []
    remaining = list(turn.pauses)
    for word, at in _words_with_times(turn):
        while remaining and remaining[0].start_s < at:
            if words:
                pieces.append({"words": " ".join(words)})
                words = []
            pieces.append({"pause_s": round(remaining.pop(0).duration_s, 1)})
        words.append(word)
    if words:
        pieces.append({"words": " ".join(words)})
    pieces.extend({"pause_s": round(p.duration_s, 1)} for p in remaining)
    return pieces


class PageConversation:
    """One conversation on its own input thread, fed by `push(pcm)` / `say(text)`, reporting through `emit`."""

    def __init__(self, models, store: Store, emit: Emit, resources: Resources, *, microphone: bool = True,
                 mode: str = "talk", pattern: str | None = None):
        self._emit = emit
        self.pattern = pattern or DEFAULT_PATTERN  # the guided exercise Breathe plays
        self._microphone = microphone
        self.mode = mode
        self._resources = resources
        self._inputs: queue.Queue[tuple[str, object] | None] = queue.Queue()
        self._samples = 0
        self.output = PageOutput(emit)
        journaling = mode == "journal"
        barge_in = models.settings.conversation.barge_in
        if journaling:  # the same entry as `stillpoint journal`: its prompt, waits, listener, mood and reflection
            from ..journal import choose_opening, conversation_settings, journal_pipeline

            self.prompt, _ = choose_opening(store)
            pipeline = journal_pipeline(models.pipeline(), models.settings, store, self.prompt)
            settings = replace(conversation_settings(self.prompt), barge_in=barge_in)
        else:
            self.prompt = ""
            pipeline = models.pipeline()
            settings = ConversationSettings(barge_in=barge_in, speaks_first=True)
        self.conversation = Conversation(pipeline, store, self.output, source="page-journal" if journaling else "page",
                                         settings=settings, on_event=self._on_event, background=True)
        self.output.clock = lambda: self.conversation.now_s
        self.session_id = self.conversation.session_id
        self._crisis_level: str | None = None
        self._thread = threading.Thread(target=self._run, name=f"page-{self.session_id}", daemon=True)
        self._closed = threading.Event()

    def start(self) -> None:
        self._thread.start()
        if not self._microphone:
            threading.Thread(target=self._keep_time, name=f"page-{self.session_id}-clock", daemon=True).start()

    def _keep_time(self, block_s: float = 0.04) -> None:
        """Typing only: silence in real time keeps the conversation's clock (and replies' timing) true."""
        import time

        silence = bytes(int(SAMPLE_RATE * block_s) * 2)
        next_at = time.monotonic()
        while self._thread.is_alive() and not self._closed.is_set():
            self.push(silence)
            next_at += block_s
            self._closed.wait(max(0.0, next_at - time.monotonic()))

    def push(self, pcm: bytes) -> None:
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        self._inputs.put(("frame", AudioFrame(samples=samples, start_s=self._samples / SAMPLE_RATE)))
        self._samples += len(samples)

    def set_mode(self, mode: str, pattern: str | None = None) -> str | None:
        """Breathe: the guided breathing (`pattern`, else the one chosen last), now. Talk and journal differ in
        how long a pause may be, which is set when the conversation starts: `None` when done, else why not."""
        if mode == "breathe":
            self.pattern = pattern or self.pattern
            self._inputs.put(("breathe", self.pattern))
            return None
        if mode != self.mode and "journal" in (mode, self.mode):
            return "Journal mode keeps longer pauses inside your turn; it starts with the next Start."
        return None

    def say(self, text: str) -> None:
        """A typed line, answered like a spoken turn."""
        self._inputs.put(("text", text))

    def stop_reply(self) -> None:
        """The person asked for quiet (the Quiet button, or pressing to talk): typed as nothing, cut now."""
        self._inputs.put(("hush", None))

    def close(self, timeout_s: float = 300.0) -> bool:
        """End the conversation, keeping everything; True once it has (and the store may be closed)."""
        self._closed.set()
        self._inputs.put(None)
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _run(self) -> None:
        conversation = self.conversation
        try:
            conversation.start()
            if self.mode == "breathe":
                conversation.start_practice(self.pattern)
            while (item := self._inputs.get()) is not None and not conversation.ended:
                kind, value = item
                if kind == "frame":
                    conversation.on_frame(value)
                elif kind == "text":
                    conversation.on_text(value)
                elif kind == "breathe":  # the Breathe button: the exercise itself, no words put in the person's mouth
                    conversation.start_practice(value)
                elif kind == "hush":  # engine seam: a public interrupt() was asked for; this is its barge-in, with no speech
                    conversation._barge_in(conversation.now_s, conversation.now_s)
        except Exception:
            log.exception("page conversation %s failed", self.session_id)
        finally:
            conversation.close(flush=False, reason="stopped")

    def _on_event(self, event) -> None:
        if isinstance(event, SpeechStarting):
            self._emit(SpeechStartedEvent(round(event.start_s, 3)))
        elif isinstance(event, PauseHeard):
            self._emit(PauseEvent(round(event.start_s, 3), round(event.duration_s, 3)))
        elif isinstance(event, UserTurnSaved):
            self._emit(UserTurn(event.text, round(event.start_s, 3), round(event.end_s, 3),
                                pieces_with_pauses(event.text, event.start_s, event.end_s, event.pauses)))
        elif isinstance(event, SafetyFlagged):
            if self._crisis_level != "acute":  # once shown, it stays; acute may follow concern
                self._crisis_level = event.level
                self._emit(Crisis(event.level, self._resources))
        elif isinstance(event, SessionClosed) and event.reason == "closing":
            self._emit(Closing("goodbye", "Goodbye for now. What was said is kept on this computer."))


_PHASES = {"in": ("in", "In"), "top_up": ("in", "In, a little more"), "hold": ("hold", "Hold"),
           "out": ("out", "Out"), "rest": ("rest", "Rest")}


def cues_from_schedule(schedule: dict) -> list[BreathCue]:
    """A guided exercise's plan (`BreathingPlan.as_dict()`, seconds from its audio's first sample) as circle cues."""
    return [BreathCue(_PHASES[c["kind"]][0], _PHASES[c["kind"]][1], round(c["at_s"] * 1000), round(c["duration_s"] * 1000))
            for c in schedule.get("cues", []) if c.get("kind") in _PHASES and c.get("duration_s", 0) > 0]
