"""Barge-in, measured from outside the app: speech onset in the microphone signal → the last
reply sample in the speaker signal, both on one clock (the recording's audio clock).

Each case is a real conversation through the real models (faster-whisper, Piper, the segmenter
and its VAD; the reply is the fixed spoken answer to "are you a real person?", so the model's
speed decides only when it starts) and `run_recording`. The app's own account plays no part: the
onset is where the interruption's samples begin in the input (known from how the recording was
built), and the reply's samples are read from the conversation file the app wrote — the file minus
the user's own audio is what the speaker played (tests/speaker_signal.py).

A reply is placed where the real compute time puts it, which on a busy machine is seconds late.
So each case first runs the question alone and finds where the reply sounds in the written file,
then puts the interruption a set fraction of the way into it; if that run's reply moved so that
none was playing at the onset, the interruption is moved to the reply as found and the case rerun.

    .venv/bin/python bench/bargein.py            # prints a table; `--json` for one object
    .venv/bin/python bench/bargein.py --hard     # real read speech (LJ Speech) over pink noise at -42 dBFS
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from common import LJ_DIR, build, lj, percentile, say, table
from speaker_signal import BargeIn, measure, reply_span

CASES = [  # (question with a fixed spoken reply, how far into that reply the user talks over it, interruption)
    ("Are you a real person?", 0.25, "Wait, sorry, can I say something?"),
    ("Are you a real person?", 0.45, "Hold on a second."),
    ("Are you a therapist?", 0.6, "Actually, no, I just want to talk."),
    ("Are you a therapist?", 0.8, "Sorry, stop for a moment."),
    ("Are you a real person?", 0.7, "Okay, but listen."),
    ("Are you a therapist?", 0.35, "Hang on, that's not what I meant."),
]
ATTEMPTS = 3


def converse(make_pipeline, workdir: Path, name: str, rec) -> Path:
    """One conversation over `rec` with a fresh store and companion; returns the file it wrote."""
    from dialogue.store import Store
    from stillpoint.engine.conversation import ConversationSettings
    from stillpoint.engine.recording import run_recording

    store = Store(workdir / name / "stillpoint.db")
    wav = rec.write(workdir / f"{name}.wav", subtype="FLOAT")
    out = workdir / f"{name}.heard.wav"
    try:
        run_recording(make_pipeline(), store, wav, out, settings=ConversationSettings())
    finally:
        store.close()
    return out


def run_case(make_pipeline, workdir: Path, seed: int, question: str, into: float, interruption, room: dict):
    """(measurement, reply start → onset in s, runs); measurement None if no run had a reply playing.
    `interruption`: the interrupting audio (16 kHz); `room`: the noise floor, as `build` takes it."""
    asked = say(question)
    probe = build([0.8, asked, 20.0], seed=seed, **room)
    span = reply_span(converse(make_pipeline, workdir, f"probe-{seed}", probe), probe.audio, probe.speech[0][1])
    if span is None:
        return None, None, 1
    for attempt in range(1, ATTEMPTS + 1):
        start, end = span
        after_s = start + into * (end - start) - probe.speech[0][1]
        rec = build([0.8, asked, after_s, interruption, 3.0], seed=seed, **room)
        heard = converse(make_pipeline, workdir, f"barge-{seed}-{attempt}", rec)
        onset, until = rec.speech[1]
        result: BargeIn = measure(heard, rec.audio, onset, until)
        if result.reply_playing:
            return result, round(onset - start, 2), attempt + 1
        span = reply_span(heard, rec.audio, rec.speech[0][1]) or span  # where this run's reply really was
    return None, None, ATTEMPTS + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--hard", action="store_true",
                        help="interrupt with real read speech (LJ Speech clips) over pink noise at -42 dBFS")
    parser.add_argument("--cases", type=int, default=len(CASES), help="run only the first N cases")
    args = parser.parse_args()

    import stillpoint  # noqa: F401  (offline settings before any model library is imported)
    from dialogue.companion import Companion
    from dialogue.llm.embedded import EmbeddedBackend
    from stillpoint.config import Settings
    from stillpoint.engine.components import Pipeline, make_segmenter
    from voice.stt import Transcriber
    from voice.tts import Synthesizer

    transcriber, synthesizer, backend = Transcriber(), Synthesizer(), EmbeddedBackend()

    def make_pipeline() -> Pipeline:
        return Pipeline(make_segmenter(Settings()), transcriber, synthesizer, Companion(backend))

    clips = sorted(p.stem for p in LJ_DIR.glob("*.wav"))
    room = {"floor_dbfs": -42.0, "kind": "pink"} if args.hard else {}  # default: white noise at -54 dBFS
    latencies, rows, runs = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed, (question, into, words) in enumerate(CASES[: args.cases]):
            clip = clips[seed % len(clips)]
            interruption = f"LJ Speech {clip}" if args.hard else words
            audio = lj(clip) if args.hard else say(words)
            result, into_reply_s, n = run_case(make_pipeline, Path(tmp), seed, question, into, audio, room)
            runs += n
            ms = result.latency_ms if result else None
            if ms is not None:
                latencies.append(ms)
            rows.append([question, interruption, "no reply playing" if ms is None else f"{into_reply_s:.2f} s",
                         "—" if ms is None else f"{ms:.0f} ms"])
            print(f"  {question!r} / {interruption!r}: {ms} ms ({n} runs)", file=sys.stderr, flush=True)
    summary = {
        "room": ("LJ Speech interruptions, pink noise -42 dBFS" if args.hard
                 else "Piper interruptions, white noise -54 dBFS"),
        "cases": len(rows),
        "reply_playing_at_onset": len(latencies),
        "conversation_runs": runs,
        "onset_to_last_reply_sample_ms": {
            "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
            "max": max(latencies, default=float("nan")), "all": latencies,
        },
    }
    if args.json:
        print(json.dumps(summary))
        return
    print(table(["question", "talked over with", "onset, into the reply", "onset → last reply sample"], rows))
    figures = summary["onset_to_last_reply_sample_ms"]
    print(f"\nspeech onset → last reply sample, {len(latencies)} of {len(rows)} cases: "
          f"p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, max {figures['max']:.0f} ms")


if __name__ == "__main__":
    main()
