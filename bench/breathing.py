"""Cue timing of a live breathing exercise, measured at the sound device.

`stillpoint breathe` runs live, through PortAudio, on the ALSA file-PCM sound card the live tests
use (tests/alsa_loopback.py): its "speaker" is a pipe drained in real time, 20 ms per tick of the
monotonic clock, like a sound card's DAC; its "microphone" feeds room noise. The drained audio is
laid on that clock (an underrun leaves a gap, as a real card would play silence), cue onsets are
found in it by the same energy onset detector the tests use, and each is compared with the plan:
`t0_monotonic + at_s` from the schedule the app writes (CLOCK_MONOTONIC is one clock for every
process on the machine).

Reports, per cue: absolute error (it includes the pipe's own buffer, which the app cannot see),
error around the median (jitter), and drift (the slope of error over time, in ms per 10 minutes).

    .venv/bin/python bench/breathing.py               # 10 minutes of box breathing
    .venv/bin/python bench/breathing.py --minutes 1   # short, for development
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from common import ROOT, percentile, table
from alsa_loopback import SPEAKER_RATE
from onsets import match, onsets
from timed_loopback import TimedLoopback


def live_run(home: Path, env: dict, args: list[str], latency_ms: float, timeout: float) -> tuple[dict, float, np.ndarray, str]:
    """One live exercise on the loopback card; returns the schedule, the card's t0 and audio, stderr."""
    schedule = home / "schedule.json"
    config = home / "bench-config.yaml"
    config.write_text(f"audio:\n  output_latency_ms: {round(latency_ms)}\n")
    with TimedLoopback(home, np.zeros(0, np.float32)) as card:
        result = subprocess.run(
            [sys.executable, "-m", "stillpoint.cli", "--config", str(config), "-v", "breathe", *args,
             "--schedule", str(schedule)], env=env, cwd=str(ROOT), capture_output=True, text=True, timeout=timeout)
        time.sleep(0.3)
    if result.returncode != 0:
        sys.exit(f"breathe failed:\n{result.stderr}")
    t0_card, audio = card.timeline()
    for name in ("mic.fifo", "speaker.fifo", ".asoundrc"):
        (home / name).unlink()
    return json.loads(schedule.read_text()), t0_card, audio, result.stderr


def cue_errors_ms(plan: dict, t0_card: float, audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cues = [c for c in plan["cues"] if c["kind"] != "count"]
    planned = [plan["t0_monotonic"] + c["at_s"] - t0_card for c in cues]
    return np.array([c["at_s"] for c in cues]), np.array(match(planned, onsets(audio, SPEAKER_RATE))) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--pattern", default="box")
    parser.add_argument("--latency-ms", type=float,
                        help="audio.output_latency_ms for the run (default: measured by a short calibration run)")
    parser.add_argument("--keep", type=Path, help="keep the device's audio and the schedule in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {**os.environ, "HOME": str(home), "STILLPOINT_HOME": str(home / "data"),
               "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        # render the cue words into the cache first, so the live runs start as a second run would
        subprocess.run([sys.executable, "-m", "stillpoint.cli", "breathe", "--pattern", args.pattern, "--cycles", "1",
                        "--output", str(home / "warm.wav")], env=env, cwd=str(ROOT), check=True, capture_output=True)
        latency = args.latency_ms
        if latency is None:
            # what this card adds after the buffer PortAudio reports (its pipe): measured once, like
            # a person with Bluetooth headphones would set it once
            plan, t0_card, audio, _ = live_run(home, env, ["--pattern", "box", "--cycles", "2"], 0, 240)
            _, errors = cue_errors_ms(plan, t0_card, audio)
            latency = float(np.median(errors))
            print(f"calibration (2 cycles): median onset {latency:.1f} ms late with output_latency_ms 0 → using {latency:.0f}")
        began = time.perf_counter()
        plan, t0_card, audio, stderr = live_run(home, env, ["--pattern", args.pattern, "--minutes", str(args.minutes)],
                                                latency, args.minutes * 60 + 180)
        wall = time.perf_counter() - began
    if args.keep:
        import soundfile

        args.keep.mkdir(parents=True, exist_ok=True)
        soundfile.write(args.keep / "device.wav", audio, SPEAKER_RATE)
        (args.keep / "schedule.json").write_text(json.dumps({**plan, "t0_card": t0_card}))
        (args.keep / "stderr.txt").write_text(stderr)
    at, errors = cue_errors_ms(plan, t0_card, audio)
    median = float(np.median(errors))
    jitter = errors - median
    slope = float(np.polyfit(at, errors, 1)[0]) if len(at) > 2 else 0.0
    first = errors[at <= at[0] + 60]
    last = errors[at >= at[-1] - 60]
    print(f"{plan['title']}, {args.minutes:g} min live through PortAudio → ALSA file PCM "
          f"(output_latency_ms {latency:.0f}); {len(at)} cues; run took {wall:.0f} s")
    print(table(["measure", "ms"], [
        ["onset error, median", median],
        ["onset error, p95 |abs|", percentile(list(np.abs(errors)), 95)],
        ["onset error, max |abs|", float(np.abs(errors).max())],
        ["error around the median, max |abs|", float(np.abs(jitter).max())],
        ["drift (fitted slope × 10 min)", slope * 600],
        ["mean error, last minute − first minute", float(last.mean() - first.mean())],
    ]))
    if args.keep:
        print("per cue (at_s, error ms):", [(round(float(a), 2), round(float(e), 1)) for a, e in zip(at, errors)])
    print(f"cues within 20 ms of plan: {int((np.abs(errors) <= 20).sum())} of {len(at)}")


if __name__ == "__main__":
    main()
