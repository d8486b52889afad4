"""When is the person's turn over? Sound, words, silence and trailing-off, combined.

A fixed silence cannot tell "…and then my sister called, [1 s] and I just…" from a finished
thought, and a companion that answers the fragment has interrupted. So the decision reads:

- the *sound* (Smart Turn: does the voice's intonation and pace sound finished?),
- the *words* (SmolLM2: would the message end here?),
- *trailing-off* (the last word is one that leads somewhere — "and", "because", "my", "um" —
  so the thought is open whatever the models say),
- and the *silence* so far.

Pure and stateless: the loop gathers the evidence as it becomes available (the sound at once,
the words when the early transcript is ready) and asks again; `decide` says end now, or wait.
The thresholds were calibrated on bench/turns.py's labelled set (see `CALIBRATED`), not on
figures from elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words after which a thought is not finished, whatever else is heard.
HANGING_WORDS = frozenset(
    """and but or so because cause 'cause since although though if when whereas unless until
    um uh er erm like the a an my your his her their our to of for with at into from by than as
    just really very i""".split()
)


@dataclass(frozen=True)
class Thresholds:
    """Where each signal's probability means "finished".

    Calibrated with `bench/turns.py --calibrate` on its calibration items only (20 unfinished
    thoughts, 20 finished, never the measured set): the sweep that cut the fewest thoughts
    short, then the soonest. Two choices tied for fewest cut-offs (1 of 20 vs 2 of 20): the one
    that cut one fewer waited out the full 2.5 s on nearly every finished thought (p50 2.47 s),
    so the one that knows a finished thought in ~0.95 s (p50) was taken."""

    sound: float = 0.3  # Smart Turn, together with the words
    words: float = 0.02  # SmolLM2, together with the sound
    sound_alone: float = 0.99  # Smart Turn this sure ends the turn before the words are read
    words_alone: float = 0.15  # only when the sound model is missing (not calibrated)
    disagree_ms: int = 2500  # one says finished, the other not: wait this long (or the fallback, if longer)


CALIBRATED = Thresholds()


@dataclass(frozen=True)
class TurnEndRules:
    """The waits, from settings (`turns.*`)."""

    earliest_ms: int = 200  # a turn is never taken as over sooner than this
    unsure_ms: int = 800  # the pure-silence fallback: the wait when the signals are off, missing or disagree
    max_thinking_ms: int = 2500  # the longest an unfinished-sounding thought is waited for
    thresholds: Thresholds = CALIBRATED


@dataclass(frozen=True)
class TurnEvidence:
    """What is known `silence_ms` into a silence. None: that signal is not (yet) available."""

    silence_ms: float
    sound: float | None = None
    words: float | None = None
    transcript: str | None = None
    words_pending: bool = False  # the transcript is being made; the words will come


@dataclass(frozen=True)
class TurnEndDecision:
    end: bool
    reason: str


def hangs(transcript: str | None) -> bool:
    """The transcript's last word leads somewhere ("and", "because", "my", "um"…)."""
    if not transcript or transcript.rstrip().endswith("?"):
        return False
    words = re.findall(r"[a-z']+", transcript.lower())
    return bool(words) and words[-1] in HANGING_WORDS


def decide(e: TurnEvidence, rules: TurnEndRules = TurnEndRules()) -> TurnEndDecision:
    t = rules.thresholds
    if e.silence_ms >= rules.max_thinking_ms:
        return TurnEndDecision(True, "silence: the longest thinking pause waited")
    if e.silence_ms < rules.earliest_ms:
        return TurnEndDecision(False, "too soon")
    if hangs(e.transcript):
        return TurnEndDecision(False, "the words lead on")
    sound_done = e.sound is not None and e.sound >= t.sound
    words_done = e.words is not None and e.words >= t.words
    if e.sound is not None and e.words is not None:
        if sound_done and words_done:
            return TurnEndDecision(True, "sound and words finished")
        if not sound_done and not words_done:
            return TurnEndDecision(False, "sound and words unfinished")
        if e.silence_ms >= max(rules.unsure_ms, t.disagree_ms):
            return TurnEndDecision(True, "signals disagree: waited")
        return TurnEndDecision(False, "signals disagree")
    if e.sound is not None and e.sound >= t.sound_alone:
        return TurnEndDecision(True, "sound clearly finished")
    if e.words_pending:
        return TurnEndDecision(False, "reading the words")
    one = e.sound if e.sound is not None else e.words
    if one is None:
        return TurnEndDecision(e.silence_ms >= rules.unsure_ms, "silence only")
    if e.words is not None and e.words >= t.words_alone:
        return TurnEndDecision(True, "words clearly finished")
    if (e.sound is not None and not sound_done) or (e.words is not None and not words_done):
        return TurnEndDecision(False, "unfinished")
    return TurnEndDecision(e.silence_ms >= rules.unsure_ms, "one signal only")


@dataclass(frozen=True)
class ResumedSilence:
    """A silence the companion answered into, which the person then went on from.

    Had the companion waited, it would have been a pause inside their turn; it is kept as one (a
    pause cue of their earlier turn, with their words before and after it), so no silence is lost
    to a reply that came too soon."""

    start_s: float
    duration_s: float
    turn_id: int | None
    words_before: str


RESUME_GRACE_S = 1.5  # speech this soon after a reply ends still continues the thought it answered


def resumed_silence(turn_end_s: float, turn_id: int | None, words_before: str, reply_start_s: float,
                    reply_end_s: float | None, speech_start_s: float,
                    grace_s: float = RESUME_GRACE_S) -> ResumedSilence | None:
    """The person spoke again at `speech_start_s`: was it during (or just after) a reply that began
    in their silence? Then the silence from their last word to now was theirs."""
    if speech_start_s <= turn_end_s or reply_start_s < turn_end_s:
        return None
    if reply_end_s is not None and speech_start_s > reply_end_s + grace_s:
        return None
    return ResumedSilence(turn_end_s, speech_start_s - turn_end_s, turn_id, words_before)


def resumed_pause_cue(resumed: ResumedSilence, words_after: str):
    """The reflection cue for a silence answered too soon: a pause, with the words either side."""
    from dialogue.cues import silence_cue

    return silence_cue("pause", resumed.start_s, resumed.duration_s, resumed.words_before, "", words_after)
