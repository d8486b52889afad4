"""Whisper's sized encoder window against its full 30 s one, on the same clips: words, timings, cost.

voice/stt.py reads a turn shorter than ~27 s in an encoder window sized to it (the audio plus at
least 3 s of silence) instead of faster-whisper's fixed 30 s, and falls back to the full window
when that reading looks wrong (repeats itself, too repetitive or unsure by faster-whisper's own
retry thresholds, or places words after the audio's end). This bench reads every clip both ways
and reports, per set and room-noise floor:

- word error rate against the script: full window, sized window alone (no fallback), and what
  the transcriber returns (sized, or full after a doubtful sized reading);
- how many sized readings were doubtful, and why (Whisper repeating itself into the padding is
  the known failure of a short window);
- how many returned transcripts differ in their words from the full window's;
- word timing differences (start and end, for the words both readings share), p50/p95/max;
- cost per call (wall clock, both ways interleaved so machine load hits both alike).

Sets: the five LJ Speech clips in tests/data (real read speech); Piper reading whole thoughts and
the first half of unfinished ones (what the early transcript gets mid-thought); the same texts
spoken "casually" (the conversational stand-in of tests/speechkit.py). Room noise at -41 and -38
dBFS, white/pink/brown/hum in turn, with 0.3 s of it before and after the speech.

    .venv/bin/python bench/stt_window.py [--limit N]
"""

from __future__ import annotations

import argparse
import difflib
import time
from collections import Counter

from common import LJ_DIR, build, lj, lj_transcript, percentile, say, table, word_errors, words
from speechkit import NOISE_KINDS, spoken_casually
from turn_set import CALIBRATION, FINISHED, UNFINISHED
from voice.events import SAMPLE_RATE
from voice.stt import Transcriber, encoder_window_s

FLOORS = (-41, -38)


def texts() -> list[str]:
    """Calibration texts only (the turn bench's measured set stays unseen)."""
    whole = [f"{a} {b}" for _, a, b in UNFINISHED[:CALIBRATION]] + list(FINISHED[:CALIBRATION])
    halves = [a for _, a, _ in UNFINISHED[:CALIBRATION]]
    return whole + halves


def clips(limit: int | None):
    lj_clips = sorted(p.stem for p in LJ_DIR.glob("*.wav"))
    sets = {
        "LJ read (real)": lambda: [(lj(c), lj_transcript(c)) for c in lj_clips],
        "Piper read": lambda: [(say(t), t) for t in texts()],
        "Piper casual": lambda: [(spoken_casually(t, i), t) for i, t in enumerate(texts())],
    }
    for name, make in sets.items():
        items = make()
        for floor in FLOORS:
            for k, (speech, ref) in enumerate(items[:limit]):
                rec = build([0.3, speech, 0.3], seed=k, floor_dbfs=floor, kind=NOISE_KINDS[k % len(NOISE_KINDS)])
                yield name, floor, rec.audio, ref


def timing_differences(full, short) -> list[float]:
    """|start| and |end| differences of the words the two readings share, in ms (a difference
    over 150 ms is printed with its word)."""
    a, b = [" ".join(words(w.text)) for w in full.words], [" ".join(words(w.text)) for w in short.words]
    out = []
    for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
        for i in range(block.size):
            wf, ws = full.words[block.a + i], short.words[block.b + i]
            out += [abs(wf.start_s - ws.start_s) * 1000, abs(wf.end_s - ws.end_s) * 1000]
            if max(out[-2:]) > 150:
                print(f"  timing: {wf.text!r} full {wf.start_s:.2f}–{wf.end_s:.2f} s, sized {ws.start_s:.2f}–{ws.end_s:.2f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="at most N clips per set and floor")
    parser.add_argument("--margin", type=float, default=None, help="silence after the audio in the sized window (s)")
    parser.add_argument("--set", default=None, help="only the sets whose name contains this")
    args = parser.parse_args()
    if args.margin is not None:
        import voice.stt

        voice.stt.WINDOW_MARGIN_S = args.margin
    stt = Transcriber()
    stt.transcribe(say("Warming up."))
    groups: dict[tuple[str, int], dict] = {}
    reasons: Counter = Counter()
    for name, floor, audio, ref in clips(args.limit):
        if args.set and args.set not in name:
            continue
        g = groups.setdefault((name, floor), {"n": 0, "ref": 0, "full": 0, "raw": 0, "final": 0, "doubt": 0,
                                              "differ": 0, "dt": [], "cost_full": [], "cost_final": []})
        window = encoder_window_s(len(audio) / SAMPLE_RATE)
        started = time.perf_counter()
        raw, doubt = stt._read(audio, None, window) if window is not None else stt._read(audio, None, None)
        short_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        full, _ = stt._read(audio, None, None)
        full_ms = (time.perf_counter() - started) * 1000
        final = full if doubt else raw
        r = words(ref)
        g["n"] += 1
        g["ref"] += len(r)
        g["full"] += word_errors(r, words(full.text))
        g["raw"] += word_errors(r, words(raw.text))
        g["final"] += word_errors(r, words(final.text))
        g["differ"] += words(final.text) != words(full.text)
        g["dt"] += timing_differences(full, final)
        g["cost_full"].append(full_ms)
        g["cost_final"].append(short_ms + (full_ms if doubt else 0))
        if doubt:
            g["doubt"] += 1
            reasons[doubt.split(":")[0].split(" '")[0]] += 1
            print(f"  doubtful sized reading ({doubt}): {raw.text!r} → full: {full.text!r}", flush=True)
        elif words(raw.text) != words(full.text):
            print(f"  differs: sized {raw.text!r} / full {full.text!r} / script {ref!r}", flush=True)
    total = {k: sum(g[k] for g in groups.values()) for k in ("n", "ref", "full", "raw", "final", "doubt", "differ")}
    total.update({k: [x for g in groups.values() for x in g[k]] for k in ("dt", "cost_full", "cost_final")})
    groups[("all", "")] = total
    rows = []
    for (name, floor), g in groups.items():
        rows.append([name, floor, g["n"], f"{g['full'] / g['ref']:.1%}", f"{g['raw'] / g['ref']:.1%}",
                     f"{g['final'] / g['ref']:.1%}", g["doubt"], g["differ"],
                     f"{percentile(g['dt'], 50):.0f} / {percentile(g['dt'], 95):.0f} / {max(g['dt'], default=0):.0f}",
                     f"{percentile(g['cost_full'], 50):.0f} / {percentile(g['cost_full'], 95):.0f}",
                     f"{percentile(g['cost_final'], 50):.0f} / {percentile(g['cost_final'], 95):.0f}"])
    print(table(["set", "noise dBFS", "clips", "WER full", "WER sized alone", "WER returned", "doubtful → full",
                 "words ≠ full", "timing Δ ms p50/p95/max", "full ms p50/p95", "returned ms p50/p95"], rows))
    print("doubt reasons:", dict(reasons) or "none")


if __name__ == "__main__":
    main()
