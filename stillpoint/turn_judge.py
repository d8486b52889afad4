"""Runs the turn-end signals during a silence and asks `turn_end.decide` on every step.

The segmenter (voice.turns) calls `begin` 200 ms into a silence; from then on one worker, in
order, scores the sound (Smart Turn, ~30 ms), transcribes the turn so far (Whisper, the early
transcript the reply will use), and scores the words (SmolLM2: P(end) and P(a clause mark next),
from one read). Each result is used as soon as
it is ready; until then the decision waits on what is known.

On a recording nothing runs in the background: each signal is computed at once and its measured
cost (CPU time) decides when, on the audio clock, it would have been ready — so a recording is
decided as the live loop would have managed on this machine when it is not shared.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from voice.events import Transcript, TurnMayEnd

from .turn_end import TurnEndDecision, TurnEndRules, TurnEvidence, decide

log = logging.getLogger(__name__)


@dataclass
class Reading:
    """The signals for one silence, and (simulated) when each was ready, in ms of silence."""

    offer: TurnMayEnd
    begun_ms: float
    sound: float | None = None
    transcript: Transcript | None = None
    words: float | None = None
    clause: float | None = None
    ready_ms: dict[str, float] = field(default_factory=dict)
    cost_ms: dict[str, float] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)
    transcript_future: Future = field(default_factory=Future)


class TurnJudge:
    """`voice.turns.EndOfTurnJudge` from Smart Turn, SmolLM2 and trailing-off words.

    `words` reads a transcript: (P(end), P(clause mark next)) as `CompletionModel.scores` gives,
    or P(end) alone."""

    def __init__(
        self,
        rules: TurnEndRules,
        *,
        sound: Callable[[np.ndarray], float] | None = None,
        transcribe: Callable[[np.ndarray], Transcript] | None = None,
        words: Callable[[str], tuple[float, float] | float | None] | None = None,
        live: bool = True,
        clock: Callable[[], float] = time.perf_counter,
    ):
        self.rules = rules
        self.sound = sound
        self.transcribe = transcribe
        self.words = words if transcribe is not None else None
        self.live = live
        self.clock = clock
        self._reading: Reading | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self.last: TurnEndDecision | None = None
        self.last_reading: Reading | None = None

    def fork(self) -> "TurnJudge":
        """A judge for one more conversation at once, sharing the loaded models."""
        return TurnJudge(self.rules, sound=self.sound, transcribe=self.transcribe, words=self.words, live=self.live,
                         clock=self.clock)

    # -- EndOfTurnJudge ---------------------------------------------------------------------
    def begin(self, offer: TurnMayEnd, heard: np.ndarray) -> None:
        begun_ms = (offer.at_s - offer.end_s) * 1000
        reading = Reading(offer, begun_ms)
        with self._lock:
            self._reading = reading
        if self.live:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="turn-signals")
            self._pool.submit(self._read, reading, heard)
        else:
            self._read(reading, heard)

    def should_end(self, silence_ms: float, now_s: float) -> bool:
        with self._lock:
            r = self._reading
        if r is None:
            return silence_ms >= self.rules.unsure_ms
        evidence = self._evidence(r, silence_ms)
        decision = decide(evidence, self.rules)
        if decision.end:
            log.debug("turn over after %.0f ms of silence: %s (sound %s, words %s)", silence_ms, decision.reason,
                      _fmt(evidence.sound), _fmt(evidence.words))
            self.last, self.last_reading = decision, r
        return decision.end

    def cancel(self) -> None:
        with self._lock:
            self._reading = None

    # -- the early transcript, for the reply -------------------------------------------------
    def early_transcript(self, offer: TurnMayEnd) -> tuple[Future, float | None] | None:
        """The transcript being made for this offer, as (future, ready on the audio clock or None
        when live), so the reply does not transcribe the turn a second time."""
        with self._lock:
            r = self._reading
        if r is None or r.offer is not offer or self.transcribe is None:
            return None
        if self.live:
            return r.transcript_future, None
        return r.transcript_future, r.offer.end_s + r.ready_ms.get("transcript", r.begun_ms) / 1000

    # -- internals ---------------------------------------------------------------------------
    def _evidence(self, r: Reading, silence_ms: float) -> TurnEvidence:
        ready = (lambda name: name in r.ready_ms) if self.live else (lambda name: silence_ms >= r.ready_ms.get(name, float("inf")))
        sound = r.sound if ready("sound") else None
        transcript = r.transcript.text if ready("transcript") and r.transcript is not None else None
        words = r.words if ready("words") else None
        clause = r.clause if ready("words") else None
        pending = self.words is not None and not ready("words")
        return TurnEvidence(silence_ms, sound=sound, words=words, transcript=transcript, words_pending=pending,
                            clause=clause)

    def _read(self, r: Reading, heard: np.ndarray) -> None:
        elapsed = r.begun_ms
        try:
            if self.sound is not None:
                elapsed += self._time(r, "sound", lambda: setattr(r, "sound", self.sound(heard)))
                r.ready_ms["sound"] = elapsed
            if self.transcribe is not None:
                elapsed += self._time(r, "transcript", lambda: setattr(r, "transcript", self.transcribe(r.offer.audio)))
                r.ready_ms["transcript"] = elapsed
                r.transcript_future.set_result(r.transcript)
                if self.words is not None:
                    text = r.transcript.text if r.transcript is not None else ""
                    elapsed += self._time(r, "words", lambda: self._read_words(r, text))
                    r.ready_ms["words"] = elapsed
        except Exception as error:
            log.exception("a turn-end signal failed; falling back to silence")
            r.ready_ms.setdefault("words", elapsed)
            if not r.transcript_future.done():
                r.transcript_future.set_exception(error)
        finally:
            r.done.set()

    def _read_words(self, r: Reading, text: str) -> None:
        read = self.words(text) if text else None
        if isinstance(read, tuple):
            r.words, r.clause = read
        else:
            r.words = read

    def _time(self, r: Reading, name: str, work: Callable[[], None]) -> float:
        clock = self.clock
        if not self.live and clock is time.perf_counter:
            # On a recording, cost is CPU time, so a busy machine does not make the recording decide
            # late: Smart Turn and SmolLM2 run on this thread (one thread each); Whisper runs on its
            # own threads, so the whole process's CPU time (over its threads: an overestimate).
            clock = time.process_time if name == "transcript" else time.thread_time
        started = clock()
        work()
        cost = (clock() - started) * 1000
        r.cost_ms[name] = cost
        return cost

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def _fmt(p: float | None) -> str:
    return "–" if p is None else f"{p:.2f}"
