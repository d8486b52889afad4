"""Shared fixtures: real models loaded once per test session, and a private data directory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    """Every test gets its own data and config directories; nothing touches the real ones."""
    monkeypatch.setenv("STILLPOINT_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture(scope="session")
def settings():
    from stillpoint.config import Settings

    return Settings()


@pytest.fixture(scope="session")
def transcriber():
    from voice.stt import Transcriber

    return Transcriber()


@pytest.fixture(scope="session")
def synthesizer():
    from voice.tts import Synthesizer

    return Synthesizer()


@pytest.fixture(scope="session")
def embedded_backend():
    from dialogue.llm.embedded import EmbeddedBackend

    return EmbeddedBackend()


@pytest.fixture
def pipeline(settings, transcriber, synthesizer, embedded_backend):
    """A fresh segmenter and companion around the shared (stateless) models."""
    from dialogue.companion import Companion
    from stillpoint.engine.components import Pipeline, make_segmenter

    return Pipeline(make_segmenter(settings), transcriber, synthesizer, Companion(embedded_backend))


@pytest.fixture
def store(tmp_path):
    from dialogue.store import Store

    s = Store(tmp_path / "data" / "stillpoint.db")
    yield s
    s.close()


def run_cli(*args: str, env: dict | None = None, timeout: float = 300, input: str | None = None):
    """Run the installed `stillpoint` command as a user would."""
    import subprocess

    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "stillpoint.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        input=input,
        cwd=str(ROOT),
    )
