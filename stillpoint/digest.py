"""What a stretch of time held: entries, moods, recurring themes and cues, gathered once.

`stillpoint summary --week` reads it aloud or prints it; `stillpoint export` renders it into a
file. Both take the sessions from the store by time (`--since 2w`) or by number, and nothing
else: what is not in the chosen sessions is never looked at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from dialogue.memory import Theme, themes
from dialogue.store import JournalEntry, SessionSummary, Store, StoredMood, StoredTurn
from dialogue.cues import StoredCue


class DigestError(Exception):
    """Nothing to gather (an empty range, a bad --since); the message says what to try."""


_UNITS = {"d": 1, "day": 1, "days": 1, "w": 7, "wk": 7, "week": 7, "weeks": 7, "m": 30, "mo": 30, "month": 30,
          "months": 30, "y": 365, "year": 365, "years": 365}


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """'2w', '10d', '3 months', '1y' back from now, or a date ('2026-11-01'); UTC."""
    now = now or datetime.now(timezone.utc)
    raw = (text or "").strip().lower()
    match = re.fullmatch(r"(\d+)\s*([a-z]+)", raw)
    if match and match.group(2) in _UNITS:
        return now - timedelta(days=int(match.group(1)) * _UNITS[match.group(2)])
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise DigestError(f"'{text}' is not a time span like 2w, 10d, 3m, 1y or a date like 2026-11-01.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def when(iso: str, with_time: bool = True) -> str:
    """'Thursday 26 November 2026, 03:24' in local time."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    moment = moment.astimezone() if moment.tzinfo else moment
    return moment.strftime("%A %d %B %Y, %H:%M" if with_time else "%A %d %B")


@dataclass(frozen=True)
class SessionDigest:
    info: SessionSummary
    summary: str
    entry: JournalEntry | None
    moods: tuple[StoredMood, ...]
    cues: tuple[StoredCue, ...]
    turns: tuple[StoredTurn, ...]
    safety: tuple[tuple, ...]

    @property
    def is_journal(self) -> bool:
        return self.entry is not None

    @property
    def kind(self) -> str:
        return "journal entry" if self.is_journal else "conversation"


@dataclass(frozen=True)
class Digest:
    sessions: tuple[SessionDigest, ...]
    themes: tuple[Theme, ...]
    since: datetime | None = None
    moods: tuple[StoredMood, ...] = field(default_factory=tuple)

    @property
    def unrevisited_cues(self) -> list[StoredCue]:
        return [c for s in self.sessions for c in s.cues if not c.dismissed and not c.revisited and c.cue.band != "short"]


def sessions_since(store: Store, since: datetime) -> list[int]:
    cutoff = since.astimezone(timezone.utc)
    chosen = []
    for s in store.sessions():
        try:
            started = datetime.fromisoformat(s.started_at)
        except ValueError:
            continue
        started = started if started.tzinfo else started.replace(tzinfo=timezone.utc)
        if started >= cutoff:
            chosen.append(s.id)
    return chosen


def gather(store: Store, session_ids: Sequence[int], *, since: datetime | None = None,
           progress: Callable[[int, int], None] = lambda done, total: None) -> Digest:
    """Everything about the chosen sessions, and only them; `progress(done, total)` per session."""
    if not session_ids:
        span = f" since {when(since.isoformat())}" if since else ""
        raise DigestError(f"There are no sessions{span}; nothing to gather. See `stillpoint sessions`.")
    infos = {s.id: s for s in store.sessions()}
    all_moods = store.moods()
    gathered = []
    for n, session_id in enumerate(session_ids, 1):
        gathered.append(SessionDigest(
            info=infos[session_id],
            summary=store.summary(session_id),
            entry=store.journal_entry(session_id),
            moods=tuple(m for m in all_moods if m.session_id == session_id),
            cues=tuple(store.cues(session_id)),
            turns=tuple(store.turns(session_id)),
            safety=tuple(store.safety_events(session_id)),
        ))
        progress(n, len(session_ids))
    texts = {s.info.id: [t.text for t in s.turns if t.speaker == "user"] for s in gathered}
    found = themes(texts, recent=len(gathered) or 1)
    moods = tuple(m for s in gathered for m in s.moods)
    return Digest(tuple(gathered), tuple(found), since, tuple(sorted(moods, key=lambda m: (m.created_at, m.id))))


def mood_line(moods: Sequence[StoredMood]) -> str:
    """'Moods: 4 ("pretty low", Monday) … 6 ("about a six", Friday); on average 5.0.'"""
    if not moods:
        return "No moods were given."
    first, last = moods[0], moods[-1]
    average = sum(m.value for m in moods) / len(moods)
    if len(moods) == 1:
        return f"One mood was given: {first.value} out of 10 (\u201c{first.words}\u201d, {when(first.created_at, False)})."
    return (f"{len(moods)} moods were given, from {first.value} (\u201c{first.words}\u201d, {when(first.created_at, False)}) "
            f"to {last.value} (\u201c{last.words}\u201d, {when(last.created_at, False)}); on average {average:.1f} out of 10.")


def summary_lines(digest: Digest) -> list[str]:
    """The week (or any span) in a few plain sentences, for reading or speaking."""
    entries = [s for s in digest.sessions if s.is_journal]
    talks = [s for s in digest.sessions if not s.is_journal]
    lines = [
        f"{_count(len(entries), 'journal entry', 'journal entries')} and "
        f"{_count(len(talks), 'conversation', 'conversations').lower()}"
        + (f" since {when(digest.since.isoformat(), False)}." if digest.since else ".")
    ]
    lines.append(mood_line(digest.moods))
    if digest.themes:
        lines += [t.spoken() for t in digest.themes[:4]]
    else:
        lines.append("No theme came up in more than one session.")
    for s in digest.sessions:
        if s.entry and s.entry.reflection:
            lines.append(f"On {when(s.info.started_at, False)} you closed with: \u201c{s.entry.reflection}\u201d")
    cues = digest.unrevisited_cues
    if cues:
        lines.append(f"{_count(len(cues), 'silence', 'silences')} you haven't come back to yet, for example a "
                     f"{cues[0].cue.duration_s:.0f}-second pause after \u201c\u2026{cues[0].cue.before}\u201d.")
    return lines


def _count(n: int, one: str, many: str) -> str:
    words = {0: "No", 1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight", 9: "Nine"}
    return f"{words.get(n, str(n))} {one if n == 1 else many}"
