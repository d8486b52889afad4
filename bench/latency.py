"""End-to-end latency of the spoken loop on the embedded defaults, on real speech.

A conversation is built from the LJ Speech clips in tests/data (five user turns, each followed by
enough silence for the whole reply) and run through the real loop: VAD → turn end → Whisper →
SmolLM2 → Piper. Reports per-turn p50/p95 of each stage (all measured from the end of the
user's speech; `first_sound_ms` is read from the conversation file the listener heard),
speech-to-text and text-to-speech real-time factors, model load times and peak memory.

    .venv/bin/python bench/latency.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from common import LJ_DIR, ROOT, build, lj, lj_transcript, percentile, table, word_errors, words
from stillpoint.engine.components import Progress, build_backend, make_segmenter
from stillpoint.config import Settings

STAGES = ["end_of_turn_ms", "transcript_ms", "first_token_ms", "first_audio_ms", "reply_done_ms"]
HEARD = "first_sound_ms"  # read from the conversation file, not from the app: what the listener waits through


def first_sounds(rec, heard_wav: Path) -> list[float]:
    """End of each utterance → the first reply sample above -60 dBFS before the next one, in ms.

    The app's `first_audio_ms` is when the reply's audio was handed over; silence at the start of
    that audio is still silence to the listener, so this reads the file the listener heard."""
    from speaker_signal import reply_span

    out = []
    for i, (_, end) in enumerate(rec.speech):
        span = reply_span(heard_wav, rec.audio, after_s=end)
        following = rec.speech[i + 1][0] if i + 1 < len(rec.speech) else float("inf")
        if span is not None and span[0] < following:
            out.append(round((span[0] - end) * 1000, 1))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2, help="how many times to run the 5-turn conversation")
    parser.add_argument("--silence", action="store_true", help="the fixed end-of-turn wait instead of the smart decision")
    args = parser.parse_args()
    settings = Settings.model_validate({"turns": {"end_detection": "silence"}}) if args.silence else Settings()

    loads = {}

    def timed(name, fn):
        t = time.perf_counter()
        out = fn()
        loads[name] = time.perf_counter() - t
        return out

    from dialogue.companion import Companion
    from dialogue.store import Store
    from stillpoint.engine.components import Pipeline
    from stillpoint.engine.recording import run_recording
    from voice.stt import Transcriber
    from voice.tts import Synthesizer

    transcriber = timed("speech-to-text (tiny.en int8)", Transcriber)
    # the default turn-end decision (end_detection: smart): Smart Turn + the word signal + the silence fallback,
    # each signal counted as ready after its measured compute time, as on any recording
    from stillpoint.listening import build_turn_judge

    judge = timed("turn-end detection (Smart Turn + SmolLM2 word signal)",
                  lambda: build_turn_judge(settings, transcriber, live=False))
    segmenter = timed("VAD (silero)", lambda: make_segmenter(settings, judge))
    synthesizer = timed("text-to-speech (joe-medium)", Synthesizer)
    backend = timed("language model (SmolLM2-135M Q4_1)", lambda: build_backend(settings.llm))

    clips = sorted(p.stem for p in LJ_DIR.glob("*.wav"))
    # speech-to-text and text-to-speech real-time factors
    stt_rtf = []
    errors = reference_words = 0
    for clip in clips:
        audio = lj(clip)
        t = time.perf_counter()
        heard = transcriber.transcribe(audio).text
        stt_rtf.append((time.perf_counter() - t) / (len(audio) / 16000))
        reference = words(lj_transcript(clip))
        errors += word_errors(reference, words(heard))
        reference_words += len(reference)
    tts_rtf = []
    for sentence in ("That sounds like a heavy day.", "Would you like to tell me more about what happened with your sister?",
                     "Take a slow breath in, and let it go."):
        t = time.perf_counter()
        chunks = list(synthesizer.synthesize(sentence))
        tts_rtf.append((time.perf_counter() - t) / sum(c.duration_s for c in chunks))

    timings: dict[str, list[float]] = {k: [] for k in [*STAGES, HEARD]}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        for round_ in range(args.rounds):
            parts: list = [0.5]
            for clip in clips:
                parts += [lj(clip), 12.0]
            rec = build(parts, seed=round_)
            wav = rec.write(Path(tmp) / f"conv{round_}.wav")
            pipeline = Pipeline(segmenter, transcriber, synthesizer, Companion(backend))
            result = run_recording(pipeline, store, wav, Path(tmp) / f"out{round_}.wav")
            timings[HEARD] += first_sounds(rec, Path(tmp) / f"out{round_}.wav")
            for exchange in result.exchanges:
                if exchange.user_text:
                    for k in STAGES:
                        if k in exchange.timings:
                            timings[k].append(exchange.timings[k])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    turns = len(timings["first_audio_ms"])
    print(f"Spoken-loop latency over {turns} user turns (LJ Speech clips), measured from the end of the user's speech:")
    print(table(["stage", "p50 ms", "p95 ms"], [[k, percentile(v, 50), percentile(v, 95)] for k, v in timings.items()]))
    print()
    print(table(["model", "load s"], [[k, v] for k, v in loads.items()]))
    print()
    print(table(["measure", "value"], [
        ["speech-to-text word error rate on the LJ clips", errors / reference_words],
        ["speech-to-text real-time factor (mean over LJ clips)", float(np.mean(stt_rtf))],
        ["text-to-speech real-time factor (mean)", float(np.mean(tts_rtf))],
        ["peak RSS, MB", peak_mb],
    ]))
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "latency.json").write_text(json.dumps({
        "turns": turns, "timings_ms": timings, "loads_s": loads, "stt_rtf": stt_rtf, "stt_wer": errors / reference_words, "tts_rtf": tts_rtf, "peak_rss_mb": peak_mb,
    }, indent=1))


if __name__ == "__main__":
    main()
