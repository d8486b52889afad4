"""Soak: two hours of conversation streamed through the real loop, with peak memory over time.

A long recording is written to disk block by block (never held in memory): real speech (the LJ
Speech clips, round-robin) separated by 15–45 s of room noise, as someone talking, listening and
thinking would. It goes through `run_recording` with the real models (Silero VAD → Whisper →
SmolLM2 → Piper), into a real store and a real reply WAV, exactly as `stillpoint talk --input`
does. A sampler thread records the process's resident memory (VmRSS) every few seconds against
how far through the audio the loop is; the report shows peak RSS per 10 minutes of audio, the
growth from the first window to the last, and the store's integrity at the end.

    .venv/bin/python bench/soak.py                # 120 minutes, real models (hours on 2 busy cores)
    .venv/bin/python bench/soak.py --minutes 10   # a quick look
    .venv/bin/python bench/soak.py --scripted --vad webrtc   # the loop, store and recorder for two hours, in minutes

`--scripted` swaps the three models for stand-ins with the same interfaces (the transcript is the
clip's own text, the reply is fixed words, the voice a soft tone of the right length), so what is
measured is what the app itself keeps over time: the loop, segmenter, cues, history, store and
reply recorder. Model memory is flat by construction; the real run measures it too.
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


class ScriptedTranscriber:
    """The clip's own transcript, in the order the clips were written (round-robin)."""

    def __init__(self, clips: list[str]):
        from common import lj_transcript

        self.texts = [lj_transcript(c) for c in clips]
        self.n = 0

    def transcribe(self, audio):
        from voice.events import Transcript

        if len(audio) < SR // 10:
            return Transcript(text="")
        text = self.texts[self.n % len(self.texts)]
        self.n += 1
        return Transcript(text=text)


class ScriptedSynthesizer:
    sample_rate = 22050

    def synthesize(self, text: str, *, length_scale: float | None = None):
        from voice.events import SpeechAudio

        seconds = 0.3 * max(1, len(text.split()))
        t = np.arange(int(seconds * self.sample_rate)) / self.sample_rate
        yield SpeechAudio(text=text, samples=(0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32),
                          sample_rate=self.sample_rate)


class ScriptedBackend:
    name = "scripted"

    def stream_chat(self, messages, *, max_tokens: int, temperature: float):
        yield from ["That ", "sounds ", "like ", "a lot. ", "What ", "stays ", "with ", "you ", "most?"]

    def close(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=120.0, help="length of the conversation (audio minutes)")
    parser.add_argument("--every", type=float, default=2.0, help="seconds between memory samples")
    parser.add_argument("--scripted", action="store_true", help="stand-ins for the three models (see above)")
    parser.add_argument("--vad", choices=["silero", "webrtc"], help="override vad.engine")
    args = parser.parse_args()

    from dialogue.companion import Companion
    from dialogue.store import Store, quick_check
    from stillpoint.config import Settings
    from stillpoint.engine.components import Pipeline, build_backend, make_segmenter
    from stillpoint.engine.events import TurnReport
    from stillpoint.engine.recording import run_recording
    from voice.stt import Transcriber
    from voice.tts import Synthesizer

    settings = Settings()
    if args.vad:
        settings.vad.engine = args.vad
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
        if args.scripted:
            clips = sorted(p.stem for p in LJ_DIR.glob("*.wav"))
            parts = (ScriptedTranscriber(clips), ScriptedSynthesizer(), Companion(ScriptedBackend()))
        else:
            parts = (Transcriber(), Synthesizer(), Companion(build_backend(settings.llm)))
        pipeline = Pipeline(make_segmenter(settings), *parts, memory=settings.memory)
        store = Store(Path(tmp) / "soak.db")
        loaded_mb = rss_mb()
        samples.append((time.perf_counter() - started, 0.0, loaded_mb))
        threading.Thread(target=sampler, daemon=True).start()

        def on_turn(report) -> None:
            if not isinstance(report, TurnReport):
                return
            position["audio_s"] = report.end_s
            if report.speaker == "user":
                position["user_turns"] += 1
                if position["user_turns"] % 20 == 0:
                    print(f"  {report.end_s / 60:5.1f} min of audio, {position['user_turns']} user turns, "
                          f"RSS {rss_mb():.0f} MB, {time.perf_counter() - started:.0f} s", flush=True)

        result = run_recording(pipeline, store, wav, Path(tmp) / "heard.wav", on_event=on_turn)
        done.set()
        samples.append((time.perf_counter() - started, result.duration_s, rss_mb()))
        integrity = quick_check(store.path)
        kept_audio_mb = sum(getattr(r.turn, "audio", np.zeros(0)).nbytes for r in result.exchanges) / 2**20  # turn audio still referenced
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
    print(f"{'Scripted models, ' if args.scripted else 'Real models, '}VAD {settings.vad.engine}.")
    print(f"Soak over {result.duration_s / 60:.1f} min of audio, {stored_user_turns} user turns stored, in {wall / 60:.1f} min "
          f"of wall time; RSS after loading models {loaded_mb:.0f} MB.")
    print(table(["audio window", "peak RSS MB", "samples"], rows))
    print(f"growth from first to last window: {last - first:+.0f} MB; overall peak {max(s[2] for s in samples):.0f} MB; "
          f"store quick_check: {integrity}")
    print(f"turn audio still held by the loop's exchange records at the end: {kept_audio_mb:.0f} MB")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / ("soak-scripted.json" if args.scripted else "soak.json")).write_text(json.dumps({
        "scripted": args.scripted, "vad": settings.vad.engine, "audio_min": result.duration_s / 60, "user_turns": stored_user_turns, "wall_min": wall / 60,
        "loaded_rss_mb": loaded_mb, "windows": rows, "samples": samples, "quick_check": integrity, "kept_turn_audio_mb": kept_audio_mb,
    }, indent=1))


if __name__ == "__main__":
    main()
