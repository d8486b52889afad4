"""Barge-in, measured from outside the app: speech onset in the microphone signal → the last
reply sample in the speaker signal, both on one clock (the recording's audio clock).

Each case is a real conversation through the real models and `run_recording`: the user asks
something with a long fixed answer, then talks over it at a set moment. The app's own account
plays no part: the onset is where the interruption's samples begin in the input (known from how
the recording was built), and the reply's last sample is read from the conversation file the app
wrote — the file minus the user's own audio is what the speaker played.

    .venv/bin/python bench/bargein.py            # prints a table; `--json` for one object
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common import build, percentile, say, table

REPLY_LEVEL = 0.02  # a reply sample louder than this is heard (the user's own audio is subtracted first)

CASES = [  # (question with a long fixed reply, seconds after it ends that the user talks over it, interruption)
    # late enough that the reply has begun even on a busy machine, early enough that it is still playing
    ("Are you a real person?", 4.6, "Wait, sorry, can I say something?"),
    ("Are you a real person?", 5.4, "Hold on a second."),
    ("Can we do a breathing exercise?", 5.0, "Actually, no, I just want to talk."),
    ("Can we do a breathing exercise?", 6.2, "Sorry, stop for a moment."),
    ("Are you a real person?", 5.0, "Okay, but listen."),
]


@dataclass(frozen=True)
class BargeIn:
    onset_s: float  # the interruption's first sample, in the input
    reply_started_s: float | None  # first heard reply sample before the onset (None: no reply was playing)
    last_reply_sample_s: float | None  # last heard reply sample from the onset until the interruption ends

    @property
    def latency_ms(self) -> float | None:
        if self.reply_started_s is None or self.last_reply_sample_s is None:
            return None
        return round(max(0.0, self.last_reply_sample_s - self.onset_s) * 1000, 1)


def reply_signal(heard: np.ndarray, rate: int, user_audio_16k: np.ndarray) -> np.ndarray:
    """What the speaker played: the conversation file minus the user's own audio."""
    import soxr

    user = soxr.resample(user_audio_16k, 16_000, rate).astype(np.float32)
    n = min(len(user), len(heard))
    out = heard.copy()
    out[:n] -= user[:n]
    return out


def measure(heard_wav: Path, user_audio_16k: np.ndarray, onset_s: float, until_s: float) -> BargeIn:
    import soundfile as sf

    heard, rate = sf.read(heard_wav, dtype="float32")
    reply = np.abs(reply_signal(heard, rate, user_audio_16k)) > REPLY_LEVEL
    onset, until = round(onset_s * rate), round(until_s * rate)
    before = np.flatnonzero(reply[:onset])
    after = np.flatnonzero(reply[onset:until])
    return BargeIn(
        onset_s,
        before[0] / rate if len(before) else None,
        (onset + after[-1]) / rate if len(after) else onset_s,
    )


def run_case(pipeline, store, workdir: Path, question: str, after_s: float, interruption: str, seed: int = 0,
             settings=None) -> BargeIn:
    from stillpoint.engine.conversation import ConversationSettings
    from stillpoint.engine.recording import run_recording

    rec = build([0.8, say(question), after_s, say(interruption), 6.0], seed=seed)
    wav = rec.write(workdir / f"barge-{seed}.wav")
    out = workdir / f"barge-{seed}.heard.wav"
    run_recording(pipeline, store, wav, out, settings=settings or ConversationSettings())
    onset, end = rec.speech[1]
    return measure(out, rec.audio, onset, end)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from dialogue.companion import Companion
    from dialogue.llm.embedded import EmbeddedBackend
    from dialogue.store import Store
    from stillpoint.config import Settings
    from stillpoint.engine.components import Pipeline, make_segmenter
    from voice.stt import Transcriber
    from voice.tts import Synthesizer

    transcriber, synthesizer, backend = Transcriber(), Synthesizer(), EmbeddedBackend()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for seed, (question, after_s, interruption) in enumerate(CASES):
            store = Store(workdir / f"db{seed}" / "stillpoint.db")
            pipeline = Pipeline(make_segmenter(Settings()), transcriber, synthesizer, Companion(backend))
            result = run_case(pipeline, store, workdir, question, after_s, interruption, seed)
            store.close()
            results.append(result)
            print(f"  {question!r} + {after_s:.1f} s: {result.latency_ms} ms", file=sys.stderr, flush=True)
    latencies = [r.latency_ms for r in results if r.latency_ms is not None]
    summary = {
        "cases": len(results),
        "reply_playing_at_onset": len(latencies),
        "onset_to_last_reply_sample_ms": {"p50": percentile(latencies, 50), "max": max(latencies, default=float("nan"))},
    }
    if args.json:
        print(json.dumps(summary))
        return
    print(table(["measure", "value"], [
        ["cases (reply playing at the onset)", f"{len(results)} ({len(latencies)})"],
        ["speech onset → last reply sample, p50", f"{summary['onset_to_last_reply_sample_ms']['p50']:.0f} ms"],
        ["speech onset → last reply sample, max", f"{summary['onset_to_last_reply_sample_ms']['max']:.0f} ms"],
    ]))


if __name__ == "__main__":
    main()
