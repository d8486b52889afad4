"""One page conversation: audio from a WebSocket into the conversation engine, its events back out.

The page is just another microphone and speaker for the same engine `stillpoint talk` uses: the
frames it sends are fed to the engine as they come, and the engine's reply audio is sent back to
the page (`PageSpeaker`, the engine's reply output) instead of to a sound card. Turn-taking,
safety, cues and storage all happen in the engine; this module only translates.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np

from dialogue.practices import BREATHING
from dialogue.store import Store
from voice.events import SAMPLE_RATE, AudioFrame, PauseObserved, SpeechAudio, SpeechStarted, TurnEnded

from ..live_loop import LiveConversation
from ..reporting import TurnReport, format_pause
from .protocol import (
    BreathCue,
    Crisis,
    PauseEvent,
    ReplyAudio,
    ReplyStop,
    Resources,
    ServerEvent,
    SpeechStartedEvent,
    TurnEndedEvent,
    UserTurn,
)

log = logging.getLogger(__name__)

Emit = Callable[[ServerEvent | bytes], None]
PLAYBACK_LEAD_S = 0.05  # the page starts a sentence about this long after it arrives


class PageMicrophone:
    """Frames the page sent, handed to the engine in order as 16 kHz float32 `AudioFrame`s."""

    device_name = "the page's microphone"

    def __init__(self) -> None:
        self._queue: queue.Queue[AudioFrame | None] = queue.Queue()
        self._samples = 0

    def push(self, pcm: bytes) -> None:
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        self._queue.put(AudioFrame(samples=samples, start_s=self._samples / SAMPLE_RATE))
        self._samples += len(samples)

    def close(self) -> None:
        self._queue.put(None)

    def frames(self) -> Iterator[AudioFrame]:
        while (frame := self._queue.get()) is not None:
            yield frame


def breath_cues(text: str, duration_s: float) -> list[BreathCue]:
    """The breathing circle's cue for a line of the breathing script, timed to its own audio.

    Only the practice's fixed lines carry cues, so ordinary talk ("I'm in a bad place") never
    moves the circle. The phase lasts as long as its spoken line does: sound and picture agree.
    """
    if text not in _SCRIPT:
        return []
    duration_ms = int(duration_s * 1000)
    if re.search(r"\bhold\b", text, re.I):
        return [BreathCue("hold", "Hold", 0, duration_ms)]
    if re.search(r"\bout\b", text, re.I):
        return [BreathCue("out", "Out", 0, duration_ms)]
    if re.search(r"\bin\b", text, re.I):
        return [BreathCue("in", "In", 0, duration_ms)]
    return []


_SCRIPT = frozenset(BREATHING)


class SentenceTap:
    """Wraps the shared synthesiser so the reply output knows which words each piece of audio says."""

    def __init__(self, synthesizer):
        self._inner = synthesizer
        self.sample_rate = synthesizer.sample_rate
        self._texts: dict[int, str] = {}

    def synthesize(self, text: str, *, length_scale: float | None = None) -> Iterator[SpeechAudio]:
        for audio in self._inner.synthesize(text, length_scale=length_scale):
            self._texts[id(audio.samples)] = text
            yield audio

    def text_of(self, samples: np.ndarray) -> str:
        return self._texts.pop(id(samples), "")


class PageSpeaker:
    """The engine's reply output for a page: each sentence goes to the page as it is ready.

    Playing time is tracked on the server's clock from the audio's length, so the engine knows
    when the page is still speaking (for barge-in and the check-in timer) without waiting on it.
    """

    def __init__(self, emit: Emit, tap: SentenceTap, clock: Callable[[], float] = time.monotonic):
        self._emit = emit
        self._tap = tap
        self._clock = clock
        self._cond = threading.Condition()
        self._until = 0.0
        self._seq = 0
        self.first_audio_sent_at: float | None = None

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        text = self._tap.text_of(samples)
        duration = len(samples) / sample_rate
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
        with self._cond:
            self._seq += 1
            seq = self._seq
            now = self._clock()
            self._until = max(self._until, now + PLAYBACK_LEAD_S) + duration
        self._emit(ReplyAudio(seq, text, sample_rate, len(samples), breath_cues(text, duration)))
        self._emit(pcm)

    @property
    def is_playing(self) -> bool:
        with self._cond:
            return self._clock() < self._until

    def stop(self, reason: str = "barge_in") -> None:
        with self._cond:
            playing = self._clock() < self._until
            self._until = 0.0
            self._cond.notify_all()
        if playing:
            self._emit(ReplyStop(reason))

    def wait(self, timeout_s: float | None = None) -> bool:
        deadline = None if timeout_s is None else self._clock() + timeout_s
        with self._cond:
            while (left := self._until - self._clock()) > 0:
                if deadline is not None and self._clock() >= deadline:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def close(self) -> None:
        self.stop("closed")


class SegmenterTap:
    """Passes the engine's turn events through unchanged, and tells the page about each one as it happens."""

    def __init__(self, segmenter, emit: Emit):
        self._inner = segmenter
        self._emit = emit

    def process(self, frame: AudioFrame):
        events = self._inner.process(frame)
        for event in events:
            if isinstance(event, SpeechStarted):
                self._emit(SpeechStartedEvent(round(event.start_s, 3)))
            elif isinstance(event, PauseObserved):
                self._emit(PauseEvent(round(event.pause.start_s, 3), round(event.pause.duration_s, 3)))
            elif isinstance(event, TurnEnded):
                self._emit(TurnEndedEvent(round(event.start_s, 3), round(event.end_s, 3)))
        return events

    def __getattr__(self, name):
        return getattr(self._inner, name)


