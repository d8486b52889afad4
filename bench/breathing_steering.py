"""Steering a breathing exercise inside a conversation (issue 12): how long after the word it acts.

Each trial is `stillpoint talk --input rec.wav --output heard.wav` on the real models (Silero VAD,
Whisper tiny.en, Piper, the embedded companion): the person asks for 4-7-8 breathing, then says a
steering word in room noise at some point of the exercise. A recording places every decision where
a live listener would have taken it (the end-of-turn wait, then the real time speech recognition
took on this machine), so the figures are the live path's, less the speaker's own buffer.

Measured from the outside, in the written file minus the input (what the speaker played):
- "stop"-like words: end of the word → the closing words begin ("Let's stop there." is placed 0.3 s
  after the word is understood, so 0.3 s of this is that deliberate gap);
- words that are not steering ("I feel a bit dizzy"): end of the words → the exercise falls silent;
- whether the word was understood as meant (Whisper may mishear a one-word request).

    .venv/bin/python bench/breathing_steering.py            # 12 trials
    .venv/bin/python bench/breathing_steering.py --trials 4 # short, for development
    .venv/bin/python bench/breathing_steering.py --smart-turns  # turn ends as `talk` decides them by default
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from common import build, percentile, say, table
from onsets import onsets
from speaker_signal import speaker_signal

ASK = "Can we do some four seven eight breathing?"
STOPS = ["Stop.", "Stop, please.", "Okay, that's enough."]
OTHER = "I feel a bit dizzy."


def trial(pipeline_for, words: str, at_s: float, floor_dbfs: float, seed: int) -> dict:
    from dialogue.store import Store
    from stillpoint.breathe_runner import prepare_practice
    from stillpoint.engine.recording import run_recording

    rec = build([0.5, say(ASK), at_s, say(words), 25.0], seed=seed, floor_dbfs=floor_dbfs, kind="pink")
    with tempfile.TemporaryDirectory() as home:
        store = Store(Path(home) / "data" / "stillpoint.db")
        path = rec.write(Path(home) / "in.wav")
        pipeline = pipeline_for()
        result = run_recording(pipeline, store, path, Path(home) / "heard.wav")
        turns = store.turns(result.session_id)
        store.close()
        # the plan as first laid (its cue words are cached: the same intro, the same times)
        plan = prepare_practice(pipeline.synthesizer, Path(home) / "data" / "cache" / "cues", "478").session.plan
        heard, rate = sf.read(Path(home) / "heard.wav", dtype="float32")
    played = speaker_signal(heard, rate, rec.audio)
    _, end = rec.speech[1]
    user = [t for t in turns if t.speaker == "user"]
    steering = user[1].timings.get("steering", "") if len(user) > 1 else ""
    practice = [t for t in turns if t.speaker == "companion"][0]
    if words == OTHER:
        ok = len(user) > 1 and not steering and practice.interrupted
        # the exercise's last sound before the answer: where it fell silent
        loud = np.flatnonzero(np.abs(played[int(end * rate): int(practice.end_s * rate) + rate // 10]) > 0.001)
        effect = end + (loud[-1] / rate if len(loud) else 0.0)
        return {"words": words, "understood": ok, "heard": user[1].text if len(user) > 1 else "",
                "latency_s": practice.end_s - end, "silent_after_s": effect - end}
    cues = [practice.start_s + c.at_s for c in plan.cues()]
    found = [t for t in onsets(played, rate, level=0.03, quiet=0.015) if t > end]
    # the closing words: the first sound after the word that is not a planned cue
    closing = next((t for t in found if t < practice.end_s and min(abs(t - c) for c in cues) > 0.02), float("nan"))
    return {"words": words, "understood": steering == "stopped", "heard": user[1].text if len(user) > 1 else "",
            "latency_s": closing - end}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--floor-dbfs", type=float, default=-42.0)
    parser.add_argument("--smart-turns", action="store_true",
                        help="end turns as `stillpoint talk` does by default (the turn-end judge), not after 800 ms")
    args = parser.parse_args()

    from dialogue.companion import Companion
    from dialogue.llm.embedded import EmbeddedBackend
    from stillpoint.config import Settings
    from stillpoint.engine.components import Pipeline, make_segmenter
    from voice.stt import Transcriber
    from voice.tts import Synthesizer

    settings = Settings()
    transcriber, synthesizer, backend = Transcriber(), Synthesizer(), EmbeddedBackend()

    def pipeline_for():
        judge = None
        if args.smart_turns:
            from stillpoint.listening import build_turn_judge

            judge = build_turn_judge(settings, transcriber, live=False)
        return Pipeline(make_segmenter(settings, judge), transcriber, synthesizer, Companion(backend))

    rows, stops, others = [], [], []
    started = time.perf_counter()
    for i in range(args.trials):
        words = OTHER if i % 4 == 3 else STOPS[i % 3]
        at = 30.0 + 5.3 * (i % 6)  # over the exercise: cue sounding or not
        r = trial(pipeline_for, words, at, args.floor_dbfs, seed=100 + i)
        (others if words == OTHER else stops).append(r)
        rows.append([i, words, round(at, 1), r["heard"], r["understood"], round(r["latency_s"], 3)])
        print(f"trial {i + 1}/{args.trials}: {words!r} heard as {r['heard']!r}, {r['latency_s']:.2f} s",
              file=sys.stderr, flush=True)
    print(table(["trial", "said", "at s", "heard", "understood", "end of words → effect, s"], rows))
    for name, group in (("stop → closing words", stops), ("not steering → exercise silent", others)):
        ok = [r["latency_s"] for r in group if r["understood"]]
        print(f"\n{name}: understood {len(ok)}/{len(group)}; p50 {percentile(ok, 50):.2f} s, "
              f"p95 {percentile(ok, 95):.2f} s, max {max(ok, default=float('nan')):.2f} s")
    ends = "the turn-end judge" if args.smart_turns else "800 ms of quiet"
    print(f"\n{args.trials} trials in {time.perf_counter() - started:.0f} s; pink room noise at {args.floor_dbfs} dBFS;"
          f" turns ended by {ends}")


if __name__ == "__main__":
    main()
