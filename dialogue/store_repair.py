"""Recovering what is readable from a damaged database (`stillpoint doctor --repair`).

The damaged file is never written: it is copied (with its -wal) into a scratch folder first, and
each table of the copy is read row by row, stepping over pages that cannot be decoded. (SQLite's
`.recover` would read deeper, but Debian's `sqlite3` tool is built without the `sqlite_dbpage`
table it needs.) The recovered rows are then merged into the working database with fresh ids
(sessions, and every table that refers to a session or a turn), so nothing said since the damage
is lost either.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recovered:
    source: Path
    sessions: int
    turns: int


def damaged_copies(folder: Path) -> list[Path]:
    """Damaged databases moved aside by `Store`, oldest first."""
    return sorted(folder.glob("stillpoint.damaged-*.db"))


def _readable_rows(source: sqlite3.Connection, table: str):
    """Every row of `table` that can still be read, in rowid order, stepping over unreadable pages.

    After an error at rowid n the scan resumes at n+1, n+2, n+4, … (a b-tree seek lands beyond the
    damaged leaf), so one bad page costs only the rows stored on it.
    """
    after, step = -(2**63), 1
    while True:
        try:
            cursor = source.execute(f'SELECT rowid, * FROM "{table}" WHERE rowid > ? ORDER BY rowid', (after,))
            for row in cursor:
                after, step = row[0], 1
                yield row[1:]
            return
        except sqlite3.DatabaseError as error:
            if after >= 2**62 or step > 2**40:
                log.info("table %s: gave up after rowid %d: %s", table, after, error)
                return
            log.info("table %s: unreadable after rowid %d (%s); skipping ahead", table, after, error)
            after, step = (after if after > -(2**62) else 0) + step, step * 2


def _salvage(copy: Path, into: Path) -> None:
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    target = sqlite3.connect(str(into))
    try:
        tables = source.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL").fetchall()
    except sqlite3.DatabaseError as error:
        log.info("schema unreadable (%s): using Stillpoint's own", error)
        from .store import SCHEMA

        tables = [(stmt.split("EXISTS")[1].split("(")[0].strip(), stmt) for stmt in SCHEMA.split(";")
                  if "CREATE TABLE" in stmt]
    for name, sql in tables:
        if name.startswith("sqlite_"):
            continue
        try:
            target.execute(sql)
        except sqlite3.DatabaseError as error:
            log.info("table %s not recreated: %s", name, error)
            continue
        for row in _readable_rows(source, name):
            target.execute(f'INSERT OR IGNORE INTO "{name}" VALUES ({",".join("?" * len(row))})', row)
    target.commit()
    target.close()
    source.close()


def _columns(db: sqlite3.Connection, schema: str, table: str) -> list[str]:
    try:
        return [r[1] for r in db.execute(f'PRAGMA {schema}.table_info("{table}")')]
    except sqlite3.DatabaseError:
        return []


def _merge(store: Store, recovered: Path) -> tuple[int, int]:
    """Copy the recovered sessions (and what refers to them) into `store` under new ids."""
    db = store._db
    db.execute("ATTACH DATABASE ? AS r", (str(recovered),))
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM r.sqlite_master WHERE type = 'table'")]
        sessions: dict[int, int] = {}
        turns: dict[int, int] = {}

        def copy(table: str, id_map: dict[int, int] | None) -> None:
            theirs, ours = _columns(db, "r", table), _columns(db, "main", table)
            shared = [c for c in theirs if c in ours and c != "id"]
            if "id" not in theirs or not shared:
                return
            for row in db.execute(f'SELECT id, {", ".join(shared)} FROM r."{table}" ORDER BY id').fetchall():
                values = dict(zip(shared, row[1:]))
                if "session_id" in values:
                    if values["session_id"] not in sessions:
                        continue
                    values["session_id"] = sessions[values["session_id"]]
                if values.get("turn_id") is not None:
                    if values["turn_id"] not in turns:
                        continue
                    values["turn_id"] = turns[values["turn_id"]]
                try:
                    new_id = db.execute(
                        f'INSERT INTO main."{table}" ({", ".join(values)}) VALUES ({",".join("?" * len(values))})',
                        tuple(values.values()),
                    ).lastrowid
                except sqlite3.IntegrityError as error:  # a row the damage left incomplete
                    log.info("skipped a row of %s: %s", table, error)
                    continue
                if id_map is not None:
                    id_map[row[0]] = new_id

        with db:
            db.execute("BEGIN")
            if "sessions" in tables:
                copy("sessions", sessions)
            if "turns" in tables:
                copy("turns", turns)
            for table in tables:
                if table not in ("sessions", "turns", "meta") and "session_id" in _columns(db, "r", table) \
                        and table in [r[0] for r in db.execute("SELECT name FROM main.sqlite_master WHERE type='table'")]:
                    copy(table, None)
        return len(sessions), len(turns)
    finally:
        db.execute("DETACH DATABASE r")


def recover(damaged: Path, store: Store) -> Recovered | None:
    """Read what is readable from `damaged` (never writing it) and add it to `store`.

    None when this file was already recovered into `store` (so a second repair adds no duplicates).
    """
    key = f"recovered:{damaged.name}"
    if store.meta(key):
        return None
    with tempfile.TemporaryDirectory(prefix="stillpoint-repair-") as scratch:
        copy = Path(scratch) / "damaged.db"
        shutil.copyfile(damaged, copy)
        for suffix in ("-wal",):
            if Path(str(damaged) + suffix).exists():
                shutil.copyfile(str(damaged) + suffix, str(copy) + suffix)
        into = Path(scratch) / "recovered.db"
        _salvage(copy, into)
        sessions, turns = _merge(store, into)
    store.set_meta(key, f"{sessions} sessions, {turns} turns")
    return Recovered(damaged, sessions, turns)
