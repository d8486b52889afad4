"""The on-disk memory: one SQLite database (WAL) of sessions, turns and pauses.

Every user turn is committed the moment it is transcribed, before the reply starts, so a
crash, a killed process or a full disk during the reply loses nothing the user said. The file
is created owner-only (0600) inside the owner-only data directory.
"""

from __future__ import annotations

import json
import os
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
