"""Mood check-ins anywhere: a mood heard in any user turn is kept with its words and context.

One place decides whether a heard mood is new, so the conversation hook and the journaling
close can both offer one without the same words being stored twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from dialogue.moods import Mood, parse_mood
from dialogue.store import Store


def keep(store: Store, session_id: int | None, mood: Mood, context: str, source: str = "conversation") -> bool:
    """Store `mood` unless these words from this turn were already kept; True if stored."""
    recent = store.moods(since_ts=datetime.now(timezone.utc) - timedelta(days=1))
    if any(m.session_id == session_id and m.words == mood.words and m.context == context for m in recent):
        return False
    store.add_mood(session_id, mood.value, mood.words, context=context, source=source)
    return True


def keep_mood(store: Store, session_id: int | None, text: str, *, asked: bool = False,
              source: str = "conversation") -> Mood | None:
    """Parse a mood from what the person said (a change is read against their last mood) and keep it."""
    moods = store.moods()
    mood = parse_mood(text, asked=asked, previous=moods[-1].value if moods else None)
    if mood is not None:
        keep(store, session_id, mood, text, source)
    return mood
