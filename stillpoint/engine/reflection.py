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
    is_declined,
    is_dismissal,
    pause_cues,
    recall_lines,
    says_yes,
    silence_cue,
    trails_off,
)
from dialogue.practices import wants_breathing
from dialogue.understanding import is_closing, phrases_named
from dialogue.memory import THEME_INVITATION, asks_if_i_remember, recurring_topics, remembered_lines, summarise, themes
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

    `lines` are what to say: live at the opening, on a recording instead of the first reply. They
    count as asked only once heard in full (`after_reply`); cut off, they wait for the next reply.
    After the second "leave it", it asks once whether to stop returning to silences at all; a yes
    switches recall off for good (kept in the store). Only cues on a content phrase the person
    said are ever chosen (`dialogue.cues.content_topic`).
    """

    def __init__(self, store: Store, session_id: int, enabled: bool = True):
        self.store = store
        self.session_id = session_id
        self.chosen: StoredCue | None = None
        self.lines: list[str] = []
        self._offered: list[str] = []
        self._asked = False
        self._returning = False  # `lines` return to an earlier moment (counts toward RECALL_EVERY_SESSIONS)
        self._asked_to_stop = False  # STOP_RECALL_QUESTION was heard: the next turn answers it
        self._earlier: dict[int, list[str]] | None = None  # what was said in earlier sessions, read once
        if not enabled or store.meta(RECALL_OFF_KEY) == "1":
            return
        last = store.meta(LAST_RECALL_KEY)
        if last is not None and last.isdigit() and session_id - int(last) < RECALL_EVERY_SESSIONS:
            return
        texts = self._earlier_texts()
        cues = store.cues()
        self.chosen = choose_recall(cues, recurring_topics(texts), current_session=session_id)
        if self.chosen is not None:
            self.lines, self._returning = recall_lines(self.chosen.cue), True
            log.info("will return to cue %d (%s, %.1f s)", self.chosen.id, self.chosen.cue.kind, self.chosen.cue.duration_s)
            return
        declined = declined_topics(cues)
        recurring = [t for t in themes(texts) if t.sessions >= 3 and not is_declined(t.topic.word, declined)]
        if recurring:  # nothing stood out as a silence, but something keeps coming back
            self.lines, self._returning = [recurring[0].spoken(), THEME_INVITATION], True

    def _earlier_texts(self) -> dict[int, list[str]]:
        """The person's words in earlier sessions, by session (they do not change during this one)."""
        if self._earlier is None:
            self._earlier = {k: v for k, v in self.store.user_texts_by_session().items() if k != self.session_id}
        return self._earlier

    def take_lines(self) -> list[str]:
        """The lines to say now (and forget until `after_reply` says whether they were heard)."""
        self._offered, self.lines = self.lines, []
        return self._offered

    def before_reply(self, user_text: str) -> None:
        """Called with each user turn, before the companion answers it."""
        if asks_if_i_remember(user_text):  # answered from what the store keeps of the last session
            earlier = self._earlier_texts()
            last = earlier[max(earlier)] if earlier else []
            self.lines = remembered_lines(last, [p for t in last for p in phrases_named(t)])
            return
        if self._asked_to_stop:
            self._asked_to_stop = False
            if says_yes(user_text) and not is_dismissal(user_text):
                self.store.set_meta(RECALL_OFF_KEY, "1")
                self.lines = [RECALL_OFF_REPLY]
            elif re.match(r"^\W*(no|nah|not really|keep|it'?s fine)\b", user_text, re.I):
                self.lines = [RECALL_KEPT_REPLY]
            return
        if self.chosen is None or not self._asked:
            return
        if is_dismissal(user_text):
            self.store.dismiss_cue(self.chosen.id)
            if sum(c.dismissed for c in self.store.cues()) >= 2:
                self.lines = [DISMISSED_REPLY, STOP_RECALL_QUESTION]
            else:
                self.lines = [DISMISSED_REPLY, "What's on your mind today?"]
        else:
            self.store.mark_cue_revisited(self.chosen.id)
        self.chosen = None

    def after_reply(self, heard_text: str, flagged: bool) -> None:
        offered, self._offered = self._offered, []
        if flagged:
            self.lines = []
            if not self._asked:
                self.chosen = None  # set aside for a hard moment; it may come back another session
            return
        if offered and all(line in heard_text for line in offered):
            if self.chosen is not None:
                self._asked = True
            if self._returning:
                self._returning = False
                self.store.set_meta(LAST_RECALL_KEY, str(self.session_id))
            if STOP_RECALL_QUESTION in offered:
                self._asked_to_stop = True
        elif offered:
            self.lines = offered  # cut off before it was heard: say it next time


def recent_reply_lines(store: Store) -> list[str]:
    """Reply lines said in recent sessions (replies, issue 9): avoided, so a line is rarely heard again."""
    try:
        lines = json.loads(store.meta(REPLY_LINES_KEY) or "[]")
    except ValueError:
        return []
    return [line for line in lines if isinstance(line, str)] if isinstance(lines, list) else []


def keep_reply_lines(store: Store, companion) -> None:
    """Keep the replier's recent lines for the next session (a companion without one keeps nothing)."""
    replier = getattr(companion, "replier", None)
    if replier is not None:
        store.set_meta(REPLY_LINES_KEY, json.dumps(list(replier.recent)))


def close_session(store: Store, session_id: int) -> None:
    """Keep a short extractive summary with the session."""
    texts = [t.text for t in store.turns(session_id) if t.speaker == "user"]
    if texts:
        store.set_summary(session_id, summarise(texts))
    store.end_session(session_id)
