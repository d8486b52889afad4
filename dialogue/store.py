"""The on-disk memory: one SQLite database (WAL) of sessions, turns and pauses.

Every user turn is committed the moment it is transcribed, before the reply starts, so a
crash, a killed process or a full disk during the reply loses nothing the user said. The file
is created owner-only (0600) inside the owner-only data directory.

Reliability and privacy, in the order a database meets them: checked before any write (a damaged
file is moved aside untouched, see `Store`), tightened to 0600 with its -wal/-shm, opened with
`secure_delete`, sessions left open by a dead process marked interrupted, and erase followed by
VACUUM and a TRUNCATE checkpoint so the words leave the disk (`Store.erase_session`). Recovery of
a damaged file lives in `store_repair`.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import threading
import time
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


class StoreDamaged(StoreError):
    """The database failed its integrity check; it was moved aside untouched (see `moved_to`)."""

    def __init__(self, message: str, moved_to: Path | None):
        super().__init__(message)
        self.moved_to = moved_to


SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26
ADDED_COLUMNS = (
    # (table, column, declaration): columns added after the first release, for older databases.
    ("sessions", "summary", "TEXT NOT NULL DEFAULT ''"),
    ("sessions", "owner", "TEXT"),  # the process that recorded it: "pid:start-time" (see _process_token)
    ("sessions", "interrupted", "INTEGER NOT NULL DEFAULT 0"),
)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _is_damage(error: sqlite3.Error) -> bool:
    """Corruption (SQLITE_CORRUPT / SQLITE_NOTADB), as opposed to a lock, a full disk or a permission."""
    return getattr(error, "sqlite_errorcode", None) in (SQLITE_CORRUPT, SQLITE_NOTADB) or (
        isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.OperationalError)
    )


def _process_token(pid: int | None = None) -> str | None:
    """This (or `pid`'s) process as "pid:start-time": a pid alone can be reused after a crash."""
    pid = os.getpid() if pid is None else pid
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            start = f.read().rsplit(b")", 1)[1].split()[19].decode()
        return f"{pid}:{start}"
    except (OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return f"{pid}:"


def _owner_alive(owner: str | None) -> bool:
    if not owner:
        return False
    pid_text, _, start = owner.partition(":")
    if not pid_text.isdigit():
        return False
    now = _process_token(int(pid_text))
    return now is not None and (now == owner or not start or now.endswith(":"))


def quick_check(path: str | Path) -> str:
    """SQLite's `PRAGMA quick_check` on a read-only connection (which never checkpoints, so never
    writes into a damaged file): "ok", or the first problem found."""
    try:
        db = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            rows = db.execute("PRAGMA quick_check").fetchall()
        finally:
            db.close()
    except sqlite3.OperationalError as error:
        if _is_damage(error):
            return str(error)
        raise
    except sqlite3.DatabaseError as error:
        return str(error)
    return "ok" if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:3])


