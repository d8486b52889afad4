"""Journaling aloud: one opening prompt, then mostly listening, then a gentle close.

The companion's part in a journal entry is small on purpose. It offers one prompt — from the
person's recent themes or a silence they have not come back to, else an open question — and
then listens. When the person stops for a while (the app's long end-of-turn wait), it answers
with a brief acknowledgement, never advice and never a question of its own; the language model
is not used. "I'm done" or "that's all for tonight" closes the entry: if no mood was given along
the way, it asks once, lightly, and takes "skip" for an answer; then it invites one line to
close the entry, kept in the person's own words.

`JournalListener` is pure policy (text in, lines out); the app feeds it turns and saves what it
returns. Crisis language is never handled here: the companion's safety response always comes
first, whatever mode the session is in.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .cues import StoredCue, content_topic, declined_topics, is_declined, is_dismissal
from .memory import Theme
from .moods import MOOD_QUESTION, Mood, parse_mood

OPEN_PROMPTS = (
    "What's been on your mind today?",
    "What would you like to put into words tonight?",
    "Is there a moment from today that has stayed with you?",
    "How has today been, in your own words?",
    "What's sitting with you right now?",
    "Is there something from this week you'd like to remember, or let go of?",
    "Where would you like to start tonight?",
)
ACKNOWLEDGEMENTS = (
    "Mm-hm.",
    "I'm listening.",
    "Take your time.",
    "I'm here.",
    "Go on, whenever you're ready.",
    "Mm. I'm still here.",
)
REFLECTION_INVITATION = "If you'd like, say one line to close this entry. Or just say no."
MOOD_THEN_CLOSE = "Thank you for putting this into words."
SAVED = "Your entry is saved. Goodnight, and take care."
SAVED_DAY = "Your entry is saved. Take care."

_CLOSING = re.compile(
    r"(?:\b(?:i'?m|i am|i think i'?m|i guess i'?m)\s+(?:all\s+)?(?:done|finished|through)"
    r"(?:\s+(?:for\s+(?:now|today|tonight|the\s+(?:day|night))|here|with\s+(?:this|the\s+entry|today)))?"
    r"|\bthat'?s\s+(?:all|it|everything|enough)(?:\s+(?:for\s+(?:now|today|tonight|the\s+(?:day|night))|i\s+(?:have|wanted\s+to\s+say)))?"
    r"|\b(?:end|close|finish|stop)\s+(?:the\s+|this\s+|my\s+)?(?:entry|journal|recording)"
    r"|\bgood\s*night\b|\bthat\s+will\s+do(?:\s+for\s+(?:now|today|tonight))?"
    r"|\bnothing\s+(?:else|more)(?:\s+(?:for\s+(?:now|today|tonight)|to\s+say))?)"
    r"[\s.!,]*(?:(?:thanks|thank\s+you|bye|goodnight|good\s+night|okay|ok)[\s.!,]*)*$",
    re.I,
)
_DECLINE = re.compile(
    r"^\W*(?:no|nope|nah|skip|pass|not\s+(?:really|now|tonight|today)|no\s+thanks?|no\s+thank\s+you|nothing|"
    r"i'?d\s+rather\s+not|rather\s+not|that'?s\s+(?:it|all)|i'?m\s+good|i'?m\s+fine)\b[\W\s]*$",
    re.I,
)


def closes_entry(text: str) -> bool:
    """'I'm done.', 'That's all for tonight.', 'OK, I think I'm finished. Goodnight.' — said at the end."""
    clauses = [c for c in re.split(r"(?<=[.!?])\s+", text.strip()) if c.strip()]
    tail = " ".join(clauses[-2:]) if clauses else ""
    return bool(_CLOSING.search(tail))


def declines(text: str) -> bool:
    """'No.', 'Skip.', 'Not tonight.' — an answer that says no to a question."""
    return bool(_DECLINE.match(text.strip())) or is_dismissal(text) and len(text.split()) <= 5


