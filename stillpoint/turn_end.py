"""When is the person's turn over? Sound, words, silence and trailing-off, combined.

A fixed silence cannot tell "…and then my sister called, [1 s] and I just…" from a finished
thought, and a companion that answers the fragment has interrupted. So the decision reads:

- the *sound* (Smart Turn: does the voice's intonation and pace sound finished?),
- the *words* (SmolLM2: would the message end here, or would a comma come next? did Whisper end
  the words so far with a comma?),
- *trailing-off* (the last word is one that leads somewhere — "and", "because", "my", "um" —
  so the thought is open whatever the models say),
- and the *silence* so far.

The signals are weighed by a small logistic regression (one per set of signals available: both,
the sound alone while the words are still being read, the words alone when the sound model is
missing) into P(the thought is finished). The turn ends when that probability clears a threshold
that falls as the silence grows (a hazard): a clearly finished thought is answered as soon as it
is read, a doubtful one after a longer silence, an open one only after `max_thinking_ms`.
Weights and thresholds are fitted by `bench/turns.py --calibrate` on its calibration items only
(stillpoint/turn_end_fit.py), never by hand and never on the measured set.

Pure and stateless: the loop gathers the evidence as it becomes available (the sound at once,
the words when the early transcript is ready) and asks again; `decide` says end now, or wait.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from dialogue.completion import GOES_ON_MARKS

from . import turn_end_fit

# Words after which a thought is not finished, whatever else is heard.
HANGING_WORDS = frozenset(
    """and but or so because cause 'cause since although though if when whereas unless until
    um uh er erm like the a an my your his her their our to of for with at into from by than as
    just really very i""".split()
)


@dataclass(frozen=True)
class EndModel:
    """A logistic regression over some of the signals, and the threshold its probability must
    clear: `first` at the earliest moment a turn may end, falling linearly to `last` at the
    longest thinking pause."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    first: float
    last: float
    # the least silence at which this model may end a turn: the words are read ~0.27 s into a
    # silence, sooner than many pauses inside a thought end; the fit chooses how long to hold them
    not_before_ms: float = 0.0

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(w * features[n] for n, w in zip(self.names, self.weights))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def threshold(self, silence_ms: float, rules: "TurnEndRules") -> float:
        span = max(1.0, rules.max_thinking_ms - rules.earliest_ms)
        x = min(1.0, max(0.0, (silence_ms - rules.earliest_ms) / span))
        return self.first + (self.last - self.first) * x


def fitted_models() -> dict[str, EndModel]:
    return {name: EndModel(**spec) for name, spec in turn_end_fit.MODELS.items()}


@dataclass(frozen=True)
class TurnEndRules:
    """The waits, from settings (`turns.*`), and the fitted models."""

    earliest_ms: int = 200  # a turn is never taken as over sooner than this
    unsure_ms: int = 800  # the pure-silence fallback: the wait when no signal is available
    max_thinking_ms: int = 2500  # the longest an unfinished-sounding thought is waited for
    models: dict[str, EndModel] = field(default_factory=fitted_models, hash=False, compare=False)


@dataclass(frozen=True)
class TurnEvidence:
    """What is known `silence_ms` into a silence. None: that signal is not (yet) available."""

    silence_ms: float
    sound: float | None = None
    words: float | None = None
    transcript: str | None = None
    words_pending: bool = False  # the transcript is being made; the words will come
    clause: float | None = None  # SmolLM2: P(a clause mark comes next), read with `words`


@dataclass(frozen=True)
class TurnEndDecision:
    end: bool
    reason: str
    probability: float | None = None


def hangs(transcript: str | None) -> bool:
    """The transcript's last word leads somewhere ("and", "because", "my", "um"…)."""
    if not transcript or transcript.rstrip().endswith("?"):
        return False
    words = re.findall(r"[a-z']+", transcript.lower())
    return bool(words) and words[-1] in HANGING_WORDS


def _logit(p: float) -> float:
    p = min(1 - 1e-4, max(1e-4, p))
    return math.log(p / (1 - p))


def features(e: TurnEvidence) -> dict[str, float]:
    """The signals known so far, as the models read them (log-odds for probabilities)."""
    f: dict[str, float] = {}
    if e.sound is not None:
        f["sound"] = _logit(e.sound)
    if e.words is not None:
        f["words"] = _logit(e.words)
        if e.clause is not None:
            f["clause"] = _logit(e.clause)
        text = (e.transcript or "").rstrip()
        f["comma"] = float(text.endswith(GOES_ON_MARKS))  # Whisper heard the thought go on
    return f


def stage(e: TurnEvidence) -> str | None:
    """Which model reads this evidence: the most informed one whose signals are all known."""
    if e.words is not None:
        return "both" if e.sound is not None else "words"
    if e.sound is not None:
        return "sound"
    return None


def decide(e: TurnEvidence, rules: TurnEndRules = TurnEndRules()) -> TurnEndDecision:
    if e.silence_ms >= rules.max_thinking_ms:
        return TurnEndDecision(True, "silence: the longest thinking pause waited")
    if e.silence_ms < rules.earliest_ms:
        return TurnEndDecision(False, "too soon")
    if hangs(e.transcript):
        return TurnEndDecision(False, "the words lead on")
    name = stage(e)
    model = rules.models.get(name) if name else None
    if model is None or not set(model.names) <= set(f := features(e)):
        if e.words_pending:
            return TurnEndDecision(False, "reading the words")
        return TurnEndDecision(e.silence_ms >= rules.unsure_ms, "silence only")
    p = model.probability(f)
    if p >= model.threshold(e.silence_ms, rules) and e.silence_ms >= model.not_before_ms:
        return TurnEndDecision(True, f"finished ({name}: p {p:.2f})", p)
    return TurnEndDecision(False, f"not yet ({name}: p {p:.2f})", p)


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