def move_aside(path: Path) -> Path:
    """Rename a damaged database (with its -wal and -shm, contents untouched) to a timestamped name."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.damaged-{stamp}-{n}{path.suffix}")
    for suffix in ("-wal", "-shm", ""):  # the main file last: never leave a fresh name pointing at an old log
        extra = Path(str(path) + suffix)
        if extra.exists():
            os.replace(extra, Path(str(target) + suffix))
    return target


def _tighten(path: Path) -> None:
    """Owner-only (0600) for the database and its -wal/-shm, also when they existed before."""
    for suffix in ("", "-wal", "-shm"):
        extra = Path(str(path) + suffix)
        if extra.exists() and stat.S_IMODE(extra.stat().st_mode) & 0o077:
            os.chmod(extra, 0o600)


def _empty_database() -> sqlite3.Connection:
    """An empty store in memory: what reading commands see before anything was ever saved."""
    db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    db.executescript(SCHEMA)
    _add_missing_columns(db)
    return db


def _add_missing_columns(db: sqlite3.Connection) -> None:
    for table, column, declaration in ADDED_COLUMNS:
        if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


def _mark_interrupted(db: sqlite3.Connection) -> None:
    """Sessions left open by a process that no longer runs (kill -9, crash, power cut) are marked interrupted."""
    open_sessions = db.execute("SELECT id, owner FROM sessions WHERE ended_at IS NULL AND interrupted = 0").fetchall()
    dead = [(session_id,) for session_id, owner in open_sessions if not _owner_alive(owner)]
    if dead:
        db.executemany("UPDATE sessions SET interrupted = 1 WHERE id = ?", dead)


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
    interrupted: bool = False  # the program stopped (killed, crashed, power cut) before the session ended


class Store:
    """The database, opened for writing (default) or, for commands that only read, `readonly=True`.

    Opening for writing checks the file first (`PRAGMA quick_check` on a read-only connection, so a
    damaged file is never written to); a damaged file is moved aside untouched and `StoreDamaged`
    says where and how to recover it (`stillpoint doctor --repair`). Read-only opening works on a
    read-only or full disk and on a missing database (an empty one, in memory).
    """

    def __init__(self, path: str | Path, *, readonly: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        self._lock = threading.RLock()  # one connection, written from the listening and the reply threads
        try:
            self._db = self._open_readonly() if readonly else self._open_writable()
        except StoreError:
            raise
        except sqlite3.Error as error:
            raise StoreError(f"Cannot open the Stillpoint database at {self.path}: {error}") from None
        except OSError as error:
            raise StoreError(f"Cannot open the Stillpoint database at {self.path}: {error.strerror}") from None

    # -- opening ---------------------------------------------------------------------------
    def _open_writable(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        elif self.path.stat().st_size:
            self._check_or_move_aside()
        _tighten(self.path)
        db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=5000")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA secure_delete=ON")  # deleted text is overwritten with zeros, not just unlinked
            db.executescript(SCHEMA)
            _add_missing_columns(db)
            _tighten(self.path)
            _mark_interrupted(db)
        except sqlite3.Error:
            db.close()
            raise
        return db

    def _check_or_move_aside(self) -> None:
        problem = quick_check(self.path)
        if problem == "ok":
            return
        moved = move_aside(self.path)
        raise StoreDamaged(
            f"The Stillpoint database {self.path} is damaged ({problem}). It was moved, unchanged, to {moved}; "
            f"run `stillpoint doctor --repair` to recover what is readable.",
            moved,
        )

    def _open_readonly(self) -> sqlite3.Connection:
        if not self.path.exists():
            return _empty_database()
        try:
            problem = quick_check(self.path)
        except sqlite3.Error:
            problem = None  # cannot even open read-only here (e.g. no -shm on a read-only disk): try immutable
        if problem not in (None, "ok"):
            raise StoreDamaged(
                f"The Stillpoint database {self.path} is damaged ({problem}); nothing was changed. "
                f"Run `stillpoint doctor --repair` to recover what is readable.",
                None,
            )
        uri = f"file:{self.path.resolve()}"
        for mode in ("?mode=ro", "?immutable=1"):  # immutable: a read-only disk where no -shm can be made
            db = sqlite3.connect(uri + mode, uri=True, check_same_thread=False, isolation_level=None)
            try:
                columns = {row[1] for row in db.execute("PRAGMA table_info(sessions)")}
            except sqlite3.OperationalError:
                db.close()
                continue
            if not columns:  # an empty file: no tables yet
                db.close()
                return _empty_database()
            return db
        raise StoreError(f"Cannot read the Stillpoint database at {self.path}.")

    def close(self) -> None:
        self._db.close()

    def _write(self, sql: str, args: Iterable = ()) -> int:
        try:
            with self._lock:
                cursor = self._db.execute(sql, tuple(args))
                return int(cursor.lastrowid or 0)
        except sqlite3.OperationalError as error:
            raise self._save_error(error) from None

    def _save_error(self, error: sqlite3.Error) -> StoreError:
        if self.readonly:
            return StoreError(f"{self.path} was opened read-only; nothing can be saved ({error}).")
        return StoreError(f"Could not save to {self.path} (is the disk full or read-only?): {error}")

    # -- writing ---------------------------------------------------------------------------
    def start_session(self, source: str, backend: str = "") -> int:
        return self._write("INSERT INTO sessions (started_at, source, backend, owner) VALUES (?, ?, ?, ?)",
                           (_now(), source, backend, _process_token()))

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
            raise self._save_error(error) from None
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
        try:
            cursor = self._db.execute("UPDATE cues SET dismissed = 1 WHERE id = ?", (cue_id,))
        except sqlite3.OperationalError as error:
            raise self._save_error(error) from None
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
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(sessions)")}
        owner = "s.owner" if "owner" in columns else "NULL"  # a read-only old database lacks the newer columns
        marked = "s.interrupted" if "interrupted" in columns else "0"
        rows = self._db.execute(
            f"SELECT s.id, s.started_at, s.ended_at, s.source, COUNT(t.id),"
            " COALESCE(SUM(CASE WHEN t.speaker = 'user' THEN LENGTH(t.text) - LENGTH(REPLACE(t.text, ' ', '')) + 1 END), 0),"
            f" {marked}, {owner}"
            " FROM sessions s LEFT JOIN turns t ON t.session_id = s.id GROUP BY s.id ORDER BY s.id"
        ).fetchall()
        return [
            SessionSummary(*row[:6], interrupted=bool(row[6]) or (row[2] is None and not _owner_alive(row[7])))
            for row in rows
        ]

    def session(self, session_id: int) -> SessionSummary | None:
        return next((s for s in self.sessions() if s.id == session_id), None)

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

    # -- erasing ---------------------------------------------------------------------------
    def erase_session(self, session_id: int) -> None:
        """Delete a session so its words are gone from the disk, not just from the index.

        secure_delete (set at open) zeroes the freed content; VACUUM rewrites the file without the
        freed pages; a TRUNCATE checkpoint copies the rewrite into the database file and empties
        the -wal, which still held the old pages. Another process with the database open (e.g.
        `stillpoint serve`) does not stop this while it is idle; if it is mid-read, the checkpoint
        waits (busy_timeout) and retries.
        """
        self._write("DELETE FROM sessions WHERE id = ?", (session_id,))
        self.wipe_free_space()

    def discard_if_empty(self, session_id: int) -> bool:
        """Remove a session in which the person said nothing (a silent recording, a live session
        closed before speaking; a greeting alone is not worth keeping); True if it was removed."""
        if self._db.execute("SELECT 1 FROM turns WHERE session_id = ? AND speaker = 'user' LIMIT 1",
                            (session_id,)).fetchone():
            return False
        self._write("DELETE FROM sessions WHERE id = ?", (session_id,))
        return True

    def wipe_free_space(self, attempts: int = 20) -> None:
        try:
            with self._lock:
                self._db.execute("VACUUM")
            for _ in range(attempts):
                with self._lock:
                    busy, _, _ = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy:
                    return
                time.sleep(0.25)
        except sqlite3.OperationalError as error:
            raise self._save_error(error) from None
        raise StoreError(
            f"The session was deleted, but another program kept {self.path} busy, so its old pages are still in "
            f"{self.path.name}-wal; close `stillpoint serve` (or other Stillpoint windows) and run the erase again."
        )

