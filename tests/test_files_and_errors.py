"""Issue 7, findings 2, 5 and 6: output files never destroy a recording, never appear where nobody
asked, are owner-only and whole; every error a person can cause is one clear line; settings that
contradict each other are refused with the reason."""

import hashlib
import os
import stat

import numpy as np
import pytest
import soundfile as sf

from conftest import run_cli
from speechkit import NOISE_FLOOR, build, say


def _one_clear_line(result) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def _digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture
def recording(tmp_path):
    wav = tmp_path / "me.wav"
    sf.write(wav, (np.random.default_rng(1).standard_normal(16000 * 3) * NOISE_FLOOR).astype(np.float32), 16000)
    return wav


def test_output_that_is_the_input_is_refused_before_anything_loads(tmp_path, recording):
    digest = _digest(recording)
    os.link(recording, tmp_path / "hardlink.wav")
    (tmp_path / "sub").mkdir()
    (tmp_path / "symlink.wav").symlink_to(recording)
    for output in (recording, tmp_path / "sub" / ".." / "me.wav", tmp_path / "hardlink.wav", tmp_path / "symlink.wav"):
        result = run_cli("talk", "--input", str(recording), "--output", str(output))
        assert result.returncode == 1
        assert "same file" in _one_clear_line(result) and "Loading" not in result.stderr
        assert _digest(recording) == digest and recording.stat().st_size > 44


def test_missing_output_folder_is_an_error_not_created(tmp_path, recording):
    target = tmp_path / "no" / "such" / "dir" / "x.wav"
    result = run_cli("talk", "--input", str(recording), "--output", str(target))
    assert result.returncode == 1 and "does not exist" in _one_clear_line(result)
    assert not (tmp_path / "no").exists()
    exported = run_cli("export", "last", "-o", str(target))
    assert exported.returncode == 1 and not (tmp_path / "no").exists()


def test_reply_wav_is_owner_only_whole_and_replaces_atomically(tmp_path):
    wav = build([0.5, say("I walked to the river this morning."), 5.0], seed=3).write(tmp_path / "in.wav")
    out = tmp_path / "reply.wav"
    out.write_bytes(b"an older reply")
    os.chmod(out, 0o644)
    result = run_cli("talk", "--input", str(wav), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    info = sf.info(str(out))
    assert info.duration > 5.0
    assert not list(tmp_path.glob(".*partial"))  # no temporary file left behind
    exported = tmp_path / "e.md"
    assert run_cli("export", "last", "-o", str(exported)).returncode == 0
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600


def test_silent_input_stores_no_session_and_writes_no_wav(tmp_path):
    """A long silent recording: the person expects to be told nothing was heard, and no file of silence."""
    silent = tmp_path / "quiet.wav"
    noise = np.random.default_rng(2).standard_normal(16000 * 120) * NOISE_FLOOR
    sf.write(silent, noise.astype(np.float32), 16000)
    out = tmp_path / "quiet.reply.wav"
    result = run_cli("talk", "--input", str(silent), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "No speech was heard" in result.stderr and "no reply file was written" in result.stderr
    assert not out.exists() and not list(tmp_path.glob(".*partial"))
    assert run_cli("sessions").stdout.strip() == "No sessions yet."


def test_stillpoint_home_that_is_a_file_or_unusable_is_one_clear_line(tmp_path, recording):
    a_file = tmp_path / "home-is-a-file"
    a_file.write_text("x")
    for home in (a_file, a_file / "below", "/proc/stillpoint-data"):
        for command in (["sessions"], ["cues", "--dismiss", "1"], ["talk", "--input", str(recording)]):
            result = run_cli(*command, env={"STILLPOINT_HOME": str(home)})
            if command == ["sessions"] and str(home).startswith("/proc"):
                assert result.stdout.strip() == "No sessions yet."  # reading a folder that was never made
                continue
            assert result.returncode in (1, 2), (home, command)
            line = _one_clear_line(result)
            assert str(home) in line, line


def test_config_file_that_is_not_utf8_is_one_clear_line(tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("turns:\n  # pause réglée\n  pause_min_ms: 300\n".encode("latin-1"))
    result = run_cli("--config", str(bad), "sessions")
    assert result.returncode == 2
    line = _one_clear_line(result)
    assert "not UTF-8" in line and str(bad) in line


@pytest.mark.parametrize("yaml_text, named", [
    ("turns:\n  end_of_turn_ms: 400\n  pause_min_ms: 600\n", "turns.end_of_turn_ms"),
    ("turns:\n  end_of_turn_ms: 500\n  pause_min_ms: 500\n", "turns.pause_min_ms"),
    ("turns:\n  max_turn_s: 5\n  min_turn_speech_ms: 5000\n", "turns.min_turn_speech_ms"),
    ("memory:\n  cue_min_pause_s: 2\n", "memory.cue_min_pause_s"),
    ("llm:\n  history_tokens: 2048\n", "llm.embedded.n_ctx"),
    ("turns:\n  end_of_turn_ms: 3000\n  journaling:\n    end_of_turn_ms: 2000\n", "turns.journaling.end_of_turn_ms"),
    ("turns:\n  max_turn_s: 300\n", "turns.journaling.max_turn_s"),
])
def test_settings_that_contradict_each_other_are_refused_with_the_reason(tmp_path, yaml_text, named):
    from stillpoint.config import ConfigError, load_settings

    config = tmp_path / "c.yaml"
    config.write_text(yaml_text)
    with pytest.raises(ConfigError) as error:
        load_settings(config)
    assert named in str(error.value) and "must" in str(error.value)
    result = run_cli("--config", str(config), "sessions")
    assert result.returncode == 2 and named in result.stderr and "Traceback" not in result.stderr


def test_the_old_journal_section_is_refused_with_where_its_keys_went(tmp_path):
    from stillpoint.config import ConfigError, load_settings

    config = tmp_path / "c.yaml"
    config.write_text("journal:\n  end_of_turn_ms: 8000\n")
    with pytest.raises(ConfigError) as error:
        load_settings(config)
    assert "turns.journaling.end_of_turn_ms" in str(error.value)
    moved = tmp_path / "moved.yaml"
    moved.write_text("turns:\n  journaling:\n    end_of_turn_ms: 8000\n")
    assert load_settings(moved).turns.journaling.end_of_turn_ms == 8000


def test_sensible_settings_still_load(tmp_path):
    from stillpoint.config import load_settings

    config = tmp_path / "c.yaml"
    config.write_text("turns:\n  end_of_turn_ms: 3000\n  pause_min_ms: 300\nmemory:\n  cue_min_pause_s: 1.5\n")
    settings = load_settings(config)
    assert settings.turns.end_of_turn_ms == 3000 and settings.memory.cue_min_pause_s == 1.5


def test_unexpected_errors_are_one_line_and_v_shows_the_traceback(tmp_path):
    """A database path that is a folder: sqlite's own error, turned into one line; -v adds the traceback."""
    (tmp_path / "data" / "stillpoint.db").mkdir(parents=True)
    result = run_cli("cues", "--dismiss", "1")
    assert result.returncode == 1 and "stillpoint.db" in _one_clear_line(result)
    verbose = run_cli("-v", "cues", "--dismiss", "1")
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr
