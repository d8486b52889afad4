"""Live breathing through real PortAudio on the ALSA file-PCM card: cues come out of the speaker
on the monotonic clock, the microphone stays open, and "stop" spoken into it ends the exercise."""

import json
import os
import subprocess
import sys
import time

import numpy as np

from alsa_loopback import SPEAKER_RATE, AlsaLoopback
from conftest import ROOT
from speechkit import build, say


def breathe_live(home, *args, timeout=240):
    env = {**os.environ, "HOME": str(home), "STILLPOINT_HOME": str(home / "data")}
    return subprocess.run([sys.executable, "-m", "stillpoint.cli", "breathe", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=str(ROOT))


def test_stop_said_into_the_microphone_ends_the_live_exercise(tmp_path):
    # the intro takes ~12 s; "stop" at 30 s falls in the second cycle of box breathing
    rec = build([30.0, say("Stop."), 20.0], seed=7)
    schedule = tmp_path / "schedule.json"
    with AlsaLoopback(tmp_path, rec.audio) as card:
        result = breathe_live(tmp_path, "--pattern", "box", "--cycles", "6", "--schedule", str(schedule))
        time.sleep(0.3)
    assert result.returncode == 0, result.stderr
    plan = json.loads(schedule.read_text())
    stops = [h for h in plan["heard"] if h["action"] == "stopped"]
    assert stops, plan["heard"]
    assert plan["stopped"] and plan["completed_cycles"] < 6
    # "stop" ends it within one cue: between the end of the word and the stop, at most one cue began.
    # The microphone opens just after the speaker's clock starts (0.3 s lead), so the word ended at
    # about its recording time minus that; half a second of margin makes the check stricter, not looser.
    word_end = rec.speech[0][1] - 0.5
    assert word_end < plan["end_s"]
    between = [c for c in plan["cues"] if word_end < c["at_s"] <= plan["end_s"]]
    assert len(between) <= 1, (word_end, plan["end_s"], between)
    heard = card.speaker_audio()
    assert len(heard) > SPEAKER_RATE * 20 and np.abs(heard).max() > 0.05  # the cues were really played
    assert "Loading speech-to-text" in result.stderr
