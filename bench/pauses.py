"""Pause detection benchmark: pause edges on real and synthetic speech in rooms of many kinds.

Recordings join utterances with silences of known length (0.3–3.5 s) over room noise that never
stops, at floors from -60 to -38 dBFS (RMS), white, pink (1/f) and brown (1/f²) noise and a low
mains hum. Speech: LJ Speech from tests/data (real, read, public domain), the bundled Piper voice reading, and a
conversational stand-in (Piper speaking hesitant phrasing slowly and quietly, trailing off at the
end of each phrase — no public-domain or CC-BY conversational recording is installable here; see
`tests/speechkit.spoken_casually`). The segmenter runs with a very long end-of-turn so every gap
is an in-turn pause. A found pause matches a true one when their starts are within 0.25 s; it is
*accurate* when start and length are both within ±100 ms. Scored for true pauses ≥ 0.5 s; a true
pause with no match is *lost*.

    .venv/bin/python bench/pauses.py               # every condition, silero (and webrtc in white noise)
    .venv/bin/python bench/pauses.py --quick       # -54/-41/-38 dBFS white and brown, one seed
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from common import ROOT, build, lj, percentile, say, table
from speechkit import NOISE_KINDS, spoken_casually
from voice.events import AudioFrame, TurnEnded
from voice.turns import TurnSegmenter, TurnSettings
from voice.vad import make_vad

GAPS = [0.3, 0.6, 0.9, 1.3, 2.0, 3.5, 0.5, 1.0, 0.7, 2.5, 0.55, 0.75]
FLOORS = [-60, -54, -50, -46, -44, -41, -38]
MIN_SCORED = 0.5
READ = ("I went to see my sister on Sunday.", "We talked for a long time about our mother.",
        "I didn't expect it to be so hard.", "Afterwards I drove home the long way.", "I think I needed the quiet.")
CASUAL = ("So, um, I went to see my sister, on Sunday, and",
          "we just, you know, we talked about mum for a while",
          "and I don't know, it was, it was kind of hard, I guess",
          "um, and then I drove home, like, the long way round",
          "I think I just, I needed the quiet, maybe")


def sources(seed: int) -> dict[str, list[np.ndarray]]:
    return {
        "LJ Speech (read)": [lj(c) for c in ("LJ001-0002", "LJ001-0004", "LJ001-0006", "LJ001-0008", "LJ001-0013")],
        "Piper (read)": [say(t) for t in READ],
        "conversational stand-in": [spoken_casually(t, seed * 7 + i) for i, t in enumerate(CASUAL)],
    }


def recording(parts: list[np.ndarray], seed: int, floor: float, kind: str):
    """The recording, and the silences inside its utterances (slow hesitant speech has its own
    pauses; found pauses there are neither right nor wrong, so they are not scored)."""
    rng = np.random.default_rng(seed)
    order = list(rng.permutation(len(parts))) * 3
    seq: list = [0.7]
    for i, gap in enumerate(GAPS):
        seq += [parts[order[i]], gap]
    seq += [parts[order[len(GAPS)]], 1.0]
    rec = build(seq, seed=seed, floor_dbfs=floor, kind=kind)
    inner = []
    for (start, _), part in zip(rec.speech, [p for p in seq if not isinstance(p, float)]):
        quiet = np.abs(part) < 0.02
        edges = np.flatnonzero(np.diff(np.r_[0, quiet.astype(np.int8), 0]))
        for a, b in zip(edges[::2], edges[1::2]):
            if b - a >= 0.3 * 16000:
                inner.append((start + a / 16000, start + b / 16000))
    return rec, inner


def detect(engine: str, audio: np.ndarray, **overrides):
    seg = TurnSegmenter(make_vad(engine), TurnSettings(end_of_turn_ms=20000, max_turn_s=600, **overrides))
    events = []
    for i in range(0, len(audio), 1600):
        events += seg.process(AudioFrame(audio[i : i + 1600], i / 16000))
    events += seg.flush()
    return [p for e in events if isinstance(e, TurnEnded) for p in e.pauses]


def score(truth, found, inner=()):
    truth = [(s, d) for s, d in truth if d >= MIN_SCORED]
    found = [p for p in found if p.duration_s >= MIN_SCORED - 0.1
             and not any(a - 0.25 <= p.start_s and p.end_s <= b + 0.25 for a, b in inner)]
    matched, start_err, dur_err, accurate, lost = 0, [], [], 0, 0
    used = set()
    for s, d in truth:
        best = min(((abs(p.start_s - s), i) for i, p in enumerate(found) if i not in used), default=None)
        if best and best[0] <= 0.25:
            used.add(best[1])
            p = found[best[1]]
            matched += 1
            start_err.append(p.start_s - s)
            dur_err.append(p.duration_s - d)
            accurate += abs(p.start_s - s) <= 0.1 and abs(p.duration_s - d) <= 0.1
        else:
            lost += 1
    extra = [p for i, p in enumerate(found) if i not in used and p.duration_s >= MIN_SCORED]
    return dict(tp=matched, fp=len(extra), n=len(truth), accurate=accurate, lost=lost,
                start_err=start_err, dur_err=dur_err)


def summarise(agg: dict) -> dict:
    p = agg["tp"] / (agg["tp"] + agg["fp"]) if agg["tp"] + agg["fp"] else 1.0
    abs_start = [abs(e) * 1000 for e in agg["start_err"]]
    abs_dur = [abs(e) * 1000 for e in agg["dur_err"]]
    return dict(pauses=agg["n"], precision=p, recall=agg["tp"] / agg["n"] if agg["n"] else 1.0,
                within_100ms=agg["accurate"] / agg["n"] if agg["n"] else 1.0, lost=agg["lost"],
                start_p50=percentile(abs_start, 50), start_p95=percentile(abs_start, 95),
                length_p50=percentile(abs_dur, 50), length_p95=percentile(abs_dur, 95),
                start_bias=percentile([e * 1000 for e in agg["start_err"]], 50),
                length_bias=percentile([e * 1000 for e in agg["dur_err"]], 50))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="a few conditions, one seed (while developing)")
    parser.add_argument("--no-refine", action="store_true", help="switch the energy refinement off (to see what it does)")
    parser.add_argument("--json", type=str, default=str(ROOT / "bench" / "out" / "pauses.json"))
    args = parser.parse_args()
    floors, kinds, seeds = FLOORS, NOISE_KINDS, range(args.seeds)
    if args.quick:
        floors, kinds, seeds = [-54, -41, -38], ("white", "brown"), range(1)
    overrides = {"refine_ms": 0} if args.no_refine else {}
    totals: dict = {}
    speed: dict = {}
    runs = [("silero", k, f) for k in kinds for f in floors] + [("webrtc", "white", f) for f in (-60, -46)]
    for engine, kind, floor in runs:
        for seed in seeds:
            for source, parts in sources(seed).items():
                rec, inner = recording(parts, seed, floor, kind)
                t = time.perf_counter()
                found = detect(engine, rec.audio, **overrides)
                el, au = speed.get(engine, (0.0, 0.0))
                speed[engine] = (el + time.perf_counter() - t, au + len(rec.audio) / 16000)
                r = score(rec.gaps(), found, inner)
                keys = [(engine, "all", "all", "all"), (engine, source, kind, f"{floor}")]
                if engine == "silero" and floor <= -41:
                    keys.append((engine, "all", "all", "-60…-41"))
                for key in keys:
                    agg = totals.setdefault(key, dict(tp=0, fp=0, n=0, accurate=0, lost=0, start_err=[], dur_err=[]))
                    for k in ("tp", "fp", "n", "accurate", "lost"):
                        agg[k] += r[k]
                    agg["start_err"] += r["start_err"]
                    agg["dur_err"] += r["dur_err"]
    headers = ["VAD", "speech", "noise", "floor dBFS", "pauses", "precision", "recall", "within ±100 ms", "lost",
               "start err p50 ms", "start err p95 ms", "length err p50 ms", "length err p95 ms"]
    rows = []
    for key, agg in sorted(totals.items(), key=lambda kv: (kv[0][0] != "silero", kv[0][1] != "all", kv[0][1], kv[0][2], -float(kv[0][3]) if kv[0][3][0] == "-" and "…" not in kv[0][3] else 0)):
        m = summarise(agg)
        rows.append([*key, m["pauses"], m["precision"], m["recall"], m["within_100ms"], m["lost"],
                     round(m["start_p50"]), round(m["start_p95"]), round(m["length_p50"]), round(m["length_p95"])])
    overall = summarise(totals[("silero", "all", "all", "all")])
    print(f"silero signed medians: start {overall['start_bias']:+.0f} ms, length {overall['length_bias']:+.0f} ms")
    rtf = {k: el / au for k, (el, au) in speed.items()}
    print(f"Pauses ≥ {MIN_SCORED} s, {len(seeds)} seed(s){' (refinement off)' if args.no_refine else ''}; "
          "real-time factor: " + ", ".join(f"{k} {v:.4f}" for k, v in rtf.items()))
    print(table(headers, rows))
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    with open(args.json, "w") as f:
        json.dump({"headers": headers, "rows": rows, "rtf": rtf}, f, indent=1)


if __name__ == "__main__":
    main()
