"""Soak: two hours of conversation streamed through the real loop, with peak memory over time.

A long recording is written to disk block by block (never held in memory): real speech (the LJ
Speech clips, round-robin) separated by 15–45 s of room noise, as someone talking, listening and
thinking would. It goes through `run_recording` with the real models (Silero VAD → Whisper →
SmolLM2 → Piper), into a real store and a real reply WAV, exactly as `stillpoint talk --input`
does. A sampler thread records the process's resident memory (VmRSS) every few seconds against
how far through the audio the loop is; the report shows peak RSS per 10 minutes of audio, the
growth from the first window to the last, and the store's integrity at the end.

    .venv/bin/python bench/soak.py                # 120 minutes (≈ 20–40 min on 2 cores)
    .venv/bin/python bench/soak.py --minutes 10   # a quick look
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from common import LJ_DIR, ROOT, lj, table
from speechkit import NOISE_FLOOR, SR

import stillpoint  # noqa: F401  (offline environment before any model library loads)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def write_conversation(path: Path, minutes: float, seed: int = 0) -> tuple[int, float]:
    """Speech turns and silences to `path`, streamed; returns (turns, seconds)."""
    rng = np.random.default_rng(seed)
    clips = sorted(p.stem for p in LJ_DIR.glob("*.wav"))
    total = int(minutes * 60 * SR)
    written = turns = 0
    with sf.SoundFile(path, "w", samplerate=SR, channels=1, subtype="PCM_16") as out:
        def noise(n: int) -> np.ndarray:
            return (rng.standard_normal(n) * NOISE_FLOOR).astype(np.float32)

        out.write(noise(SR // 2))
        written += SR // 2
        while written < total:
            speech = lj(clips[turns % len(clips)])
            out.write(speech + noise(len(speech)))
            gap = int(rng.uniform(15, 45) * SR)
            for start in range(0, gap, SR * 10):  # silence in 10 s blocks: flat memory here too
                block = noise(min(SR * 10, gap - start))
                out.write(block)
            written += len(speech) + gap
            turns += 1
    return turns, written / SR


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=120.0, help="length of the conversation (audio minutes)")
    parser.add_argument("--every", type=float, default=2.0, help="seconds between memory samples")
    args = parser.parse_args()

    from dialogue.companion import Companion
    from dialogue.store import Store, quick_check
    from stillpoint.components import Pipeline, build_backend, make_segmenter
    from stillpoint.config import Settings
    from stillpoint.recording_loop import run_recording
    from voice.stt import Transcriber
    from voice.tts import Synthesizer

    settings = Settings()
    samples: list[tuple[float, float, float]] = []  # (wall s, audio s reached, RSS MB)
    position = {"audio_s": 0.0, "user_turns": 0}
    done = threading.Event()
    started = time.perf_counter()

    def sampler() -> None:
        while not done.wait(args.every):
            samples.append((time.perf_counter() - started, position["audio_s"], rss_mb()))

    with tempfile.TemporaryDirectory(prefix="stillpoint-soak-") as tmp:
        wav = Path(tmp) / "conversation.wav"
        planned, seconds = write_conversation(wav, args.minutes)
        print(f"Conversation: {seconds / 60:.0f} min of audio, {planned} user turns. Loading models…", flush=True)
        pipeline = Pipeline(make_segmenter(settings), Transcriber(), Synthesizer(), Companion(build_backend(settings.llm)),
                            memory=settings.memory)
        store = Store(Path(tmp) / "soak.db")
        loaded_mb = rss_mb()
        samples.append((time.perf_counter() - started, 0.0, loaded_mb))
        threading.Thread(target=sampler, daemon=True).start()

        def on_turn(report) -> None:
            position["audio_s"] = report.end_s
            if report.speaker == "user":
                position["user_turns"] += 1
                if position["user_turns"] % 20 == 0:
                    print(f"  {report.end_s / 60:5.1f} min of audio, {position['user_turns']} user turns, "
                          f"RSS {rss_mb():.0f} MB, {time.perf_counter() - started:.0f} s", flush=True)

        result = run_recording(pipeline, store, wav, Path(tmp) / "heard.wav", on_turn=on_turn)
        done.set()
        samples.append((time.perf_counter() - started, result.duration_s, rss_mb()))
        integrity = quick_check(store.path)
        stored_user_turns = store._db.execute("SELECT COUNT(*) FROM turns WHERE speaker = 'user'").fetchone()[0]
        store.close()

    window = 600.0
    rows = []
    for lo in np.arange(0, result.duration_s + 1e-9, window):
        inside = [rss for _, audio_s, rss in samples if lo <= audio_s < lo + window]
        if inside:
            rows.append([f"{lo / 60:.0f}–{min(lo + window, result.duration_s) / 60:.0f} min", max(inside), len(inside)])
    first, last = rows[0][1], rows[-1][1]
    wall = time.perf_counter() - started
    print()
    print(f"Soak over {result.duration_s / 60:.1f} min of audio, {stored_user_turns} user turns stored, in {wall / 60:.1f} min "
          f"of wall time; RSS after loading models {loaded_mb:.0f} MB.")
    print(table(["audio window", "peak RSS MB", "samples"], rows))
    print(f"growth from first to last window: {last - first:+.0f} MB; overall peak {max(s[2] for s in samples):.0f} MB; "
          f"store quick_check: {integrity}")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "soak.json").write_text(json.dumps({
        "audio_min": result.duration_s / 60, "user_turns": stored_user_turns, "wall_min": wall / 60,
        "loaded_rss_mb": loaded_mb, "windows": rows, "samples": samples, "quick_check": integrity,
    }, indent=1))


if __name__ == "__main__":
    main()
