"""Memory beyond cues: a short extractive summary of each session, and the themes that recur.

Summaries pick the user's own sentences that carry the most named people, places and feelings,
so nothing is invented; themes are topics named in several sessions ("you've mentioned work in
three of your last four sessions").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .topics import Topic, topics

THEME_INVITATION = "Would you like to start there today, or somewhere else?"

# "Do you remember what I told you?": answered from what is kept, never guessed.
_ASKS_IF_I_REMEMBER = re.compile(
    r"\b(do|did|can|will) (you|u) (remember|recall)\b|\bremember (what|when|that) i (told|said|mentioned)\b|"
    r"\bwhat did i (tell|say to) (you|u)\b|\b(you|u) (don'?t|do not|won'?t) remember\b",
    re.I,
)
NOTHING_BEFORE = "This is the first time we've talked here, so there's nothing from before yet. What's on your mind?"
MEMORY_INVITATION = "Where would you like to pick it up?"


def asks_if_i_remember(text: str) -> bool:
    return bool(_ASKS_IF_I_REMEMBER.search(text))


def remembered_lines(earlier_texts: Sequence[str], phrases: Sequence[str]) -> list[str]:
    """What to say when asked "do you remember…?": the things named last time, in the person's own words
    (`phrases`, already turned to "your sister"), or that there is nothing from before. Never invented."""
    if not earlier_texts:
        return [NOTHING_BEFORE]
    named = list(dict.fromkeys(p for p in phrases if p))[:3]
    if not named:
        return ["I keep what you tell me here, on this computer, but I don't want to guess at the details.", MEMORY_INVITATION]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return [f"Some of it. Last time you talked about {listed}.", MEMORY_INVITATION]

_WEIGHT = {"person": 3, "name": 3, "feeling": 2, "place": 2, "thing": 1}
_NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


def summarise(user_texts: Sequence[str], max_sentences: int = 2, max_chars: int = 280) -> str:
    sentences = [s.strip() for text in user_texts for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 3]
    if not sentences:
        return " ".join(user_texts)[:max_chars]
    scored = [(sum(_WEIGHT[t.kind] for t in topics(s)), -i, s) for i, s in enumerate(sentences)]
    kept: list[tuple] = []
    for item in sorted(scored, reverse=True):  # whole sentences of the person's only: never cut one short
        if len(kept) >= max_sentences:
            break
        if not kept or sum(len(s) + 1 for _, _, s in kept) + len(item[2]) <= max_chars:
            kept.append(item)
    return " ".join(s for _, _, s in sorted(kept, key=lambda x: -x[1]))


def session_topics(user_texts: Sequence[str]) -> dict[str, Topic]:
    found: dict[str, Topic] = {}
    for text in user_texts:
        for t in topics(text):
            found.setdefault(t.word, t)
    return found


@dataclass(frozen=True)
class Theme:
    topic: Topic
    sessions: int  # in how many of the recent sessions it was named
    out_of: int

    def spoken(self) -> str:
        count = _NUMBERS.get(self.sessions, str(self.sessions))
        total = _NUMBERS.get(self.out_of, str(self.out_of))
        return f"You've mentioned {self.topic.spoken()} in {count} of your last {total} sessions."


def themes(texts_by_session: Mapping[int, Sequence[str]], recent: int = 4, min_sessions: int = 2) -> list[Theme]:
    """Topics named in at least `min_sessions` of the last `recent` sessions, most frequent first."""
    ids = sorted(texts_by_session)[-recent:]
    per_session = [session_topics(texts_by_session[i]) for i in ids]
    counts = Counter(word for found in per_session for word in found)
    examples = {word: t for found in per_session for word, t in found.items()}
    ranked = sorted(
        (w for w, n in counts.items() if n >= min_sessions),
        key=lambda w: (-counts[w], -_WEIGHT[examples[w].kind], w),
    )
    return [Theme(examples[w], counts[w], len(ids)) for w in ranked]


def recurring_topics(texts_by_session: Mapping[int, Sequence[str]], min_sessions: int = 2) -> set[str]:
    counts = Counter(word for texts in texts_by_session.values() for word in session_topics(texts))
    return {w for w, n in counts.items() if n >= min_sessions}
