"""Noticing silence and remembering it: the app-side glue between the loops and `dialogue.cues`.

- `SilenceWatch` follows the quiet after each reply on the audio clock: how long the user took to
  answer (response latency), when a soft check-in is due (once, after `checkin_after_s`), and
  whether a question went unanswered.
- `CueRecorder` turns a finished user turn (its pauses, words and the silence before it) into
  stored cues.
- `Recall` picks at most one earlier cue to return to at the start of a session, and handles the
  answer: "leave it" dismisses it for good; anything else counts as revisited.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

from dialogue.companion import Companion
from dialogue.cues import (
    DISMISSED_REPLY,
    RECALL_KEPT_REPLY,
    RECALL_OFF_REPLY,
    STOP_RECALL_QUESTION,
    Cue,
    StoredCue,
    TimedWord,
    choose_recall,
    declined_topics,
    is_dismissal,
    pause_cues,
    recall_lines,
    says_yes,
    silence_cue,
    trails_off,
)
from dialogue.practices import wants_breathing
from dialogue.understanding import is_closing
from dialogue.memory import THEME_INVITATION, recurring_topics, summarise, themes
from dialogue.store import Store
from voice.events import TurnEnded, Word

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SilenceBefore:
    """The quiet between the companion finishing and the user starting again."""

    start_s: float
    duration_s: float
    companion_said: str
    checked_in: bool


class SilenceWatch:
    def __init__(self, checkin_after_s: float = 20.0):
        self.checkin_after_s = checkin_after_s
        self._since: float | None = None
        self._said = ""
        self._checked_in = False

    def reply_finished(self, at_s: float, text: str) -> None:
        self._since, self._said, self._checked_in = at_s, text, False

    def due_check_in(self, now_s: float) -> float | None:
        """Once per silence: the moment a check-in became due (≤ now), when the user has been
        quiet `checkin_after_s` after a reply; otherwise None."""
        if self._since is None or self._checked_in or self.checkin_after_s <= 0:
            return None
        due = self._since + self.checkin_after_s
        if now_s >= due:
            self._checked_in = True
            return due
        return None

    def speech_started(self, at_s: float) -> SilenceBefore | None:
        if self._since is None:
            return None
        silence = SilenceBefore(self._since, max(0.0, at_s - self._since), self._said, self._checked_in)
        self._since = None
        return silence


class CueRecorder:
    def __init__(self, store: Store, session_id: int, *, min_pause_s: float = 0.5, min_latency_s: float = 1.0):
        self.store = store
        self.session_id = session_id
        self.min_pause_s = min_pause_s
        self.min_latency_s = min_latency_s
        self.previous_user_text = ""
        self.previous_reply_fixed = False  # set by the exchange: the last reply was fixed words (a practice, a policy)

    def record(self, turn: TurnEnded, text: str, words: tuple[Word, ...], turn_id: int,
               silence: SilenceBefore | None) -> list[Cue]:
        """Cues worth keeping from this turn. None from a goodbye, a "leave it" or a request to
        breathe, and no silence is kept that followed a closing, a dismissal, a breathing
        exercise or any fixed line: those quiets mean nothing to come back to."""
        meaningless_turn = is_closing(text) or is_dismissal(text) or wants_breathing(text, False)
        previous = self.previous_user_text
        quiet_after_fixed = self.previous_reply_fixed or is_closing(previous) or is_dismissal(previous) or \
            wants_breathing(previous, False)
        self.previous_user_text = text
        if meaningless_turn:
            return []
        timed = [TimedWord(w.text, turn.audio_start_s + w.start_s, turn.audio_start_s + w.end_s) for w in words]
        cues = pause_cues(timed, [(p.start_s, p.duration_s) for p in turn.pauses], self.min_pause_s)
        if silence is not None and silence.duration_s >= self.min_latency_s and not quiet_after_fixed:
            kind = "unanswered" if silence.checked_in and "?" in silence.companion_said else "response_latency"
            cues.append(silence_cue(kind, silence.start_s, silence.duration_s, previous,
                                    silence.companion_said, text))
        if not turn.forced and trails_off(text):
            cues.append(silence_cue("trailing_off", turn.end_s, turn.decided_s - turn.end_s, text))
        for cue in cues:
            self.store.add_cue(self.session_id, turn_id, cue)
        return cues


RECALL_EVERY_SESSIONS = 3  # at most one return to an earlier silence in this many sessions
LAST_RECALL_KEY = "last_recall_session"
RECALL_OFF_KEY = "recall_off"
REPLY_LINES_KEY = "recent_reply_lines"


class Recall:
    """At most one return to an earlier cue every few sessions, and respect for the answer.

    After the second "leave it", it asks once whether to stop returning to silences at all; a
    yes switches recall off for good (kept in the store). It also carries the replies' memory of
    lines said in recent sessions, so a line is rarely heard again across sessions."""

    def __init__(self, store: Store, companion: Companion, session_id: int, enabled: bool = True):
        self.store = store
        self.companion = companion
        self.session_id = session_id
        self.chosen: StoredCue | None = None
        self._asked = False
        self._asked_to_stop = False
        companion.begin_session(json.loads(store.meta(REPLY_LINES_KEY) or "[]"))
        if not enabled or store.meta(RECALL_OFF_KEY) == "1":
            return
        last = store.meta(LAST_RECALL_KEY)
        if last is not None and session_id - int(last) < RECALL_EVERY_SESSIONS:
            return
        texts = {k: v for k, v in store.user_texts_by_session().items() if k != session_id}
        cues = store.cues()
        self.chosen = choose_recall(cues, recurring_topics(texts), current_session=session_id)
        if self.chosen is not None:
            companion.opening = recall_lines(self.chosen.cue)
            store.set_meta(LAST_RECALL_KEY, str(session_id))
            log.info("will return to cue %d (%s, %.1f s)", self.chosen.id, self.chosen.cue.kind, self.chosen.cue.duration_s)
            return
        declined = declined_topics(cues)
        recurring = [t for t in themes(texts) if t.sessions >= 3 and t.topic.word not in declined]
        if recurring:  # nothing stood out as a silence, but something keeps coming back
            companion.opening = [recurring[0].spoken(), THEME_INVITATION]
            store.set_meta(LAST_RECALL_KEY, str(session_id))

    def before_reply(self, user_text: str) -> None:
        """Called with each user turn, before the companion answers it."""
        if self._asked_to_stop:
            self._asked_to_stop = False
            if says_yes(user_text) and not is_dismissal(user_text):
                self.store.set_meta(RECALL_OFF_KEY, "1")
                self.companion.opening = [RECALL_OFF_REPLY]
            elif re.match(r"^\W*(no|nah|not really|keep|it'?s fine)\b", user_text, re.I):
                self.companion.opening = [RECALL_KEPT_REPLY]
            return
        if self.chosen is None:
            return
        if not self._asked:
            return
        if is_dismissal(user_text):
            self.store.dismiss_cue(self.chosen.id)
            if sum(c.dismissed for c in self.store.cues()) >= 2:
                self.companion.opening = [DISMISSED_REPLY, STOP_RECALL_QUESTION]
                self._asked_to_stop = True
            else:
                self.companion.opening = [DISMISSED_REPLY, "What's on your mind today?"]
        else:
            self.store.mark_cue_revisited(self.chosen.id)
        self.chosen = None

    def after_reply(self) -> None:
        self.store.set_meta(REPLY_LINES_KEY, json.dumps(list(self.companion.replier.recent)))
        if self.chosen is None or self._asked:
            return
        if self.companion.last_assessment.flagged:
            self.chosen = None  # set aside for a hard moment; it may come back another session
        elif not self.companion.opening:
            self._asked = True  # the recall lines have now been said


def close_session(store: Store, session_id: int) -> None:
    """Keep a short extractive summary with the session."""
    texts = [t.text for t in store.turns(session_id) if t.speaker == "user"]
    if texts:
        store.set_summary(session_id, summarise(texts))
    store.end_session(session_id)
