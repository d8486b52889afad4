"""The on-disk memory: one SQLite database (WAL) of sessions, turns and pauses.

Every user turn is committed the moment it is transcribed, before the reply starts, so a
crash, a killed process or a full disk during the reply loses nothing the user said. The file
is created owner-only (0600) inside the owner-only data directory.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cues import Cue, StoredCue

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    source TEXT NOT NULL,
    backend TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    speaker TEXT NOT NULL CHECK (speaker IN ('user', 'companion')),
    text TEXT NOT NULL,
    start_s REAL NOT NULL,
    end_s REAL NOT NULL,
    interrupted INTEGER NOT NULL DEFAULT 0,
    timings TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pauses (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    start_s REAL NOT NULL,
    duration_s REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS safety_events (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    level TEXT NOT NULL CHECK (level IN ('concern', 'acute')),
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cues (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    turn_id INTEGER REFERENCES turns(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    start_s REAL NOT NULL,
    duration_s REAL NOT NULL,
    band TEXT NOT NULL,
    before TEXT NOT NULL DEFAULT '',
    after TEXT NOT NULL DEFAULT '',
    companion_said TEXT NOT NULL DEFAULT '',
    topics TEXT NOT NULL DEFAULT '[]',
    dismissed INTEGER NOT NULL DEFAULT 0,
    revisited INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_session ON turns(session_id, start_s);
CREATE INDEX IF NOT EXISTS pauses_by_turn ON pauses(turn_id);
"""


# Journal tables (issue 13): moods, journal entries and the full-text index, created on first use.
JOURNAL_SCHEMA = """
CREATE TABLE IF NOT EXISTS moods (
    id INTEGER PRIMARY KEY,
    session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
    value INTEGER NOT NULL CHECK (value BETWEEN 1 AND 10),
    words TEXT NOT NULL,
    context TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT 'conversation',
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS moods_by_time ON moods(created_at);
CREATE TABLE IF NOT EXISTS journal_entries (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    prompt TEXT NOT NULL DEFAULT '',
    reflection TEXT NOT NULL DEFAULT ''
);
CREATE VIRTUAL TABLE IF NOT EXISTS turn_search USING fts5(
    text, content='turns', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS turn_search_insert AFTER INSERT ON turns BEGIN
    INSERT INTO turn_search(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS turn_search_delete AFTER DELETE ON turns BEGIN
    INSERT INTO turn_search(turn_search, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER IF NOT EXISTS turn_search_update AFTER UPDATE OF text ON turns BEGIN
    INSERT INTO turn_search(turn_search, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO turn_search(rowid, text) VALUES (new.id, new.text);
END;
-- After an erase, merge the index so the erased words leave its pages too (not just marked deleted).
CREATE TRIGGER IF NOT EXISTS turn_search_forget AFTER DELETE ON sessions BEGIN
    INSERT INTO turn_search(turn_search) VALUES ('optimize');
END;
"""


def fts_query(text: str) -> str:
    """Plain words → a safe FTS5 query: each word quoted (so no operator or quote can break it),
    all required, the last one also as a prefix ("sist" finds "sister"). AND/OR/NOT/NEAR in
    capitals are dropped when other words remain: they are operators typed out of habit."""
    words = re.findall(r"\w+", text or "")
    plain = [w for w in words if w not in {"AND", "OR", "NOT", "NEAR"}]  # operators typed out of habit
    words = plain or words
    if not words:
        return ""
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _iso(when: "float | str | datetime") -> str:
    if isinstance(when, datetime):
        moment = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    elif isinstance(when, (int, float)):
        moment = datetime.fromtimestamp(when, tz=timezone.utc)
    else:
        moment = datetime.fromisoformat(when)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class StoredMood:
    id: int
    session_id: int | None
    value: int
    words: str
    context: str
    source: str
    created_at: str


@dataclass(frozen=True)
class JournalEntry:
    session_id: int
    prompt: str
    reflection: str


@dataclass(frozen=True)
class SearchHit:
    session_id: int
    turn_id: int
    speaker: str
    started_at: str  # when the session began (ISO, UTC)
    start_s: float  # where in the session the turn was said
    snippet: str  # the words around the match, matches in [brackets]


