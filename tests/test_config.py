import os
import stat

import pytest
import yaml

from conftest import ROOT, run_cli
from stillpoint.config import ConfigError, Settings, data_dir, ensure_data_dir, load_settings


def test_config_yaml_documents_every_default():
    documented = yaml.safe_load((ROOT / "config.yaml").read_text())
    assert documented == Settings().model_dump()


def test_user_file_overrides_defaults_and_config_flag_overrides_user_file(tmp_path):
    user = tmp_path / "config" / "stillpoint" / "config.yaml"
    user.parent.mkdir(parents=True)
    user.write_text("turns:\n  end_of_turn_ms: 1500\nvad:\n  engine: webrtc\n")
    explicit = tmp_path / "mine.yaml"
    explicit.write_text("vad:\n  engine: silero\n")
    settings = load_settings(explicit)
    assert settings.turns.end_of_turn_ms == 1500  # from the user file
    assert settings.vad.engine == "silero"  # --config wins
    assert settings.turns.pause_min_ms == 250  # untouched default


def test_bad_value_names_key_path_and_allowed_values(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("vad:\n  engine: loud\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(bad)
    message = str(caught.value)
    assert "vad.engine" in message and "'silero'" in message and "'webrtc'" in message and "loud" in message


def test_unknown_key_and_out_of_range_value_are_named(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("turns:\n  end_of_turn_ms: 10\n  pause_minimum: 3\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(bad)
    assert "turns.end_of_turn_ms" in str(caught.value)
    assert "turns.pause_minimum: unknown setting" in str(caught.value)


def test_cli_reports_bad_config_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("llm:\n  backend: gpt9\n")
    result = run_cli("--config", str(bad), "sessions")
    assert result.returncode == 2
    assert "llm.backend" in result.stderr and "'embedded', 'ollama' or 'openai'" in result.stderr
    assert "Traceback" not in result.stderr


def test_not_yaml_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("vad: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(bad)


def test_data_dir_is_owner_only(tmp_path, monkeypatch):
    monkeypatch.setenv("STILLPOINT_HOME", str(tmp_path / "home"))
    path = ensure_data_dir(data_dir(Settings()))
    assert path == tmp_path / "home"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
    os.chmod(path, 0o755)
    ensure_data_dir(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700


def test_default_data_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("STILLPOINT_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir(Settings()) == tmp_path / "xdg" / "stillpoint"
