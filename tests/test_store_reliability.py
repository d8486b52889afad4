"""Issue 7, findings 3, 5 and 6: erase is real, a damaged database is never written and can be
recovered, reading works on a read-only or full disk, interrupted sessions are shown as such.

No models are needed: the store is filled directly, the CLI and `serve` run as real processes.
"""

import hashlib
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, run_cli

SECRET = "zanzibarquokka"


def _fill(db_path: Path, sessions: int = 2, secret_in: int = 1, turns: int = 3) -> None:
    from dialogue.store import Store

    store = Store(db_path)
    for n in range(1, sessions + 1):
        sid = store.start_session(f"file:{n}.wav", "embedded")
        for t in range(turns):
            word = SECRET if n == secret_in else "ordinary"
            store.add_turn(sid, "user", f"session {n} turn {t}: {word} " + "and more words " * 20, t * 10.0,
                           t * 10.0 + 5, pauses=[(t * 10.0 + 1, 0.8)])
            store.add_turn(sid, "companion", f"I hear you about {word}.", t * 10.0 + 6, t * 10.0 + 8)
        store.set_summary(sid, f"About {word}.")
        store.end_session(sid)
    store.close()


def _raw_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name.startswith("stillpoint.db")}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_secure_delete_is_always_on(store):
    assert store._db.execute("PRAGMA secure_delete").fetchone() == (1,)


def test_erase_while_serve_holds_the_database_leaves_no_trace_in_db_wal_or_shm(tmp_path):
    home = tmp_path / "data"
    _fill(home / "stillpoint.db", sessions=2, secret_in=1)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "stillpoint.cli", "serve", "--port", str(port)], cwd=str(ROOT),
                              env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                assert SECRET in httpx.get(base + "/sessions/1", timeout=1).text  # serve has read it
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert any(SECRET.encode() in data for data in _raw_files(home).values())
        erased = run_cli("erase", "1", "--yes")
        assert erased.returncode == 0, erased.stderr
        for name, data in _raw_files(home).items():
            assert SECRET.encode() not in data, f"erased words still in {name}"
        assert httpx.get(base + "/sessions/1").status_code == 404  # the other process sees the erase
        assert "ordinary" in httpx.get(base + "/sessions/2").text
    finally:
        server.terminate()
        server.wait(10)
    for name, data in _raw_files(home).items():
        assert SECRET.encode() not in data, f"erased words back in {name} after serve stopped"


def test_existing_world_readable_database_is_made_owner_only(tmp_path):
    from dialogue.store import Store

    path = tmp_path / "data" / "stillpoint.db"
    _fill(path, sessions=1)
    os.chmod(path, 0o644)
    store = Store(path)
    store.start_session("x")
    for suffix in ("", "-wal", "-shm"):
        assert stat.S_IMODE(os.stat(str(path) + suffix).st_mode) == 0o600, suffix
    store.close()


def _damage(path: Path, offset: int, length: int = 8192) -> str:
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(os.urandom(length))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_clear_line(result) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("command", [["sessions"], ["show", "1"], ["cues", "--dismiss", "1"], ["erase", "1", "--yes"]])
def test_damaged_database_is_never_written_and_is_moved_aside(tmp_path, command):
    home = tmp_path / "data"
    path = home / "stillpoint.db"
    _fill(path, sessions=30, turns=4)
    digest = _damage(path, 4096 * 6)
    result = run_cli(*command)
    assert result.returncode == 1
    line = _one_clear_line(result)
    assert "damaged" in line and str(path) in line and "doctor --repair" in line
    if command[0] in ("sessions", "show"):  # reading: nothing moved, nothing changed
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        assert "Traceback" in run_cli("-v", *command).stderr  # -v shows where
    else:  # writing: moved aside, byte for byte as it was
        [moved] = home.glob("stillpoint.damaged-*.db")
        assert hashlib.sha256(moved.read_bytes()).hexdigest() == digest
        assert moved.name in line


