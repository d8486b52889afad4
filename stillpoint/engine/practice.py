"""breathing (issue 12): a guided exercise playing inside a conversation, steered by voice.

While the exercise's breaths play, what the person says goes to the exercise instead of cutting
the reply. Speaking over a cue stops that cue, and the rhythm goes on. When the turn ends, its
words are read, safety first:

- words the safety assessment flags, or anything that is not a steering request ("I feel dizzy"),
  stop the exercise and are answered as an ordinary turn (the crisis response included);
- a steering request ("slower", "stop", "one more", "just tones") re-plans the rest of the exercise
  on its own clock origin: what is queued after that moment is cancelled and the re-planned
  remainder is played aligned with the original timeline;
- the cue's own words heard back ("in", "hold") change nothing.

The exercise's logic is all `BreathingSession`'s (plan.steer, track.cut); this module only places
it on the conversation's clock and its `ReplyOutput` (which can only play and cut: a change is a
cut followed by the rest, played from the same moment).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Literal

from dialogue.breathing import Steering, parse_steering
from dialogue.safety import assess_with
from voice.events import SpeechStarted, TurnEnded
from voice.protocols import ReplyOutput

from ..breathe import CUE_WORDS, STEERING_PROMPT, Heard
from .events import TurnReport
from .exchange import TextTurn, UserTurnSaved

__all__ = ["STEERING_PROMPT", "PracticePlaying", "PracticeSteering", "Reading", "read_during_practice"]

log = logging.getLogger(__name__)

STEERING_MAX_WORDS = 6  # "can you slow down a bit?"; a longer sentence is talk, and is answered


@dataclass(frozen=True)
class Reading:
    """What words heard during an exercise are: its own cues' echo, steering, or a turn to answer."""

    kind: Literal["echo", "steer", "turn"]
    steering: Steering | None = None
    level: str = "none"


def read_during_practice(text: str, companion) -> Reading:
    """Safety first: flagged words are always a turn, whatever else they contain ("end it")."""
    words = [w.strip(".,!?;:…").lower() for w in text.split()]
    words = [w for w in words if w]
    if not words or set(words) <= CUE_WORDS:
        return Reading("echo")
    assessment = assess_with(text, getattr(companion, "second_opinion", None),
                             semantic=getattr(companion, "semantic", True))
    if assessment.level != "none":
        return Reading("turn", level=assessment.level)
    steering = parse_steering(text) if len(words) <= STEERING_MAX_WORDS else None
    return Reading("steer", steering) if steering is not None else Reading("turn")


class PracticePlaying:
    """One exercise being heard: its `Practice` (breathe_runner), where its time 0 fell on the
    conversation's clock, and the reply it is."""

    def __init__(self, practice, origin_s: float, output: ReplyOutput, reply):
        self.practice = practice
        self.session = practice.session
        self.origin_s = origin_s
        self.output = output
        self.reply = reply
        # an output that needs a moment before it can start a sound (the page) resumes that much later
        self.lead_s = float(getattr(output, "start_lead_s", 0.0))

    def listens_at(self, at_s: float) -> bool:
        """Speech goes to the exercise from its intro to its last breath; over its closing words, it is talk."""
        return self.origin_s <= at_s < self.origin_s + self.session.plan.end_s

    def cut_cue(self, at_s: float) -> float | None:
        """Speaking over a cue stops that cue; the rest plays on time. Returns the new end, or None if nothing sounded."""
        track = self.session.track
        here = at_s - self.origin_s
        if not track.sounding(here):
            return None
        edge = self.output.cut(at_s)
        self.session.speech_started(edge - self.origin_s)
        return self._resume(edge)

    def steer(self, steering: Steering, text: str, heard_s: float) -> tuple[str, float]:
        """Apply a steering request heard at `heard_s`: (what it did, the exercise's new end)."""
        edge = self.output.cut(heard_s)
        action = self.session.steer(steering, heard_s - self.origin_s, edge - self.origin_s)
        self.session.result.heard.append(Heard(round(heard_s - self.origin_s, 3), text, action))
        log.info("exercise: heard %r → %s", text, action)
        return action, self._resume(edge)

    def stop(self, text: str, heard_s: float) -> float:
        """Words that are not steering end the exercise here (no closing words: they are answered instead)."""
        edge = self.output.cut(heard_s)
        at = heard_s - self.origin_s
        if at < self.session.plan.end_s:
            self.session.steer(Steering("stop"), at, edge - self.origin_s)
        self.session.result.heard.append(Heard(round(at, 3), text, "stopped: answered"))
        return edge

    def _resume(self, edge_s: float) -> float:
        """Play the rest from `edge_s` (plus the output's lead) on the exercise's own timeline; returns its end."""
        track = self.session.track
        from_s = edge_s + self.lead_s - self.origin_s
        starting = track.starts_between(edge_s - self.origin_s, from_s)
        if starting:  # a cue due inside the lead: play it whole, a few ms late, rather than clipped
            from_s = starting[0]
        audio = self.practice.audio(from_s)
        if not len(audio.samples):
            return edge_s
        start = self.output.play(audio, self.origin_s + from_s)
        return start + audio.duration_s

    @property
    def text(self) -> str:
        return self.practice.text


