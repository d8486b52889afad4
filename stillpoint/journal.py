"""`stillpoint journal`: the conversation engine in journaling mode.

The engine itself is unchanged; journaling changes three things around it:
- the turn segmenter ends a turn on silence alone, after a much longer quiet
  (`turns.journaling.end_of_turn_ms`), so pauses of several seconds stay pauses inside the entry;
- the companion is wrapped (`JournalCompanion`): the real companion still assesses every turn
  for safety first and answers a flagged one as always; every other turn gets the journaling
  listener's brief acknowledgement (or, at the close, the mood question and the reflection
  invitation) instead of the language model;
- no recall or soft check-in: the opening prompt (`ConversationSettings.opening`) is the only
  thing the companion brings, and once the entry is closed the session ends (`SessionEnds`).
Moods and the closing reflection are saved the moment they are heard.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from dialogue.companion import ReplySentence, SafetyAssessed, SessionEnds
from dialogue.journaling import JournalListener, JournalStep, opening_prompt
from dialogue.memory import themes
from dialogue.store import Store

from .config import Settings
from .mood_keeper import keep

log = logging.getLogger(__name__)

_QUIET = "\u2026"  # a placeholder fixed line, never spoken: it keeps the model out of a turn that gets no words
_OWN = {"inner", "listener", "store", "prompt", "session_id", "entry_marked"}


class JournalCompanion:
    """The companion for a journal entry: safety from the real one, everything else from the listener."""

    mood_source = "journal"  # moods heard in an entry are kept as the entry's

    def __init__(self, inner, listener: JournalListener, store: Store, prompt: str = ""):
        self.inner = inner
        self.listener = listener
        self.store = store
        self.prompt = prompt  # the opening prompt heard before the entry ("" for a voice memo)
        self.session_id: int | None = None  # told by the conversation (`bind_session`), never guessed
        self.entry_marked = False

    def bind_session(self, session_id: int) -> None:
        """The conversation's own session: with several entries at once (the page), "the latest
        session" could be someone else's."""
        self.session_id = session_id

    def __getattr__(self, name):  # backend, last_trace, last_assessment, history… are the real companion's
        return getattr(self.inner, name)

    def __setattr__(self, name, value):
        if name in _OWN:
            object.__setattr__(self, name, value)
        else:
            setattr(self.inner, name, value)

    def _keep(self, user_text: str, step: JournalStep) -> None:
        """Mood and reflection go to disk before anything is said back."""
        session_id = self.session_id
        if session_id is None:
            return
        if not self.entry_marked:
            self.store.set_journal_entry(session_id, prompt=self.prompt or None)
            self.entry_marked = True
        if step.mood is not None:
            keep(self.store, session_id, step.mood, user_text, source="journal")
        if step.reflection is not None:
            self.store.set_journal_entry(session_id, reflection=step.reflection)

    def reply(self, user_text: str, *, preface=(), fixed=(), trace=None) -> Iterator[object]:
        """The engine's reply step: the real companion's safety assessment first, then the
        listener's lines said as fixed lines (never the model); a closed entry ends the session."""
        before = copy.copy(self.listener)
        step = self.listener.on_turn(user_text)
        items = self.inner.reply(user_text, preface=preface, fixed=step.lines or [_QUIET], trace=trace)
        flagged = False
        try:
            for item in items:
                if isinstance(item, SafetyAssessed):
                    flagged = item.responding_as != "none"
                    if flagged:  # a hard moment: the safety response, and the entry does not move on over it
                        self.listener = before
                        step = JournalStep(mood=step.mood)
                    self._keep(user_text, step)
                elif isinstance(item, ReplySentence) and item.source == "fixed" and item.text == _QUIET:
                    continue  # nothing to say: the person is still journaling
                yield item
        finally:
            items.close()
        if step.ends and not flagged:
            yield SessionEnds("journal entry closed")

    def fresh(self) -> "JournalCompanion":
        """Another entry's companion (the page's `Pipeline.fork`): same models, a new listener."""
        listener = JournalListener(previous_mood=previous_mood(self.store), night=self.listener.night)
        return JournalCompanion(self.inner.fresh(), listener, self.store, self.prompt)


def journal_settings(settings: Settings) -> Settings:
    """The same settings with the journaling waits (`turns.journaling`: silence alone ends a turn,
    later), no recall and no soft check-in."""
    j = settings.turns.journaling
    turns = settings.turns.model_copy(update={"end_of_turn_ms": j.end_of_turn_ms, "max_turn_s": j.max_turn_s,
                                              "end_detection": "silence"})
    memory = settings.memory.model_copy(update={"recall": False, "checkin_after_s": 0.0})
    return settings.model_copy(update={"turns": turns, "memory": memory})


def previous_mood(store: Store) -> int | None:
    moods = store.moods()
    return moods[-1].value if moods else None


def choose_opening(store: Store) -> tuple[str, object]:
    found = themes(store.user_texts_by_session())
    return opening_prompt(found, store.cues(), seed=datetime.now().toordinal())


def journal_pipeline(pipeline, settings: Settings, store: Store, prompt: str = ""):
    """The pipeline with the journaling segmenter and companion, for one entry opened by `prompt`
    (the conversation tells the companion its session when it starts)."""
    from .engine.components import make_segmenter

    js = journal_settings(settings)
    hour = datetime.now().hour
    listener = JournalListener(previous_mood=previous_mood(store), night=hour >= 18 or hour < 5)
    companion = JournalCompanion(pipeline.companion, listener, store, prompt)
    return replace(pipeline, segmenter=make_segmenter(js), companion=companion, memory=js.memory, settings=js)


def conversation_settings(opening: str = ""):
    """The engine's settings for an entry: speak the prompt first (live), no soft check-in."""
    from .engine.conversation import ConversationSettings

    return ConversationSettings(barge_in=True, speaks_first=bool(opening), checkin_after_s=0.0,
                                opening=(opening,) if opening else ())