def opening_prompt(themes: Sequence[Theme], cues: Sequence[StoredCue], *, seed: int | None = None) -> tuple[str, StoredCue | None]:
    """The one prompt that opens an entry, and the earlier silence it returns to, if it does.

    A silence not yet revisited (long, on a topic that can be named, not declined) comes first;
    then a theme named in several recent sessions; else an open prompt from the bank."""
    declined = declined_topics(cues)
    open_cues = [c for c in cues if not c.dismissed and not c.revisited and c.cue.band in ("long", "very long")]
    for candidate in sorted(open_cues, key=lambda c: (-c.cue.duration_s, -c.id)):
        topic = content_topic(candidate.cue)  # replies (issue 9): only a content phrase the person said
        if topic is not None and topic not in declined:
            return (f"Last time, you went quiet for a while after mentioning {topic}. "
                    "You could start there tonight, or anywhere you like."), candidate
    for theme in themes:
        if not is_declined(theme.topic.word, declined) and theme.sessions >= 2:
            return (f"{theme.topic.spoken().capitalize()} has come up in {theme.sessions} of your recent sessions. "
                    "Would you like to start there, or somewhere else?"), None
    return random.Random(seed).choice(OPEN_PROMPTS), None


@dataclass
class JournalStep:
    """What the companion says after one of the person's turns, and what to keep."""

    lines: list[str] = field(default_factory=list)
    mood: Mood | None = None
    reflection: str | None = None
    ends: bool = False


class JournalListener:
    """One entry's listening state: acknowledging, then (after 'I'm done') mood once, reflection, saved."""

    def __init__(self, *, previous_mood: int | None = None, night: bool = True, seed: int | None = None):
        self.previous_mood = previous_mood
        self.night = night
        self.state = "listening"  # → asked_mood → asked_reflection → closed
        self.mood_given = False
        self.mood_asked = False
        self._random = random.Random(seed)
        self._last_ack = ""

    def _acknowledge(self) -> str:
        choices = [a for a in ACKNOWLEDGEMENTS if a != self._last_ack]
        self._last_ack = self._random.choice(choices)
        return self._last_ack

    def _mood(self, text: str, asked: bool) -> Mood | None:
        mood = parse_mood(text, asked=asked, previous=self.previous_mood)
        if mood is not None:
            self.mood_given = True
            self.previous_mood = mood.value
        return mood

    def on_turn(self, text: str) -> JournalStep:
        text = text.strip()
        if self.state == "closed" or not text:
            return JournalStep()
        if self.state == "asked_mood":
            mood = None if declines(text) else self._mood(text, asked=True)
            self.state = "asked_reflection"
            return JournalStep([REFLECTION_INVITATION], mood=mood)
        if self.state == "asked_reflection":
            self.state = "closed"
            reflection = None if declines(text) else _one_line(text)
            mood = None if self.mood_given or declines(text) else self._mood(text, asked=False)
            return JournalStep([SAVED if self.night else SAVED_DAY], mood=mood, reflection=reflection, ends=True)
        mood = self._mood(text, asked=False)
        if closes_entry(text):
            if not self.mood_given and not self.mood_asked:
                self.mood_asked = True  # at most once a session, and only at the close
                self.state = "asked_mood"
                return JournalStep([MOOD_THEN_CLOSE, MOOD_QUESTION], mood=mood)
            self.state = "asked_reflection"
            return JournalStep([MOOD_THEN_CLOSE, REFLECTION_INVITATION], mood=mood)
        return JournalStep([self._acknowledge()], mood=mood)


def _one_line(text: str, max_chars: int = 200) -> str:
    """The person's closing words as one line (their words, trimmed, never rewritten)."""
    line = " ".join(text.split())
    if len(line) <= max_chars:
        return line
    return line[: max_chars - 1].rsplit(" ", 1)[0] + "…"