def test_damaged_header_gives_one_line_for_reading_commands(tmp_path):
    path = tmp_path / "data" / "stillpoint.db"
    _fill(path)
    digest = _damage(path, 0, 100)
    for command in (["sessions"], ["show", "last"], ["themes"], ["cues"]):
        result = run_cli(*command)
        assert result.returncode == 1 and "damaged" in _one_clear_line(result), command
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_doctor_repair_recovers_what_is_readable_and_keeps_the_damaged_file(tmp_path):
    home = tmp_path / "data"
    path = home / "stillpoint.db"
    _fill(path, sessions=40, turns=4)
    _damage(path, 4096 * 12)
    assert "[FAIL] database" in run_cli("doctor").stdout
    result = run_cli("doctor", "--repair")
    assert result.returncode == 0, result.stderr
    [moved] = home.glob("stillpoint.damaged-*.db")
    digest = hashlib.sha256(moved.read_bytes()).hexdigest()
    assert "Recovered" in result.stdout
    listing = run_cli("sessions").stdout.splitlines()
    assert 30 <= len(listing) <= 40, listing  # most sessions back; those on the damaged pages may be lost
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT COUNT(*) FROM turns").fetchone()[0] > 200
    db.close()
    again = run_cli("doctor", "--repair")
    assert "already recovered" in again.stdout
    assert len(run_cli("sessions").stdout.splitlines()) == len(listing)  # no duplicates
    assert hashlib.sha256(moved.read_bytes()).hexdigest() == digest


def _in_namespace(script: str) -> subprocess.CompletedProcess:
    """Run `script` (sh) in a private mount namespace, where we may mount a tmpfs or remount read-only."""
    return subprocess.run(["unshare", "-rm", "sh", "-ec", script], capture_output=True, text=True, timeout=120,
                          cwd=str(ROOT), env=dict(os.environ))


def _namespaces_work() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


needs_namespaces = pytest.mark.skipif(not _namespaces_work(), reason="unshare (user namespaces) not available")


@needs_namespaces
def test_reading_commands_work_on_a_read_only_disk(tmp_path):
    home = tmp_path / "data"
    _fill(home / "stillpoint.db")
    cli = f"{sys.executable} -m stillpoint.cli"
    result = _in_namespace(f"mount --bind {home} {home}; mount -o remount,bind,ro {home}; "
                           f"{cli} sessions; {cli} show 1; {cli} cues; {cli} themes; "
                           f"{cli} export 1 -o {tmp_path}/e.md; ! touch {home}/probe")
    assert result.returncode == 0, result.stderr
    assert "file:1.wav" in result.stdout and SECRET in result.stdout
    assert (tmp_path / "e.md").exists()


@needs_namespaces
def test_reading_commands_work_on_a_full_disk(tmp_path):
    home = tmp_path / "data"
    _fill(tmp_path / "seed.db")
    home.mkdir()
    cli = f"{sys.executable} -m stillpoint.cli"
    result = _in_namespace(f"mount -t tmpfs -o size=512k tmpfs {home}; cp {tmp_path}/seed.db {home}/stillpoint.db; "
                           f"dd if=/dev/zero of={home}/filler bs=4k 2>/dev/null || true; "
                           f"{cli} sessions; {cli} show 1; {cli} cues")
    assert result.returncode == 0, result.stderr
    assert "file:1.wav" in result.stdout and SECRET in result.stdout


def test_a_killed_session_is_marked_interrupted_at_next_start(tmp_path):
    from dialogue.store import Store

    path = tmp_path / "data" / "stillpoint.db"
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from dialogue.store import Store; s = Store(sys.argv[1]);"
         "sid = s.start_session('file:live'); s.add_turn(sid, 'user', 'I was saying something', 0, 2);"
         "print('saved', flush=True); time.sleep(60)", str(path)],
        cwd=str(ROOT), stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "saved"
    assert "(interrupted)" not in run_cli("sessions").stdout  # still running: not interrupted
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    store = Store(path)  # the next start
    assert store.sessions()[0].interrupted
    assert store._db.execute("SELECT interrupted FROM sessions").fetchone() == (1,)
    store.close()
    assert "(interrupted)" in run_cli("sessions").stdout
    shown = run_cli("show", "1").stdout
    assert "I was saying something" in shown and "interrupted" in shown.splitlines()[-1]
