"""Pause detection benchmark: both VADs on real speech joined by silences of known length.

Recordings are built from the LJ Speech clips in tests/data (real human speech) and from the bundled
Piper voice, with silences from 0.3 s to 3.5 s between utterances, over a room-noise floor at
three levels (never digital zero). The segmenter runs with a very long end-of-turn so every gap
is an in-turn pause. A found pause matches a true one when their starts are within 0.25 s;
it is *accurate* when start and duration are both within ±100 ms. Scored for pauses ≥ 500 ms.

    .venv/bin/python bench/pauses.py
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from common import ROOT, build, lj, percentile, say, table
from voice.events import AudioFrame, TurnEnded
from voice.turns import TurnSegmenter, TurnSettings
from voice.vad import make_vad

GAPS = [0.3, 0.6, 0.9, 1.3, 2.0, 3.5, 0.5, 1.0, 0.7, 2.5]
NOISE = {"quiet room (-60 dBFS)": 0.001, "room (-54 dBFS)": 0.002, "noisy room (-46 dBFS)": 0.005}
MIN_SCORED = 0.5


def recordings(seed: int):
    lj_parts = [lj(c) for c in ("LJ001-0002", "LJ001-0004", "LJ001-0006", "LJ001-0008", "LJ001-0013")]
    piper_parts = [say(t) for t in (
        "I went to see my sister on Sunday.", "We talked for a long time about our mother.",
        "I didn't expect it to be so hard.", "Afterwards I drove home the long way.",
        "I think I needed the quiet.")]
    for name, parts in (("LJ Speech", lj_parts), ("Piper", piper_parts)):
        for noise_name, level in NOISE.items():
            rng = np.random.default_rng(seed)
            order = list(rng.permutation(len(parts))) * 3
            seq: list = [0.7]
            for i, gap in enumerate(GAPS):
                seq += [parts[order[i]], gap]
            seq += [parts[order[len(GAPS)]], 1.0]
            yield name, noise_name, build(seq, seed=seed, noise=level)


def detect(engine: str, audio: np.ndarray):
    seg = TurnSegmenter(make_vad(engine), TurnSettings(end_of_turn_ms=20000, max_turn_s=600))
    events = []
    for i in range(0, len(audio), 1600):
        events += seg.process(AudioFrame(audio[i : i + 1600], i / 16000))
    events += seg.flush()
    return [p for e in events if isinstance(e, TurnEnded) for p in e.pauses]


def score(truth, found):
    truth = [(s, d) for s, d in truth if d >= MIN_SCORED]
    found = [p for p in found if p.duration_s >= MIN_SCORED - 0.1]
    matched, start_err, dur_err, accurate = 0, [], [], 0
    used = set()
    for s, d in truth:
        best = min((abs(p.start_s - s), i) for i, p in enumerate(found) if i not in used) if found else None
        if best and best[0] <= 0.25:
            used.add(best[1])
            p = found[best[1]]
            matched += 1
            start_err.append(abs(p.start_s - s))
            dur_err.append(abs(p.duration_s - d))
            accurate += abs(p.start_s - s) <= 0.1 and abs(p.duration_s - d) <= 0.1
    extra = [p for i, p in enumerate(found) if i not in used and p.duration_s >= MIN_SCORED]
    precision = matched / (matched + len(extra)) if matched + len(extra) else 1.0
    recall = matched / len(truth) if truth else 1.0
    return dict(tp=matched, fp=len(extra), n=len(truth), precision=precision, recall=recall,
                accurate=accurate, start_err=start_err, dur_err=dur_err)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--json", type=str, default=str(ROOT / "bench" / "out" / "pauses.json"))
    args = parser.parse_args()
    totals: dict = {}
    per_condition = []
    speed = {}
    for engine in ("silero", "webrtc"):
        elapsed = audio_s = 0.0
        for seed in range(args.seeds):
            for source, noise, rec in recordings(seed):
                t = time.perf_counter()
                found = detect(engine, rec.audio)
                elapsed += time.perf_counter() - t
                audio_s += len(rec.audio) / 16000
                r = score(rec.gaps(), found)
                for key in (engine, (engine, source, noise)):
                    agg = totals.setdefault(key, dict(tp=0, fp=0, n=0, accurate=0, start_err=[], dur_err=[]))
                    for k in ("tp", "fp", "n", "accurate"):
                        agg[k] += r[k]
                    agg["start_err"] += r["start_err"]
                    agg["dur_err"] += r["dur_err"]
        speed[engine] = elapsed / audio_s

    def row(label, agg):
        p = agg["tp"] / (agg["tp"] + agg["fp"]) if agg["tp"] + agg["fp"] else 1.0
        r = agg["tp"] / agg["n"] if agg["n"] else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        acc = agg["accurate"] / agg["n"] if agg["n"] else 1.0
        return [*label, agg["n"], p, r, f1, acc, percentile([e * 1000 for e in agg["start_err"]], 50),
                percentile([e * 1000 for e in agg["start_err"]], 95), percentile([e * 1000 for e in agg["dur_err"]], 95)]

    headers = ["VAD", "speech", "noise floor", "pauses", "precision", "recall", "F1", "within ±100 ms",
               "start err p50 ms", "start err p95 ms", "duration err p95 ms"]
    rows = [row(list(k), v) for k, v in totals.items() if isinstance(k, tuple)]
    summary = [row([k, "all", "all"], v) for k, v in totals.items() if isinstance(k, str)]
    print(f"Pauses ≥ {MIN_SCORED} s, {args.seeds} seeds; real-time factor: "
          + ", ".join(f"{k} {v:.4f}" for k, v in speed.items()))
    print(table(headers, summary + rows))
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    with open(args.json, "w") as f:
        json.dump({"headers": headers, "rows": summary + rows, "rtf": speed}, f, indent=1)


if __name__ == "__main__":
    main()
