"""Turn-end benchmark: are unfinished thoughts left alone, and how soon is a finished one known?

The labelled set (bench/turn_set.py, written for this bench) has unfinished thoughts split where a
person stops to think — before an object, after "and", after a subordinate clause, in a list,
around a comma clause — with a 0.5–2.0 s pause of room noise inside, and finished thoughts
followed by 3 s of room noise. Each is spoken by the bundled Piper voice reading and by the
conversational stand-in (slower, hesitant, quieter, trailing off; see tests/speechkit.py), and
LJ Speech adds real human finished sentences. Room noise varies from -54 to -41 dBFS, white,
pink, brown and hum.

Every silence of every item is judged as the live loop would: Smart Turn on the audio so far,
the early Whisper transcript, SmolLM2 on the words — each computed for real, its measured cost
deciding when (on the audio clock) it would have been ready. The same readings are then played
through the decision (`stillpoint.turn_end`): the fitted combination, sound alone, words alone,
and the fixed 800 ms wait.

Reported per rule: share of unfinished thoughts cut off (a turn ended inside the pause), share of
finished thoughts cut off at an inner pause, when a finished thought is known (ms after its speech
really stopped, p50/p95), and the cost per decision (sound + words; the transcript is the early
one the reply uses anyway). `--calibrate` fits the decision on the calibration items only
(bench/turn_fit.py → stillpoint/turn_end_fit.py): the 20 items of the first session and 160 more
written for it (bench/turn_set.py), disjoint in text from the measured set; `--reuse` replays the
readings saved by the last run.

`--clean-pauses` reads the clean-pause stress set instead (`clean_items`: pauses after "and",
"but", "because", "so", a comma or a preposition, with nothing of the next word in the first half)
and reports its two halves, each voice, and how the early transcript ended at every pause.

    .venv/bin/python bench/turns.py [--limit N] [--calibrate] [--reuse] [--split calibration]
    .venv/bin/python bench/turns.py --clean-pauses [--reuse]   (~2 minutes on 2 shared cores)
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import pickle
import time
from dataclasses import dataclass, replace

import numpy as np

from common import ROOT, build, lj, lj_transcript, percentile, say, table
from speechkit import NOISE_KINDS, spoken_casually, trim
from turn_set import (CALIBRATION, CLEAN_FINISHED, CLEAN_LJ_CUTS, CLEAN_LJ_FINISHED, CLEAN_UNFINISHED, FINISHED,
                      MORE_FINISHED, MORE_UNFINISHED, UNFINISHED)
from stillpoint.turn_end import TurnEndRules, TurnEvidence, decide
from stillpoint.turn_judge import TurnJudge
from voice.events import AudioFrame, SAMPLE_RATE
from voice.turns import TurnSegmenter, TurnSettings
from voice.vad import make_vad

GAPS = [0.5, 0.8, 1.1, 1.4, 1.7, 2.0]
FLOORS = [-54, -46, -41]
STEP_MS = 32


@dataclass
class Item:
    label: str  # unfinished | finished
    kind: str
    voice: str
    text: str
    split: str  # calibration | measured
    audio: np.ndarray
    speech: list  # true (start, end) of each spoken part

    @property
    def true_end(self) -> float:
        return self.speech[-1][1]


def voice_parts(texts, voice: str, seed: int):
    if voice == "read":
        return [say(t) for t in texts]
    return [spoken_casually(t, seed + i) for i, t in enumerate(texts)]


@functools.lru_cache(maxsize=None)
def transcriber(sized_window: bool):
    """One Whisper per window kind, loaded on first use: the items are cut with the full window
    (`sized_window=False`, so they stay as they were whatever the product's window); the product's
    own window reads a first half the way the loop would."""
    from voice.stt import Transcriber

    return Transcriber(sized_window=sized_window)


def frame_energy(x: np.ndarray, size: int, dtype=None) -> np.ndarray:
    """Mean square of each whole frame of `size` samples."""
    return np.square(x[: len(x) // size * size].reshape(-1, size), dtype=dtype).mean(axis=1)


def split_thought(a: str, b: str, voice: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The whole thought spoken in one go, cut where `a` ends (Whisper's word times, halfway between
    the last word of `a` and the first of `b`). Spoken apart, each half would end the way a voice
    ends a sentence — falling, lengthened — and the sound model would rightly hear it as finished;
    a person who stops mid-thought stops mid-melody. The stand-in trails off only at the end."""
    whole = say(f"{a} {b}") if voice == "read" else spoken_casually(f"{a} {b}", seed)
    heard = transcriber(sized_window=False).transcribe(whole).words
    n = len(a.split())
    if len(heard) == len(f"{a} {b}".split()):
        cut = (heard[n - 1].end_s + heard[n].start_s) / 2
    else:  # Whisper split or joined a word: the quietest 20 ms near where `a` ends in proportion
        cut = len(whole) / SAMPLE_RATE * len(a) / len(f"{a} {b}")
        energy = frame_energy(whole, 320)
        lo, hi = max(0, int(cut * 50) - 15), min(len(energy), int(cut * 50) + 15)
        cut = (lo + int(np.argmin(energy[lo:hi]))) * 320 / SAMPLE_RATE + 0.01
    at = round(cut * SAMPLE_RATE)
    return trim(whole[:at]), trim(whole[at:])


def in_room(parts: list, seed: int):
    """`parts` over the bench's room for this seed: its noise floor and colour."""
    return build(parts, seed=seed, floor_dbfs=FLOORS[seed % 3], kind=NOISE_KINDS[seed % 4])


def paused_item(kind: str, a: str, b: str, voice: str, seed: int, split: str, cut=split_thought) -> Item:
    """An unfinished thought: `a`, a pause of the seed's length, `b` (the halves cut by `cut`)."""
    gap = GAPS[seed % len(GAPS)]
    pa, pb = cut(a, b, voice, seed)
    rec = in_room([0.6, pa, gap, pb, 1.5], seed)
    return Item("unfinished", kind, voice, f"{a} [{gap} s] {b}", split, rec.audio, rec.speech)


def finished_item(text: str, voice: str, seed: int, split: str) -> Item:
    """A finished thought followed by silence."""
    (part,) = voice_parts([text], voice, seed)
    rec = in_room([0.6, part, 3.0], seed)
    return Item("finished", "sentence", voice, text, split, rec.audio, rec.speech)


def items(limit: int | None = None):
    """Calibration items first, then the measured ones, unfinished and finished interleaved (so a
    run cut short still has both)."""
    unfinished, finished = [], []
    n = itertools.count()
    for i, (kind, a, b) in enumerate(UNFINISHED[:limit]):
        for voice in ("read", "conversational"):
            unfinished.append(paused_item(kind, a, b, voice, next(n), "calibration" if i < CALIBRATION else "measured"))
    for i, text in enumerate(FINISHED[:limit]):
        for voice in ("read", "conversational"):
            finished.append(finished_item(text, voice, next(n), "calibration" if i < CALIBRATION else "measured"))
    for clip in ("LJ001-0002", "LJ001-0004", "LJ001-0006", "LJ001-0008", "LJ001-0013")[:limit]:
        k = next(n)
        rec = in_room([0.6, lj(clip), 3.0], k)
        finished.append(Item("finished", "sentence", "LJ Speech", clip, "measured", rec.audio, rec.speech))
    measured_texts = {t for _, a, b in UNFINISHED[CALIBRATION:] for t in (a, b)} | set(FINISHED[CALIBRATION:])
    k = itertools.count(10_000)  # own seeds: the items above (and so the measured set) stay exactly as they were
    for kind, a, b in MORE_UNFINISHED[:limit]:
        assert a not in measured_texts and b not in measured_texts, (a, b)
        for voice in ("read", "conversational"):
            unfinished.append(paused_item(kind, a, b, voice, next(k), "calibration"))
    for text in MORE_FINISHED[:limit]:
        assert text not in measured_texts, text
        for voice in ("read", "conversational"):
            finished.append(finished_item(text, voice, next(k), "calibration"))
    ordered = [it for it in unfinished + finished if it.split == "calibration"]
    rest_u = [it for it in unfinished if it.split == "measured"]
    rest_f = [it for it in finished if it.split == "measured"]
    for pair in itertools.zip_longest(rest_u, rest_f):
        ordered += [it for it in pair if it is not None]
    return ordered


CLEAN_HALVES = ("clean-fit", "clean-held-out")


def quiet_runs(x: np.ndarray, below_dbfs: float = -50.0, least_s: float = 0.1) -> list[tuple[int, int]]:
    """(start, end) samples of the stretches of 10 ms frames below `below_dbfs`, at least `least_s` long."""
    quiet = 10 * np.log10(frame_energy(x, 160, np.float64) + 1e-12) < below_dbfs
    runs, start = [], None
    for i, q in enumerate(np.append(quiet, False)):
        if q and start is None:
            start = i
        elif not q and start is not None:
            if (i - start) * 0.01 >= least_s:
                runs.append((start * 160, i * 160))
            start = None
    return runs


def clean_split(a: str, b: str, voice: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The thought spoken in one go with a comma where the person stops ("…ran late and, I missed…"),
    so Piper ends the word before the pause cleanly, on a melody that goes on, and leaves a silence;
    cut in that silence. Unlike `split_thought`'s cut at the word boundary, nothing of the next
    word's first sound is left in the first half — as when a person stops after "and" to think."""
    text = f"{a} {b}" if a.rstrip().endswith(",") else f"{a}, {b}"
    whole = say(text) if voice == "read" else spoken_casually(text, seed)
    expected = len(whole) * len(a) / len(text)
    # the comma's pause (~0.3 s), not a stop consonant's closure inside a word (~0.1 s)
    runs = [r for r in quiet_runs(whole, least_s=0.2) if 0 < r[0] and r[1] < len(whole)]
    start, end = min(runs, key=lambda r: abs((r[0] + r[1]) / 2 - expected))
    return trim(whole[: start + 160]), trim(whole[end - 160 :])


def clean_lj_split(clip: str, before: str) -> tuple[np.ndarray, np.ndarray] | None:
    """A real LJ Speech clip cut after the words `before`, so the first half ends on its own last
    word: at the quietest 10 ms between the last of them and the next (Whisper's word times, full
    window), with 15 ms fades. Read speech runs on between words, so the cut is checked by ear's
    proxy: the first half alone, in room noise, is transcribed, and while that transcript holds the
    next word's first sound ("…of the…") the cut moves 20 ms earlier, up to 160 ms. None: no clean
    cut there (the item is left out, and said so)."""
    from turn_transcript import ending

    audio = lj(clip)
    heard = transcriber(sized_window=False).transcribe(audio).words
    n = len(before.split())
    assert len(heard) == len(lj_transcript(clip).split()), (clip, [w.text for w in heard])
    lo, hi = int((heard[n - 1].end_s - 0.05) * 100), int((heard[n].start_s + 0.05) * 100)
    energy = frame_energy(audio, 160)
    quietest = (lo + int(np.argmin(energy[lo:hi]))) * 160 + 80
    fade = np.linspace(1.0, 0.0, 240, dtype=np.float32)
    for at in range(quietest, quietest - 2561, -320):
        first, second = audio[:at].copy(), audio[at:].copy()
        first[-240:] *= fade
        second[:240] *= fade[::-1]
        alone = build([0.3, first, 1.0], seed=at, floor_dbfs=-46, kind="pink").audio
        if ending(transcriber(sized_window=True).transcribe(alone).text, before) != "next word's first sound heard":
            return trim(first, level=0.03), trim(second, level=0.03)
    return None


def clean_items() -> list[Item]:
    """The clean-pause stress set (bench/turn_set.py's CLEAN_* lists), in two halves by sentence:
    `clean-fit` (may calibrate) and `clean-held-out` (measured once). Own seeds."""
    known = {t for _, a, b in UNFINISHED + MORE_UNFINISHED for t in (a, b)} | set(FINISHED) | set(MORE_FINISHED)
    out, k = [], itertools.count(20_000)
    for i, (kind, a, b) in enumerate(CLEAN_UNFINISHED):
        assert a not in known and b not in known, (a, b)
        for voice in ("read", "conversational"):
            out.append(paused_item(kind, a, b, voice, next(k), CLEAN_HALVES[i % 2], cut=clean_split))
    for i, text in enumerate(CLEAN_FINISHED):
        assert text not in known, text
        for voice in ("read", "conversational"):
            out.append(finished_item(text, voice, next(k), CLEAN_HALVES[i % 2]))
    apart = itertools.count(30_000)  # own seeds: the items above stay as they were
    for i, (kind, a, b) in enumerate(CLEAN_UNFINISHED):
        # the hardest case, apart: the first half voiced on its own, as a whole utterance that ends
        # on the conjunction (a falling, final-sounding melody), then the rest voiced on its own
        j = next(apart)
        gap = GAPS[j % len(GAPS)]
        rec = in_room([0.6, say(a.rstrip(",")), gap, say(b), 1.5], j)
        out.append(Item("unfinished", kind, "read, voiced apart", f"{a} [{gap} s] {b}", CLEAN_HALVES[i % 2], rec.audio,
                        rec.speech))
    for i, (clip, before, kind) in enumerate(CLEAN_LJ_CUTS):
        halves = clean_lj_split(clip, before)
        if halves is None:
            print(f"left out, no clean cut: {clip} after {before!r}")
            continue
        pa, pb = halves
        rest = " ".join(lj_transcript(clip).split()[len(before.split()):])
        for room in range(2):
            j = next(k)
            gap, floor, noise = GAPS[j % len(GAPS)], FLOORS[j % 3], NOISE_KINDS[j % 4]
            rec = in_room([0.6, pa, gap, pb, 1.5], j)
            out.append(Item("unfinished", kind, "LJ Speech", f"{before} [{gap} s] {rest} ({clip}, {floor} dBFS {noise})",
                            CLEAN_HALVES[i % 2], rec.audio, rec.speech))
    for i, clip in enumerate(CLEAN_LJ_FINISHED):
        for room in range(4):
            j = next(k)
            floor, noise = FLOORS[j % 3], NOISE_KINDS[j % 4]
            rec = in_room([0.6, lj(clip), 3.0], j)
            out.append(Item("finished", "sentence", "LJ Speech", f"{lj_transcript(clip)} ({clip}, {floor} dBFS {noise})",
                            CLEAN_HALVES[i % 2], rec.audio, rec.speech))
    return out


@dataclass
class Heard:
    """One silence's readings, kept on disk so calibration and reports need not re-run the models."""

    end_s: float  # where the speech stopped (refined), audio clock
    begun_ms: float
    sound: float | None
    words: float | None
    transcript: str | None
    ready_ms: dict
    cost_ms: dict
    resumed_ms: float | None = None  # silence at which the segmenter heard speech again (None: the last)
    clause: float | None = None  # SmolLM2: P(a clause mark comes next), from the same read as `words`
    tail_db: float | None = None  # level of the last 150 ms of speech against the 450 ms before it


class Recorder(TurnJudge):
    """Computes every silence's signals (simulated timing) and never ends a turn itself. Costs are
    CPU time: the bench machine is shared, and its wall clock under load says nothing about the
    product (Whisper's CPU time over its two threads overstates its wall time: conservative)."""

    def __init__(self, **kw):
        super().__init__(TurnEndRules(max_thinking_ms=10**9, unsure_ms=10**9), live=False, **kw)
        self.heard: list[Heard] = []
        self._asked_ms = 0.0

    def begin(self, offer, heard):
        super().begin(offer, heard)
        r = self._reading
        self.heard.append(Heard(offer.end_s, r.begun_ms, r.sound, r.words, r.transcript.text if r.transcript else None,
                                dict(r.ready_ms), dict(r.cost_ms), clause=r.clause,
                                tail_db=tail_fall_db(heard, offer.at_s - offer.end_s)))

    def should_end(self, silence_ms, now_s):
        self._asked_ms = silence_ms
        return False

    def cancel(self):
        if self._reading is not None and self.heard:
            self.heard[-1].resumed_ms = self._asked_ms
        super().cancel()


def tail_fall_db(heard: np.ndarray, silence_s: float) -> float:
    """How far the voice dropped at the end: the last 150 ms of speech against the 450 ms before."""
    end = len(heard) - round(silence_s * SAMPLE_RATE)
    last, before = heard[max(0, end - 2400) : end], heard[max(0, end - 9600) : max(0, end - 2400)]
    if len(last) == 0 or len(before) == 0:
        return 0.0
    db = lambda x: 10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-12)  # noqa: E731
    return float(db(last) - db(before))


def read_item(item: Item, judge: Recorder) -> list[Heard]:
    """The readings of every silence in the item's turn."""
    judge.heard = []
    seg = TurnSegmenter(make_vad("silero"), TurnSettings(end_of_turn_ms=10**8, max_turn_s=600), judge=judge)
    for i in range(0, len(item.audio), 1600):
        seg.process(AudioFrame(item.audio[i : i + 1600], i / SAMPLE_RATE))
    return judge.heard


def evidence_at(r: Heard, silence_ms: float, use_sound=True, use_words=True) -> TurnEvidence:
    ready = lambda name: silence_ms >= r.ready_ms.get(name, float("inf"))  # noqa: E731
    words_used = use_words and "words" in r.ready_ms
    return TurnEvidence(
        silence_ms,
        sound=r.sound if use_sound and ready("sound") else None,
        words=r.words if words_used and ready("words") else None,
        transcript=(r.transcript if ready("transcript") else None) if use_words else None,
        words_pending=words_used and not ready("words"),
        clause=getattr(r, "clause", None) if words_used and ready("words") else None,
    )


def ends_at(r: Heard, rules: TurnEndRules, limit_ms: float, decider=None, **use) -> float | None:
    """The silence (ms, from the refined speech end) at which the rules end the turn, if before `limit_ms`."""
    decider = decider or (lambda e, rules: decide(e, rules).end)
    t = r.begun_ms
    while t < limit_ms:
        if decider(evidence_at(r, t, **use), rules):
            return t
        t += STEP_MS
    return None


def outcome(readings: list[Heard], true_end: float, policy) -> tuple[bool, float | None]:
    """(cut off at an inner pause, ms after the true end of speech at which the turn was known)."""
    for r in readings:
        if r.resumed_ms is not None:
            if policy(r, r.resumed_ms + 1) is not None:
                return True, None
        else:
            t = policy(r, 10_000)
            if t is not None:
                return False, (r.end_s + t / 1000 - true_end) * 1000
    return False, None


def previous_decide(e: TurnEvidence, rules: TurnEndRules) -> bool:
    """The first session's hand-set rules (sound ≥ 0.3 and words ≥ 0.02 agree; sound ≥ 0.99 alone;
    disagreeing signals wait 2.5 s), kept here only to compare against."""
    from stillpoint.turn_end import hangs

    if e.silence_ms >= rules.max_thinking_ms:
        return True
    if e.silence_ms < rules.earliest_ms or hangs(e.transcript):
        return False
    if e.sound is not None and e.words is not None:
        sound_done, words_done = e.sound >= 0.3, e.words >= 0.02
        return (sound_done and words_done) or (sound_done != words_done and e.silence_ms >= 2500)
    if e.sound is not None and e.sound >= 0.99:
        return True
    if e.words_pending:
        return False
    if e.sound is None and e.words is None:
        return e.silence_ms >= rules.unsure_ms
    if e.words is not None and e.words >= 0.15:
        return True
    if (e.sound is not None and e.sound < 0.3) or (e.words is not None and e.words < 0.02):
        return False
    return e.silence_ms >= rules.unsure_ms


def policies(rules: TurnEndRules, other: tuple[str, TurnEndRules] | None = None):
    only = lambda *names: replace(rules, models={n: m for n, m in rules.models.items() if n in names})  # noqa: E731
    extra = {}
    if other is not None:
        extra[other[0]] = lambda r, lim: ends_at(r, other[1], lim)
    return {
        "sound + words + trailing-off (fitted, default)": lambda r, lim: ends_at(r, rules, lim),
        **extra,
        "previous hand-set rules (session 1)": lambda r, lim: ends_at(r, rules, lim, decider=previous_decide),
        "sound alone (Smart Turn, fitted)": lambda r, lim: ends_at(r, only("sound"), lim, use_words=False),
        "words alone (SmolLM2 + trailing-off, fitted)": lambda r, lim: ends_at(r, only("words"), lim, use_sound=False),
        "fixed 800 ms wait": lambda r, lim: (max(800.0, r.begun_ms) if max(800.0, r.begun_ms) < lim else None),
    }


def report(results, rules, split: str | tuple[str, ...], other=None):
    rows = []
    splits = (split,) if isinstance(split, str) else split
    chosen = [(item, readings) for item, readings in results if item.split in splits]
    for name, policy in policies(rules, other).items():
        unfinished = [outcome(rd, it.true_end, policy) for it, rd in chosen if it.label == "unfinished"]
        finished = [outcome(rd, it.true_end, policy) for it, rd in chosen if it.label == "finished"]
        known = [k for cut, k in finished if not cut and k is not None]
        rows.append([name, len(unfinished), sum(c for c, _ in unfinished) / max(1, len(unfinished)), len(finished),
                     sum(c for c, _ in finished) / max(1, len(finished)), round(percentile(known, 50)),
                     round(percentile(known, 95))])
    return rows


def pause_reading(item: Item, readings: list[Heard]) -> Heard | None:
    """The reading of the silence at the pause inside an unfinished thought."""
    inner = [r for r in readings if r.resumed_ms is not None]
    return min(inner, key=lambda r: abs(r.end_s - item.speech[0][1])) if inner else None


def clean_report(results, path: str) -> None:
    """The shipped decision (and the others) on the clean-pause stress set, per half and together;
    how the early transcript ended at each pause, and what it said where a turn was cut off."""
    from turn_transcript import ending, looks_open

    headers = ["rule", "unfinished", "cut off", "finished", "cut at an inner pause", "known p50 ms", "known p95 ms"]
    out = {"headers": headers}
    for name, splits in (("clean-fit", ("clean-fit",)), ("clean-held-out", ("clean-held-out",)), ("both halves", CLEAN_HALVES)):
        out[name] = report(results, TurnEndRules(), splits)
        print(f"\n{name}:")
        print(table(headers, out[name]))
    default = policies(TurnEndRules())["sound + words + trailing-off (fitted, default)"]
    fixed = policies(TurnEndRules())["fixed 800 ms wait"]
    voices = sorted({it.voice for it, _ in results})
    by_voice = []
    for voice in voices:
        unf = [(it, rd) for it, rd in results if it.voice == voice and it.label == "unfinished"]
        fin = [outcome(rd, it.true_end, default) for it, rd in results if it.voice == voice and it.label == "finished"]
        known = [k for c, k in fin if not c and k is not None]
        by_voice.append([voice, len(unf), sum(outcome(rd, it.true_end, default)[0] for it, rd in unf),
                         sum(outcome(rd, it.true_end, fixed)[0] for it, rd in unf), len(fin),
                         round(percentile(known, 50)) if known else "", round(percentile(known, 95)) if known else ""])
    print("\nper voice, both halves (the shipped decision; the fixed 800 ms wait's cut-offs beside it):")
    print(table(["voice", "unfinished", "cut off", "cut off, fixed 800 ms", "finished", "known p50 ms", "known p95 ms"],
                by_voice))
    out["by_voice"] = by_voice
    kinds = ["as spoken", "last word(s) lost", "next word's first sound heard", "misheard"]
    counts, rows = {}, []
    for item, readings in results:
        if item.label != "unfinished":
            continue
        r = pause_reading(item, readings)
        said = item.text.split(" [")[0]
        how = ending(r.transcript if r else None, said)
        reads_finished = bool(r and r.transcript and r.transcript.rstrip().endswith((".", "!", "?"))
                              and not looks_open(r.transcript))
        cut = outcome(readings, item.true_end, default)[0]
        c = counts.setdefault((item.kind, item.voice),
                              {**dict.fromkeys(kinds + ["reads finished", "cut"], 0), "sound": [], "words": []})
        c["sound"] += [r.sound] if r and r.sound is not None else []
        c["words"] += [r.words] if r and r.words is not None else []
        c[how] += 1
        c["reads finished"] += reads_finished
        c["cut"] += cut
        rows.append(dict(text=item.text, voice=item.voice, split=item.split, heard=r.transcript if r else None,
                         ending=how, sound=r.sound if r else None, words=r.words if r else None, cut=cut))
    median = lambda v: round(float(np.median(v)), 2) if v else ""  # noqa: E731
    table_rows = [[f"{kind} ({voice})", sum(c[k] for k in kinds), *[c[k] for k in kinds],
                   c["reads finished"], c["cut"], median(c["sound"]), median(c["words"])]
                  for (kind, voice), c in sorted(counts.items())]
    every = lambda key: [v for c in counts.values() for v in c[key]]  # noqa: E731
    table_rows.append(["all", *[sum(r[i] for r in table_rows) for i in range(1, 8)], median(every("sound")),
                       median(every("words"))])
    print("\nThe early transcript at each pause (how it ends against the words said; 'reads finished': ends . ? ! "
          "on a word that does not lead on):")
    print(table(["kind", "pauses", *kinds, "reads finished", "cut off (default)", "Smart Turn median",
                 "SmolLM2 P(end) median"], table_rows))
    # a pause as long as the thinking wait: would the shipped decision have ended the turn anywhere in it?
    rules = TurnEndRules()
    pauses = [(item, pause_reading(item, rd)) for item, rd in results if item.label == "unfinished"]
    longer = [item.text for item, r in pauses if r is not None and ends_at(r, rules, rules.max_thinking_ms - 1) is not None]
    print(f"\nhad every pause lasted the whole thinking wait ({rules.max_thinking_ms} ms), cut off: {len(longer)} of "
          f"{len(pauses)} {longer}")
    out["cut_if_pauses_lasted_the_thinking_wait"] = [len(longer), len(pauses), longer]
    for row in rows:
        if row["cut"] or row["ending"] != "as spoken":
            print(("CUT " if row["cut"] else "    ") + f"{row['voice']:<14} {row['text'][:70]!r} -> {row['heard']!r} "
                  f"(sound {row['sound'] or 0:.2f}, words {row['words'] or 0:.2f})")
    out.update(endings=table_rows, pauses=rows)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N of each list (while developing)")
    parser.add_argument("--calibrate", action="store_true", help="fit the decision on the calibration items")
    parser.add_argument("--margin", type=float, default=300.0, help="calibration: count a cut-off when a pause this "
                        "much longer would have been cut (ms)")
    parser.add_argument("--budget", type=float, default=0.04, help="calibration: the share of items that may be "
                        "cut off (with the margin) in exchange for knowing finished thoughts sooner")
    parser.add_argument("--split", choices=["measured", "calibration"], default="measured")
    parser.add_argument("--clean-pauses", action="store_true", help="the clean-pause stress set instead (pauses "
                        "after 'and', 'but', 'because', 'so', a comma or a preposition with nothing of the next word "
                        "in them); reports its two halves and what the early transcript said at each pause")
    parser.add_argument("--reuse", action="store_true", help="use the readings saved by the last run")
    parser.add_argument("--json", type=str, default=str(ROOT / "bench" / "out" / "turns.json"))
    args = parser.parse_args()

    cache = ROOT / "bench" / "out" / ("turn_readings_clean.pkl" if args.clean_pauses else "turn_readings.pkl")
    cache.parent.mkdir(exist_ok=True)
    saved = {}
    if cache.exists():
        with open(cache, "rb") as f:
            saved = pickle.load(f)
    if args.reuse and any(isinstance(v, list) for v in saved.values()):  # saved by an older run: add the items' labels
        saved = {(it.label, it.voice, it.text): (it.kind, it.split, it.speech, saved[(it.label, it.voice, it.text)])
                 for it in items(args.limit) if (it.label, it.voice, it.text) in saved}
        with open(cache, "wb") as f:
            pickle.dump(saved, f)
    if args.reuse:  # no audio needed: the items' labels and true ends were saved with their readings
        results = [(Item(label, kind, voice, text, split, np.zeros(0, np.float32), speech), rd)
                   for (label, voice, text), (kind, split, speech, rd) in saved.items()]
        print(f"{len(results)} items read earlier")
    else:
        all_items = clean_items() if args.clean_pauses else list(items(args.limit))
        from dialogue.completion import CompletionModel
        from voice.smart_turn import SmartTurn
        from voice.stt import Transcriber

        sound, words, stt = SmartTurn(), CompletionModel(), Transcriber()
        judge = Recorder(sound=sound.probability, transcribe=stt.transcribe, words=words.scores)
        results, started = [], time.perf_counter()
        for n, item in enumerate(all_items, 1):
            results.append((item, read_item(item, judge)))
            saved[(item.label, item.voice, item.text)] = (item.kind, item.split, item.speech, results[-1][1])
            with open(cache, "wb") as f:  # after every item: a run cut short keeps what it read
                pickle.dump(saved, f)
            print(f"\r{n}/{len(all_items)} items read ({time.perf_counter() - started:.0f} s)", end="", flush=True)
        print()
    if args.clean_pauses:
        clean_report(results, args.json.replace("turns.json", "turns_clean.json"))
        return
    if args.calibrate:
        from turn_fit import calibrate_best

        calibrate_best([(it, rd) for it, rd in results if it.split == "calibration"], margin_ms=args.margin,
                  budget=args.budget, write=ROOT / "stillpoint" / "turn_end_fit.py")
        return
    costs = {k: [r.cost_ms[k] for _, rd in results for r in rd if k in r.cost_ms] for k in ("sound", "transcript", "words")}
    decision = [sum(r.cost_ms.get(k, 0) for k in ("sound", "words")) for _, rd in results for r in rd]
    headers = ["rule", "unfinished", "cut off", "finished", "cut at an inner pause", "known p50 ms", "known p95 ms"]
    # the other way of reading Smart Turn than the default's (see turn_fit.calibrate_best), side by side
    from stillpoint.turn_end import EndModel
    from turn_fit import calibrate

    default_trusts = TurnEndRules().models["sound"].weights == (1.0,)
    alt, _ = calibrate([(it, rd) for it, rd in results if it.split == "calibration"], margin_ms=args.margin,
                       budget=args.budget, trusted=() if default_trusts else ("sound",))
    other = replace(TurnEndRules(), models={n: EndModel(**spec) for n, spec in alt.items()})
    other_name = "Smart Turn re-weighted on these voices + words (alternative)" if default_trusts else \
        "Smart Turn's own odds + fitted words (alternative)"
    rows = report(results, TurnEndRules(), args.split, (other_name, other))
    n_unf = sum(1 for it, _ in results if it.split == args.split and it.label == "unfinished")
    n_fin = sum(1 for it, _ in results if it.split == args.split and it.label == "finished")
    print(f"{args.split} set: {n_unf} unfinished, {n_fin} finished")
    print(table(headers, rows))
    cost_line = (f"cost per decision (Smart Turn + SmolLM2) p50 {percentile(decision, 50):.0f} ms, p95 {percentile(decision, 95):.0f} ms; "
                 + ", ".join(f"{k} p50 {percentile(v, 50):.0f} ms" for k, v in costs.items()))
    print(cost_line)
    misses = [(it.text, it.voice, [(round(r.sound or 0, 2), round(r.words or 0, 2), r.transcript) for r in rd])
              for it, rd in results if it.split == args.split
              and outcome(rd, it.true_end, policies(TurnEndRules())["sound + words + trailing-off (fitted, default)"])[0]]
    for m in misses:
        print("cut:", m)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    with open(args.json, "w") as f:
        json.dump({"headers": headers, "rows": rows, "costs": cost_line, "cut": misses}, f, indent=1)


if __name__ == "__main__":
    main()