class StoreError(Exception):
    """The database cannot be opened or written; the message says why and what to do."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class StoredPause:
    start_s: float
    duration_s: float


@dataclass(frozen=True)
class StoredTurn:
    id: int
    speaker: str
    text: str
    start_s: float
    end_s: float
    interrupted: bool
    timings: dict
    pauses: tuple[StoredPause, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SessionSummary:
    id: int
    started_at: str
    ended_at: str | None
    source: str
    turns: int
    user_words: int


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
                os.close(fd)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            self._lock = threading.RLock()  # one connection, written from the listening and the reply threads
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(sessions)")}
            if "summary" not in columns:  # databases from before summaries existed
                self._db.execute("ALTER TABLE sessions ADD COLUMN summary TEXT NOT NULL DEFAULT ''")
        except sqlite3.Error as error:
            raise StoreError(f"Cannot open the Stillpoint database at {self.path}: {error}") from None

    def close(self) -> None:
        self._db.close()

    def _write(self, sql: str, args: Iterable = ()) -> int:
        try:
            with self._lock:
                cursor = self._db.execute(sql, tuple(args))
                return int(cursor.lastrowid or 0)
        except sqlite3.OperationalError as error:
            raise StoreError(f"Could not save to {self.path} (is the disk full?): {error}") from None

    # -- writing ---------------------------------------------------------------------------
    def start_session(self, source: str, backend: str = "") -> int:
        return self._write("INSERT INTO sessions (started_at, source, backend) VALUES (?, ?, ?)", (_now(), source, backend))

    def end_session(self, session_id: int) -> None:
        self._write("UPDATE sessions SET ended_at = ? WHERE id = ?", (_now(), session_id))

    def add_turn(
        self,
        session_id: int,
        speaker: str,
        text: str,
        start_s: float,
        end_s: float,
        *,
        pauses: Iterable[tuple[float, float]] = (),
        timings: dict | None = None,
        interrupted: bool = False,
    ) -> int:
        """Save one turn and its pauses in a single transaction (committed on return)."""
        try:
            with self._lock, self._db:
                self._db.execute("BEGIN")
                turn_id = self._db.execute(
                    "INSERT INTO turns (session_id, speaker, text, start_s, end_s, interrupted, timings, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (session_id, speaker, text, start_s, end_s, int(interrupted), json.dumps(timings or {}), _now()),
                ).lastrowid
                self._db.executemany(
                    "INSERT INTO pauses (session_id, turn_id, start_s, duration_s) VALUES (?, ?, ?, ?)",
                    [(session_id, turn_id, start, duration) for start, duration in pauses],
                )
        except sqlite3.OperationalError as error:
            raise StoreError(f"Could not save to {self.path} (is the disk full?): {error}") from None
        return int(turn_id)

    def update_turn(self, turn_id: int, *, end_s: float | None = None, interrupted: bool | None = None,
                    timings: dict | None = None) -> None:
        if end_s is not None:
            self._write("UPDATE turns SET end_s = ? WHERE id = ?", (end_s, turn_id))
        if interrupted is not None:
            self._write("UPDATE turns SET interrupted = ? WHERE id = ?", (int(interrupted), turn_id))
        if timings is not None:
            self._write("UPDATE turns SET timings = ? WHERE id = ?", (json.dumps(timings), turn_id))

    def flag_safety(self, session_id: int, turn_id: int, level: str, reason: str) -> int:
        return self._write(
            "INSERT INTO safety_events (session_id, turn_id, level, reason, created_at) VALUES (?, ?, ?, ?, ?)",
            (session_id, turn_id, level, reason, _now()),
        )

    def add_cue(self, session_id: int, turn_id: int | None, cue: "Cue") -> int:
        return self._write(
            "INSERT INTO cues (session_id, turn_id, kind, start_s, duration_s, band, before, after, companion_said,"
            " topics, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, turn_id, cue.kind, cue.start_s, cue.duration_s, cue.band, cue.before, cue.after,
             cue.companion_said, json.dumps(list(cue.topics)), _now()),
        )

    def cues(self, session_id: int | None = None) -> list["StoredCue"]:
        from .cues import Cue, StoredCue

        sql = ("SELECT id, session_id, kind, start_s, duration_s, before, after, companion_said, topics, dismissed,"
               " revisited FROM cues")
        args: tuple = ()
        if session_id is not None:
            sql += " WHERE session_id = ?"
            args = (session_id,)
        return [
            StoredCue(r[0], r[1], Cue(r[2], r[3], r[4], r[5], r[6], r[7], tuple(json.loads(r[8]))), bool(r[9]), bool(r[10]))
            for r in self._db.execute(sql + " ORDER BY session_id, start_s, id", args)
        ]

    def dismiss_cue(self, cue_id: int) -> bool:
        cursor = self._db.execute("UPDATE cues SET dismissed = 1 WHERE id = ?", (cue_id,))
        return cursor.rowcount > 0

    def mark_cue_revisited(self, cue_id: int) -> None:
        self._write("UPDATE cues SET revisited = 1 WHERE id = ?", (cue_id,))

    def set_summary(self, session_id: int, summary: str) -> None:
        self._write("UPDATE sessions SET summary = ? WHERE id = ?", (summary, session_id))

    def summary(self, session_id: int) -> str:
        row = self._db.execute("SELECT summary FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return (row[0] or "") if row else ""

    def user_texts_by_session(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for session_id, text in self._db.execute(
            "SELECT session_id, text FROM turns WHERE speaker = 'user' ORDER BY session_id, start_s, id"
        ):
            out.setdefault(session_id, []).append(text)
        return out

    def set_meta(self, key: str, value: str) -> None:
        self._write("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def last_activity(self) -> str | None:
        """When anything was last said, in any session (ISO time), or None."""
        row = self._db.execute("SELECT MAX(created_at) FROM turns").fetchone()
        return row[0] if row else None

    # == Journal: moods, full-text search, journal entries (issue 13) ==========================
    # Kept in one block, apart from the core schema: the tables are created on first use
    # (`_journal_ready`), so opening, pragmas and erase stay as they are. The search index is an
    # FTS5 table over `turns` kept in step by triggers, so a turn is searchable the moment it is
    # saved and gone from the index the moment its session is erased (the index is then merged,
    # so no trace of the erased words is left in its pages).

    def _journal_ready(self) -> bool:
        """Create the journal tables and search index once; False on a read-only database without them."""
        if getattr(self, "_journal_checked", False):
            return self._journal_ok
        self._journal_checked = True
        existed = self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'turn_search'").fetchone() is not None
        try:
            self._db.executescript(JOURNAL_SCHEMA)
            if not existed:  # a database from before search: index what is already there
                self._db.execute("INSERT INTO turn_search(turn_search) VALUES ('rebuild')")
            self._journal_ok = True
        except sqlite3.OperationalError:
            self._journal_ok = existed and self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'moods'").fetchone() is not None
        return self._journal_ok

    def add_mood(self, session_id: int | None, value: int, words: str, context: str = "",
                 source: str = "conversation") -> int:
        """Keep a mood (1 lowest … 10) with the words it was given in and what was being said."""
        if not 1 <= int(value) <= 10:
            raise ValueError(f"a mood is from 1 to 10, not {value}")
        self._journal_ready()
        return self._write(
            "INSERT INTO moods (session_id, value, words, context, source, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (session_id, int(value), words, context, source, _now()),
        )

    def moods(self, since_ts: "float | str | datetime | None" = None) -> list[StoredMood]:
        """Moods in time order; `since_ts` (epoch seconds, ISO time or datetime) keeps the later ones."""
        if not self._journal_ready():
            return []
        sql = "SELECT id, session_id, value, words, context, source, created_at FROM moods"
        args: tuple = ()
        if since_ts is not None:
            sql += " WHERE created_at >= ?"
            args = (_iso(since_ts),)
        return [StoredMood(*row) for row in self._db.execute(sql + " ORDER BY created_at, id", args)]

    def session_mood_count(self, session_id: int) -> int:
        if not self._journal_ready():
            return 0
        return self._db.execute("SELECT COUNT(*) FROM moods WHERE session_id = ?", (session_id,)).fetchone()[0]

    def set_journal_entry(self, session_id: int, *, prompt: str | None = None, reflection: str | None = None) -> None:
        """Mark a session as a journal entry; keep its opening prompt and closing reflection."""
        self._journal_ready()
        self._write("INSERT INTO journal_entries (session_id) VALUES (?) ON CONFLICT(session_id) DO NOTHING", (session_id,))
        if prompt is not None:
            self._write("UPDATE journal_entries SET prompt = ? WHERE session_id = ?", (prompt, session_id))
        if reflection is not None:
            self._write("UPDATE journal_entries SET reflection = ? WHERE session_id = ?", (reflection, session_id))

    def journal_entry(self, session_id: int) -> JournalEntry | None:
        if not self._journal_ready():
            return None
        row = self._db.execute(
            "SELECT session_id, prompt, reflection FROM journal_entries WHERE session_id = ?", (session_id,)
        ).fetchone()
        return JournalEntry(*row) if row else None

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Turns matching every word of `query` (prefixes too), newest first, with a snippet.

        The query is taken as plain words, never as FTS5 syntax: quotes, AND/OR/NOT, `*`, `:` or
        brackets are searched for as the words they contain, so no input can raise.
        """
        match = fts_query(query)
        if not match:
            return []
        table = "turn_search" if self._journal_ready() else self._temporary_index()
        try:
            rows = self._db.execute(
                f"SELECT t.session_id, t.id, t.speaker, s.started_at, t.start_s,"
                f" snippet({table}, 0, '[', ']', '…', 12)"
                f" FROM {table} JOIN turns t ON t.id = {table}.rowid JOIN sessions s ON s.id = t.session_id"
                f" WHERE {table} MATCH ? ORDER BY s.started_at DESC, t.start_s LIMIT ?",
                (match, limit),
            ).fetchall()
        except sqlite3.OperationalError:
            return []  # fts_query only makes quoted words; this is a last guard, never a traceback
        return [SearchHit(*row) for row in rows]

    def _temporary_index(self) -> str:
        """A read-only database from before search: index it in memory for this run."""
        self._db.executescript(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.turn_search_copy USING fts5(text, tokenize='unicode61 remove_diacritics 2');"
            "DELETE FROM temp.turn_search_copy;"
            "INSERT INTO temp.turn_search_copy(rowid, text) SELECT id, text FROM main.turns;"
        )
        return "turn_search_copy"

    # == end of the journal block ==============================================================

    # -- reading ---------------------------------------------------------------------------
    def safety_events(self, session_id: int | None = None) -> list[tuple[int, int, str, str, str]]:
        sql = "SELECT session_id, turn_id, level, reason, created_at FROM safety_events"
        args: tuple = ()
        if session_id is not None:
            sql += " WHERE session_id = ?"
            args = (session_id,)
        return [tuple(r) for r in self._db.execute(sql + " ORDER BY id", args)]

    def sessions(self) -> list[SessionSummary]:
        rows = self._db.execute(
            "SELECT s.id, s.started_at, s.ended_at, s.source, COUNT(t.id),"
            " COALESCE(SUM(CASE WHEN t.speaker = 'user' THEN LENGTH(t.text) - LENGTH(REPLACE(t.text, ' ', '')) + 1 END), 0)"
            " FROM sessions s LEFT JOIN turns t ON t.session_id = s.id GROUP BY s.id ORDER BY s.id"
        ).fetchall()
        return [SessionSummary(*row) for row in rows]

    def last_session_id(self) -> int | None:
        row = self._db.execute("SELECT MAX(id) FROM sessions").fetchone()
        return row[0] if row and row[0] is not None else None

    def session_exists(self, session_id: int) -> bool:
        return self._db.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is not None

    def turns(self, session_id: int) -> list[StoredTurn]:
        rows = self._db.execute(
            "SELECT id, speaker, text, start_s, end_s, interrupted, timings FROM turns"
            " WHERE session_id = ? ORDER BY start_s, id",
            (session_id,),
        ).fetchall()
        pauses: dict[int, list[StoredPause]] = {}
        for turn_id, start, duration in self._db.execute(
            "SELECT turn_id, start_s, duration_s FROM pauses WHERE session_id = ? ORDER BY start_s", (session_id,)
        ):
            pauses.setdefault(turn_id, []).append(StoredPause(start, duration))
        return [
            StoredTurn(r[0], r[1], r[2], r[3], r[4], bool(r[5]), json.loads(r[6]), tuple(pauses.get(r[0], ())))
            for r in rows
        ]

    def erase_session(self, session_id: int) -> None:
        self._write("DELETE FROM sessions WHERE id = ?", (session_id,))