def pieces_with_pauses(text: str, start_s: float, end_s: float, pauses: list[dict]) -> list[dict]:
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
    """Runs one conversation on its own thread, fed by `push(pcm)`, reporting through `emit`."""

    def __init__(self, models, store: Store, emit: Emit, resources: Resources, *, microphone: bool = True,
                 mode: str = "talk"):
        self._emit = emit
        self._resources = resources
        self.microphone = PageMicrophone()
        pipeline = models.pipeline()
        tap = SentenceTap(pipeline.synthesizer)
        pipeline.synthesizer = tap
        pipeline.segmenter = SegmenterTap(pipeline.segmenter, emit)
        self.companion = pipeline.companion
        self.speaker = PageSpeaker(emit, tap)
        barge_in = models.settings.conversation.barge_in
        self.engine = LiveConversation(pipeline, store, self.microphone, self.speaker, barge_in=barge_in, on_turn=self._on_turn)
        self.session_id = self.engine.session_id
        self._crisis_shown = False
        self._thread = threading.Thread(target=self._run, name=f"page-conversation-{self.session_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            self.engine.run()
        except Exception:
            log.exception("page conversation %s failed", self.session_id)

    def push(self, pcm: bytes) -> None:
        self.microphone.push(pcm)

    def set_mode(self, mode: str) -> str | None:
        return None if mode == "talk" else f"The {mode} mode is not available in this version of the page."

    def say(self, text: str) -> None:
        from .protocol import ErrorEvent

        self._emit(ErrorEvent("unavailable", "Typing is not available in this version of the page."))

    def stop_reply(self) -> None:
        """The person asked for quiet (the Stop button, or pressing to talk over it)."""
        self.engine._cancel.set()  # engine seam: replaced by the engine's own cut when it lands
        self.speaker.stop("stopped")

    def close(self, timeout_s: float = 300.0) -> bool:
        """End the conversation; True once everything it was doing has finished (and it is safe to close the store)."""
        self.microphone.close()
        self.speaker.close()
        self._thread.join(timeout_s)
        worker = self.engine._worker  # engine seam: the reply still being written, if any
        if worker is not None:
            worker.join(timeout_s)
        return not self._thread.is_alive() and (worker is None or not worker.is_alive())

    def _on_turn(self, report: TurnReport) -> None:
        if report.speaker != "user":
            return
        self._emit(UserTurn(report.text, round(report.start_s, 3), round(report.end_s, 3),
                            pieces_with_pauses(report.text, report.start_s, report.end_s, report.pauses)))
        assessment = self.companion.last_assessment
        if assessment.flagged and not (self._crisis_shown and assessment.level != "acute"):
            self._crisis_shown = True
            self._emit(Crisis(assessment.level, self._resources))


__all__ = ["PageConversation", "PageSpeaker", "PageMicrophone", "breath_cues", "format_pause"]
