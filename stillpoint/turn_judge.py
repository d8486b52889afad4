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
    """The signals for one silence, and (simulated) when each was ready, in ms of silence from
    `end_s` (where the speech stopped: the offer's once offered; the silence onset's before)."""

    offer: TurnMayEnd | None
    begun_ms: float
    end_s: float = 0.0
    early: bool = False  # the words were begun at the silence's onset (`prepare`), before the offer
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
        self._early: Reading | None = None  # the words being read since the silence began, not yet offered
        self._early_job: Future | None = None
        self._busy_until_s = float("-inf")  # on a recording: when (audio clock) the one worker is free again
        self._now_s = float("-inf")  # on a recording: the latest audio time seen
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self.last: TurnEndDecision | None = None
        self.last_reading: Reading | None = None

    def fork(self) -> "TurnJudge":
        """A judge for one more conversation at once, sharing the loaded models."""
        return TurnJudge(self.rules, sound=self.sound, transcribe=self.transcribe, words=self.words, live=self.live,
                         clock=self.clock)

    # -- EndOfTurnJudge ---------------------------------------------------------------------
    def prepare(self, end_s: float, at_s: float, audio: np.ndarray) -> None:
        """The speech stopped at `end_s` (heard at `at_s`): start the early transcript of `audio`
        (the turn so far) and the words' reading, in case this silence ends the turn."""
        if self.transcribe is None:
            return
        reading = Reading(None, (at_s - end_s) * 1000, end_s=end_s, early=True)
        with self._lock:
            self._early = reading
        if self.live:
            self._early_job = self._worker().submit(self._read_words_of, reading, audio)
        else:  # the worker may still be busy with an earlier silence's reading, even a stale one
            self._follow_clock(at_s)
            self._read_words_of(reading, audio, start_ms=max(reading.begun_ms, (self._busy_until_s - end_s) * 1000))
            self._busy_until_s = end_s + max(reading.ready_ms.values(), default=reading.begun_ms) / 1000

    def begin(self, offer: TurnMayEnd, heard: np.ndarray) -> None:
        begun_ms = (offer.at_s - offer.end_s) * 1000
        with self._lock:
            early, self._early = self._early, None
        if early is not None and self.transcribe is not None:
            reading = early
            reading.offer, reading.begun_ms = offer, begun_ms
            if not self.live:  # the early reading's times were from where the speech stopped then
                shift = (early.end_s - offer.end_s) * 1000
                reading.ready_ms = {k: v + shift for k, v in early.ready_ms.items()}
            reading.end_s = offer.end_s
        else:
            reading = Reading(offer, begun_ms, end_s=offer.end_s)
        with self._lock:
            self._reading = reading
        if self.live:
            self._worker().submit(self._read, reading, heard)
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
            self._early = None
            job, self._early_job = self._early_job, None
        if job is not None:
            job.cancel()  # not started yet: never runs; running: its reading is dropped

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
        return r.transcript_future, r.end_s + r.ready_ms.get("transcript", r.begun_ms) / 1000

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

    def _follow_clock(self, at_s: float) -> None:
        if at_s < self._now_s:  # the audio clock went back: a new recording, an idle worker
            self._busy_until_s = float("-inf")
        self._now_s = at_s

    def _worker(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="turn-signals")
        return self._pool

    def _read(self, r: Reading, heard: np.ndarray) -> None:
        """At the offer: the sound, after the words if they were begun at the silence's onset
        (one worker: on a recording the sound starts when the words are done)."""
        if not self.live:
            self._follow_clock(r.offer.at_s)
        elapsed = max([r.begun_ms, *r.ready_ms.values(), (self._busy_until_s - r.end_s) * 1000])
        try:
            if self.sound is not None:
                elapsed += self._time(r, "sound", lambda: setattr(r, "sound", self.sound(heard)))
                r.ready_ms["sound"] = elapsed
            if not r.early and self.transcribe is not None:
                self._read_words_of(r, r.offer.audio, start_ms=elapsed)
        except Exception:
            log.exception("a turn-end signal failed; falling back to silence")
        finally:
            if not self.live:
                self._busy_until_s = r.end_s + max([elapsed, *r.ready_ms.values()]) / 1000
            r.done.set()

    def _read_words_of(self, r: Reading, audio: np.ndarray, start_ms: float | None = None) -> None:
        """The early transcript of `audio`, then SmolLM2 on its words."""
        elapsed = r.begun_ms if start_ms is None else start_ms
        try:
            elapsed += self._time(r, "transcript", lambda: setattr(r, "transcript", self.transcribe(audio)))
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
