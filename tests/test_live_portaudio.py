"""The live loop through PortAudio: microphone in and speaker out via an ALSA file PCM."""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from alsa_loopback import AlsaLoopback
from conftest import ROOT
from speechkit import build, say


def live(home, *args, timeout=90):
    env = {**os.environ, "HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "stillpoint.cli", "talk", "--json", *args],
        capture_output=True, text=True, env=env, timeout=timeout, cwd=str(ROOT),
    )


def test_live_loop_hears_the_microphone_and_answers_on_the_speaker(tmp_path):
    rec = build([1.0, say("I keep thinking about my sister and our last phone call.")], seed=1)
    with AlsaLoopback(tmp_path, rec.audio) as card:
        result = live(tmp_path, "--max-turns", "1")
        time.sleep(0.3)
    assert result.returncode == 0, result.stderr
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    assert turns[0]["speaker"] == "user" and "sister" in turns[0]["text"].lower(), result.stdout
    assert turns[1]["speaker"] == "companion" and turns[1]["text"]
    heard = card.speaker_audio()
    assert len(heard) > 16000 * 0.5 and np.abs(heard).max() > 0.1  # the reply was really played
    assert "Listening on 'default'" in result.stderr


def test_barge_in_stops_the_speaker_quickly(tmp_path):
    """The user talks over a long reply; the speaker must go quiet soon after they start."""
    config = tmp_path / "long.yaml"
    # a long fixed-length reply is what we need to talk over: ask the model for more tokens
    config.write_text("llm:\n  max_reply_tokens: 160\n")
    first = say("Tell me something calming about the sea, please, I would like to listen for a while.")
    interruption = say("Wait, sorry, can I say something?")
    gap_s = 4.0
    rec = build([1.0, first, gap_s, interruption, 3.0], seed=2)
    with AlsaLoopback(tmp_path, rec.audio) as card:
        result = live(tmp_path, "--max-turns", "2", timeout=120)
        time.sleep(0.3)
    assert result.returncode == 0, result.stderr
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    replies = [t for t in turns if t["speaker"] == "companion"]
    onset_wall = card.t0 + rec.speech[1][0]
    loud = card.loud_times()
    playing_at_onset = [t for t in loud if onset_wall - 0.5 < t < onset_wall]
    if not playing_at_onset:
        pytest.skip("the first reply had already finished before the interruption; nothing to barge into")
    assert replies[0]["interrupted"], turns
    after = [t for t in loud if onset_wall < t < onset_wall + 1.5]
    last_sound = max(after) if after else onset_wall
    print(f"speaker went quiet {1000 * (last_sound - onset_wall):.0f} ms after speech onset")
    # 200 ms for the app, plus the harness's own pipe and ALSA buffers (measured ~130 ms here)
    assert last_sound - onset_wall <= 0.2 + 0.15
