"""Live breathing through real PortAudio on the ALSA file-PCM card: the cues come out of the
speaker on the beat while the microphone is open.

Steering by voice is tested on recordings (tests/test_breathing.py) through the same session code:
this card's capture side garbles speech (it repeats parts of periods and runs faster than real
time), so words said into it are not reliably the words sent. Onset error and drift against the
monotonic clock are measured by bench/breathing.py.
"""

import json
import os
import subprocess
import sys
import time

import numpy as np

from alsa_loopback import SPEAKER_RATE
from conftest import ROOT
from onsets import match, onsets
from timed_loopback import TimedLoopback


def breathe(home, *args, timeout=240):
    env = {**os.environ, "HOME": str(home), "STILLPOINT_HOME": str(home / "data")}
    return subprocess.run([sys.executable, "-m", "stillpoint.cli", "breathe", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=str(ROOT))


def test_live_cues_come_out_of_the_speaker_on_the_beat(tmp_path):
    warm = breathe(tmp_path, "--pattern", "box", "--cycles", "1", "--output", str(tmp_path / "warm.wav"))
    assert warm.returncode == 0, warm.stderr
    schedule = tmp_path / "schedule.json"
    with TimedLoopback(tmp_path, np.zeros(0, np.float32)) as card:
        result = breathe(tmp_path, "--pattern", "box", "--cycles", "2", "--schedule", str(schedule))
        time.sleep(0.3)
    assert result.returncode == 0, result.stderr
    assert "Loading speech-to-text" in result.stderr  # the microphone was open for steering
    plan = json.loads(schedule.read_text())
    assert plan["completed_cycles"] == 2 and plan["t0_monotonic"] is not None
    t0_card, audio = card.timeline()
    found = [t0_card + t for t in onsets(audio, SPEAKER_RATE)]
    cues = [plan["t0_monotonic"] + c["at_s"] for c in plan["cues"]]
    errors = np.array(match(cues, found))
    # on the card's clock every cue keeps the beat: the same lateness (this card's pipe, which the
    # app cannot see) for all eight, all within 20 ms of one another (measured: ~2 ms; converting
    # 22.05 → 48 kHz while playing made the card fall behind and the cues wander by 25 ms)
    assert len(cues) == 8 and np.ptp(errors) <= 0.020, errors
