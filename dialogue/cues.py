"""Reflection cues: silences worth remembering, with what was said around them.

A cue is a measurement, never an interpretation: where a silence fell, how long it was, the
words just before and after it, what the companion had just said, and the topics nearby. The
bands follow pause research — Campione & Véronis (2002) found pauses cluster below 200 ms, at
200–1000 ms and above 1 s; Frankel & Levitt (2006) studied therapy silences of 3 s and more —
so a pause is `short` (< 1 s), `long` (1–3 s) or `very long` (≥ 3 s).

Later sessions may come back to at most one cue, chosen for salience and phrased as a plain
invitation the user can decline for good. The phrasing bank below is tested for clinical and
judgemental words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from .topics import Topic, main_topic, topics

CueKind = Literal["pause", "response_latency", "unanswered", "trailing_off"]
Band = Literal["short", "long", "very long"]

BEFORE_WORDS = 12
AFTER_WORDS = 8


def band(duration_s: float) -> Band:
    if duration_s < 1.0:
        return "short"
    if duration_s < 3.0:
        return "long"
    return "very long"


@dataclass(frozen=True)
class TimedWord:
    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Cue:
    kind: CueKind
    start_s: float
    duration_s: float
    before: str = ""
    after: str = ""
    companion_said: str = ""
    topics: tuple[str, ...] = field(default_factory=tuple)

    @property
    def band(self) -> Band:
        return band(self.duration_s)


def _join(words: Sequence[TimedWord]) -> str:
    return " ".join(w.text.strip() for w in words).strip()


def split_at(words: Sequence[TimedWord], at_s: float) -> tuple[list[TimedWord], list[TimedWord]]:
    """Words before and after a moment, splitting at the word boundary nearest to it."""
    before = [w for w in words if (w.start_s + w.end_s) / 2 <= at_s]
    after = [w for w in words if (w.start_s + w.end_s) / 2 > at_s]
    return before, after


def _topic_words(*texts: str) -> tuple[str, ...]:
    out: list[str] = []
    for text in texts:
        for topic in topics(text):
            if topic.kind != "thing" or len(out) < 6:
                if topic.word not in out:
                    out.append(topic.word)
    return tuple(out[:8])


def pause_cues(words: Sequence[TimedWord], pauses: Sequence[tuple[float, float]], min_s: float = 0.5) -> list[Cue]:
    """Cues for the pauses inside one user turn (those of at least `min_s`)."""
    cues = []
    for start, duration in pauses:
        if duration < min_s:
            continue
        before, after = split_at(words, start + duration / 2)
        b, a = _join(before[-BEFORE_WORDS:]), _join(after[:AFTER_WORDS])
        cues.append(Cue("pause", start, duration, before=b, after=a, topics=_topic_words(b, a)))
    return cues


_INCOMPLETE_END = re.compile(
    r"\b(and|but|or|so|because|cause|if|when|that|the|a|an|my|to|of|with|about|like|just|i|i'm|we|it's|really|maybe|then|um|uh)$",
    re.I,
)


def trails_off(text: str) -> bool:
    """A turn that stops mid-sentence: no closing punctuation, or ends on a word that needs more."""
    stripped = text.strip()
    if not stripped:
        return False
    if stripped.endswith(("...", "…", "-", "—", ",")):
        return True
    core = stripped.rstrip(".!?\"')")
    return bool(_INCOMPLETE_END.search(core)) or stripped[-1] not in ".!?\"')"


def silence_cue(kind: CueKind, start_s: float, duration_s: float, user_text_before: str, companion_said: str = "",
                user_text_after: str = "") -> Cue:
    before = " ".join(user_text_before.split()[-BEFORE_WORDS:])
    after = " ".join(user_text_after.split()[:AFTER_WORDS])
    return Cue(kind, start_s, duration_s, before=before, after=after, companion_said=companion_said,
               topics=_topic_words(before, companion_said if kind != "pause" else "", after))


# -- recall ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredCue:
    id: int
    session_id: int
    cue: Cue
    dismissed: bool
    revisited: bool


def salience(candidate: StoredCue, history: Sequence[StoredCue], recurring_topics: set[str]) -> float:
    """How much a past cue stands out for *this* person: long, rare for them, on a topic that comes back.

    Zero for cues that are dismissed, already revisited, short, or without a topic to name.
    """
    cue = candidate.cue
    if candidate.dismissed or candidate.revisited or cue.band == "short" or not cue.topics:
        return 0.0
    if content_topic(cue) is None:
        return 0.0  # nothing the person named to come back to: "talking about done" means nothing
    same_kind = [h.cue.duration_s for h in history if h.cue.kind == cue.kind]
    rarity = sum(d < cue.duration_s for d in same_kind) / len(same_kind) if same_kind else 1.0
    recurring = 1.0 if recurring_topics & set(cue.topics) else 0.0
    topic = main_topic(cue.before or " ".join(cue.topics))
    named = 0.5 if topic and topic.kind in ("person", "name") else 0.0
    return math.log1p(cue.duration_s) + rarity + recurring + named


def declined_topics(cues: Sequence[StoredCue]) -> set[str]:
    """Topics the user asked not to come back to ("leave it" means the subject, not one silence)."""
    return {t for c in cues if c.dismissed and (t := content_topic(c.cue))}


def is_declined(word: str, declined: set[str]) -> bool:
    """Whether a theme's word ("sister") belongs to a declined content phrase ("your sister")."""
    word = word.lower()
    return any(word == phrase or word in phrase.lower().split() for phrase in declined)


