"""The user can list, export and erase what is stored; doctor explains what is wrong and how to fix it."""

import os
import sqlite3
import stat

from conftest import run_cli
from speechkit import build, say


def _session(tmp_path, name):
    wav = build([0.5, say("I walked to the river this morning."), 6.0], seed=3).write(tmp_path / f"{name}.wav")
    assert run_cli("talk", "--input", str(wav), "--output", str(tmp_path / f"{name}.o.wav")).returncode == 0


def test_store_is_owner_only_and_sessions_can_be_erased(tmp_path):
    _session(tmp_path, "a")
    _session(tmp_path, "b")
    home = tmp_path / "data"
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(home / "stillpoint.db").st_mode) == 0o600
    assert run_cli("erase", "1", "--yes").returncode == 0
    db = sqlite3.connect(home / "stillpoint.db")
    assert db.execute("SELECT DISTINCT session_id FROM turns").fetchall() == [(2,)]
    assert db.execute("SELECT COUNT(*) FROM pauses WHERE session_id = 1").fetchone()[0] == 0
    db.close()
    listing = run_cli("sessions").stdout
    assert "file:b.wav" in listing and "file:a.wav" not in listing
    assert run_cli("erase", "--all", "--yes").returncode == 0
    assert not home.exists()


def test_erase_asks_before_deleting(tmp_path):
    _session(tmp_path, "a")
    result = run_cli("erase", "last", input="n\n")
    assert result.returncode != 0
    assert "file:a.wav" in run_cli("sessions").stdout


def test_doctor_names_each_problem_and_its_fix(tmp_path):
    bad = tmp_path / "c.yaml"
    bad.write_text("llm:\n  backend: ollama\n  ollama:\n    host: http://127.0.0.1:9\n")
    result = run_cli("--config", str(bad), "doctor", env={"HOME": str(tmp_path)})
    lines = result.stdout.splitlines()
    for name in ("config", "data directory", "speech-to-text", "text-to-speech", "voice activity", "microphone",
                 "speaker", "language model"):
        assert any(f"] {name}:" in line for line in lines), (name, result.stdout)
    assert result.returncode == 1
    assert any(line.startswith("[FAIL] language model") for line in lines)
    assert "ollama serve" in result.stdout and "fall back to the embedded model" in result.stdout
    assert "[ok  ] speech-to-text" in result.stdout


def test_doctor_reports_a_bad_config_value(tmp_path):
    bad = tmp_path / "c.yaml"
    bad.write_text("vad:\n  engine: loud\n")
    result = run_cli("--config", str(bad), "doctor")
    assert result.returncode == 1 and "[FAIL] config" in result.stdout and "vad.engine" in result.stdout