class PracticeSteering:
    """The `Conversation`'s side of it: where its speech and turns go while an exercise plays.

    A mixin of `Conversation` (it uses its store, output lock, clock and `_begin_reply`), kept here
    so the conversation only calls in: `_speech_over_practice` at speech onset, `_read_practice_turn`
    once a turn spoken over it has ended (on each frame until its words are ready), `_practice_heard`
    for typed words; the exercise itself is taken up in `Conversation._play` as its audio starts.
    """

    def _speech_over_practice(self, event: SpeechStarted) -> bool:
        """Speech over an exercise's breaths goes to the exercise: the cue sounding stops, the rhythm goes on."""
        practice = self._practice
        self._speech_to_practice = bool(practice is not None and self.settings.barge_in
                                        and practice.listens_at(event.detected_s))
        if self._speech_to_practice:
            with self._lock:
                end = practice.cut_cue(event.detected_s)
                self._practice_ends_at(practice, end)
        return self._speech_to_practice

    def _read_practice_turn(self, wait: bool = False) -> None:
        """A turn spoken during an exercise, once its transcript is ready on the audio clock."""
        turn, early = self._practice_turn
        if not wait and (not early.future.done() or (early.ready_at_s or 0.0) > self.now_s + 1e-6):
            return
        self._practice_turn = None
        text = early.future.result().text
        # understood when the transcript was ready: a recording knows when that was on its clock; live, it is now
        heard_s = max(turn.decided_s, early.ready_at_s if early.ready_at_s is not None else self.now_s)
        if not self._practice_heard(turn, text, heard_s):
            # answered as a turn, decided when its words were understood
            self.exchanger.adopt_early(turn, early.future, heard_s)  # type: ignore[arg-type]
            self._begin_reply(turn)

    def _practice_heard(self, turn: TurnEnded | TextTurn, text: str, heard_s: float) -> bool:
        """Steering (or the cue's own echo) is the exercise's: True. Anything else stops the exercise
        here — safety first: flagged words are never steering — and the caller answers it as a turn."""
        practice = self._practice
        if practice is None:
            return False
        reading = read_during_practice(text, self.companion)
        if reading.kind == "echo":
            return True
        if reading.kind == "turn":
            reply = practice.reply
            if reply.end_s is not None and reply.end_s > heard_s:  # still sounding: it ends here
                with self._lock:
                    reply.complete_at_cut = reply.done.is_set()
                    reply.cancel.set()
                    reply.cut_at = practice.stop(text, heard_s)
                self.interruptions += 1
                log.info("exercise stopped at %.2f s to answer %r (safety: %s)", heard_s, text, reading.level)
            self._practice = None
            return False
        action = "the breaths were over"
        if practice.listens_at(heard_s):
            with self._lock:
                action, end = practice.steer(reading.steering, text, heard_s)
                self._practice_ends_at(practice, end)
        start = turn.start_s if isinstance(turn, TurnEnded) else turn.at_s
        end_s = turn.end_s if isinstance(turn, TurnEnded) else turn.at_s
        timings = {"steering": action}
        self._report_user_turn(practice.reply)  # the request that began it is reported first (transcripts in order)
        turn_id = self.store.add_turn(self.session_id, "user", text, start, end_s, timings=timings)
        self._emit(UserTurnSaved(text, turn_id, start, end_s, (), timings))
        self._emit(TurnReport("user", text, start, end_s, timings))
        return True

    def _practice_ends_at(self, practice: PracticePlaying, end: float | None) -> None:
        """The exercise was re-planned: its reply now ends where its rest does (and says what it became)."""
        reply = practice.reply
        if reply.spoken and end is not None:
            last = reply.spoken[-1]
            last.end_s = end
            last.sentence = replace(last.sentence, text=practice.text)