def choose_recall(cues: Sequence[StoredCue], recurring_topics: set[str], current_session: int | None = None) -> StoredCue | None:
    """The most salient earlier cue, if any stands out.

    "Leave it" is taken to mean the subject, not only that one silence: no cue whose topic is the
    topic of a dismissed cue is ever chosen."""
    earlier = [c for c in cues if c.session_id != current_session]
    declined = declined_topics(earlier)
    earlier_ok = [c for c in earlier if content_topic(c.cue) not in declined]
    scored = [(salience(c, earlier, recurring_topics), -c.id, c) for c in earlier_ok]
    scored = [s for s in scored if s[0] > 0]
    return max(scored)[2] if scored else None


# -- phrasing bank ----------------------------------------------------------------------------
_RECALL_OPENINGS: dict[CueKind, str] = {
    "pause": "Last time, you went quiet for a while after talking about {topic}.",
    "response_latency": "Last time, you took a long moment before answering, when we were talking about {topic}.",
    "unanswered": "Last time, things went quiet for a while after we talked about {topic}.",
    "trailing_off": "Last time, you stopped partway through a thought about {topic}.",
}
RECALL_INVITATION = "Would you like to come back to that, or leave it?"
STOP_RECALL_QUESTION = "Would you like me to stop coming back to earlier silences altogether?"
RECALL_OFF_REPLY = "Okay. I won't bring back earlier moments again; you can always start anywhere you like."
RECALL_KEPT_REPLY = "Okay. I'll only do it now and then, and you can always say leave it."
CHECK_IN = "Take your time. I'm here."
DISMISSED_REPLY = "Of course. We'll leave that, and I won't bring it up again."
PHRASING_BANK = [*(_RECALL_OPENINGS.values()), RECALL_INVITATION, CHECK_IN, DISMISSED_REPLY,
                 "You've mentioned {topic} in three of your last four sessions.",
                 "Would you like to start there today, or somewhere else?"]



def content_topic(cue: Cue) -> str | None:
    """What the person was talking about, as a content phrase they said ('your sister', 'the exam'):
    from their own words before the silence (or, inside a turn, just after it); never the
    companion's words, and never a bare verb or filler word."""
    from .understanding import content_phrase  # late: understanding reads dismissals from here

    return content_phrase(cue.before) or (content_phrase(cue.after) if cue.kind == "pause" else None)


def recall_lines(cue: Cue) -> list[str]:
    topic = content_topic(cue)
    name = topic or "something that mattered to you"
    return [_RECALL_OPENINGS[cue.kind].format(topic=name), RECALL_INVITATION]


_DISMISS = re.compile(
    r"\b(leave it|let'?s leave it|leave that|drop it|let it go|don'?t (want to|wanna) (talk|go) (about|into|back)|"
    r"don'?t bring (that|it) up|rather not|not (right )?now|no,? thanks?|no thank you|i'?d rather not|not today|"
    r"skip (it|that)|move on|forget (it|about it))\b",
    re.I,
)


_YES = re.compile(r"^\W*(yes|yeah|yep|please|sure|ok(ay)?|i would|stop( it)?|do that|that would be better|i think so)\b", re.I)


def says_yes(text: str) -> bool:
    return bool(_YES.search(text))


def is_dismissal(text: str) -> bool:
    return bool(_DISMISS.search(text))
