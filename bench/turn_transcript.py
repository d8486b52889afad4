"""Can the early transcript's words be trusted at a pause? How it ends, and what could tell.

The words signal of the turn-end decision (stillpoint/turn_end.py) reads the early transcript,
made as soon as a silence begins. When that transcript reads as a whole sentence although the
person stopped mid-thought ("The meeting ran late." for "The meeting ran late and"), the words
say "finished" and the turn is cut off. This bench measures, on bench/turns.py's items:

1. how the early transcript at the pause inside an unfinished thought ends, against the known
   words before the pause: as spoken, the last word(s) lost, the next part's first sound heard as
   a word ("about the…" — the items are cut between words at Whisper's rough word times), or
   misheard;
2. signals that might say the words are not to be trusted, each at every silence (the silence
   after a finished thought against a silence the person spoke again after): the stretch of
   speech after Whisper's last word (the VAD's speech end minus the last word's end), Whisper's
   probability of its last word, and Whisper's own belief, given the audio, that the sentence ends
   after these words (log P(. ? !) − log P(, … and -) for the next token, read from the encoder
   output the transcript already made; ~1 ms) — alone (AUC) and added to SmolLM2's reading of
   the words (out-of-fold AUC, 5 folds by text);
3. with `--prompt TEXT`: the same transcripts made with a faster-whisper `initial_prompt` (a
   disfluent, comma-rich one is a known way to make Whisper keep fillers and conjunctions), and how
   often each way's words look open (end in a comma or a word that leads on) after finished
   thoughts and at pauses.

Calibration items only by default: this is for choosing, never for reporting the measured set.

    .venv/bin/python bench/turn_transcript.py [--limit N] [--prompt "Um, so, and then I was, you know, and"]

(~7 minutes on 2 shared cores: building the items, then Whisper twice and SmolLM2 on every silence.)
"""

from __future__ import annotations

import argparse
import json
import re
import time
from dataclasses import dataclass

import numpy as np

from common import ROOT, table, word_errors
from common import words as plain_words
from turn_fit import fit_logistic
from turns import Item, Recorder, items, read_item
from stillpoint.turn_end import TurnEvidence, features, hangs
from dialogue.completion import GOES_ON_MARKS
from voice.events import SAMPLE_RATE

ENDS = (".", "?", "!")
GOES_ON = (",", "...", " and", "-")


def ending(heard: str | None, said: str) -> str:
    """How the transcript at a pause ends against the words really said before it."""
    h, s = plain_words(heard or ""), plain_words(said)
    if h and s and h[-1] == s[-1]:
        return "as spoken"
    if s and s[-1] in h[:-1]:
        return "next word's first sound heard"
    if h and len(h) < len(s) and h[-1] in s[:-1]:
        return "last word(s) lost"
    return "misheard"


def looks_open(text: str | None) -> bool:
    """The words as written lead on: a comma at the end, or a last word like "and"."""
    return hangs(text) or (text or "").rstrip().endswith(GOES_ON_MARKS)


def auc(scores, labels) -> float:
    x, y = np.asarray(scores, float), np.asarray(labels, bool)
    pos, neg = x[y], x[~y]
    return float(np.mean(pos[:, None] > neg[None, :]) + 0.5 * np.mean(pos[:, None] == neg[None, :]))


@dataclass
class Silence:
    item: Item
    resumed: bool
    end_s: float
    text: str | None
    words: float | None
    clause: float | None
    unheard_ms: float | None  # speech after Whisper's last word
    last_p: float | None  # Whisper's probability of its last word
    ends: float | None  # Whisper: log P(sentence ends next) - log P(it goes on)
    prompted: str | None = None


class WhisperProbe:
    """The product's Transcriber, keeping what faster-whisper computed and the product drops: the
    segments' word probabilities and the encoder output (to ask Whisper what comes next)."""

    def __init__(self, prompt: str | None = None):
        from faster_whisper.tokenizer import Tokenizer
        from voice.stt import Transcriber

        self.stt = Transcriber()
        model = self.stt._model
        self.tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en")
        self.prompt = prompt
        self.segments, self.encoded = [], None
        encode, transcribe = model.encode, model.transcribe

        def keep_encoded(features):
            self.encoded = encode(features)
            return self.encoded

        def keep_segments(audio, **kw):
            segments, info = transcribe(audio, **kw)
            return (self.segments.append(s) or s for s in segments), info

        model.encode, model.transcribe = keep_encoded, keep_segments
        self.last: dict = {}

    def transcribe(self, audio: np.ndarray):
        self.segments = []
        transcript = self.stt.transcribe(audio)
        words = [w for s in self.segments for w in (s.words or [])]
        self.last = dict(audio_s=len(audio) / SAMPLE_RATE, last_end_s=words[-1].end if words else None,
                         last_p=words[-1].probability if words else None, ends=self.sentence_ends(transcript.text))
        if self.prompt:
            self.last["prompted"] = self.stt.transcribe(audio, prompt=self.prompt).text
        return transcript

    def sentence_ends(self, text: str) -> float | None:
        """log P(. ? !) − log P(, … and -) for the token after the words (final marks removed)."""
        import ctranslate2

        words = re.sub(r"[\s.,!?…-]+$", "", text)
        if not words or self.encoded is None:
            return None
        tok = self.tokenizer
        head = tok.encode(" " + words)
        endings = [tok.encode(e)[:1] for e in ENDS + GOES_ON]
        encoded = np.array(self.encoded)
        batch = ctranslate2.StorageView.from_array(np.ascontiguousarray(np.repeat(encoded, len(endings), axis=0)))
        results = self.stt._model.model.align(batch, [*tok.sot_sequence, tok.no_timestamps], [head + e for e in endings],
                                              [encoded.shape[1] * 2] * len(endings))
        p = [r.text_token_probs[len(head)] for r in results]
        return float(np.log(sum(p[: len(ENDS)]) + 1e-9) - np.log(sum(p[len(ENDS):]) + 1e-9))


class ProbeRecorder(Recorder):
    """bench/turns.py's recorder (SmolLM2 on the early transcript, no sound model), keeping the
    Whisper probe's readings for each silence."""

    def __init__(self, probe: WhisperProbe, words):
        super().__init__(transcribe=probe.transcribe, words=words)
        self.probe, self.silences, self.item = probe, [], None
        self._heard_at = (0.0, 0.0)

    def prepare(self, end_s, at_s, audio):
        self._heard_at = (end_s, at_s)
        super().prepare(end_s, at_s, audio)

    def begin(self, offer, heard):
        super().begin(offer, heard)
        h, p = self.heard[-1], self.probe.last
        end_s, at_s = self._heard_at
        speech_end = p.get("audio_s", 0.0) - (at_s - end_s)
        unheard = None if p.get("last_end_s") is None else (speech_end - p["last_end_s"]) * 1000
        self.silences.append(Silence(self.item, False, offer.end_s, h.transcript, h.words, h.clause, unheard,
                                     p.get("last_p"), p.get("ends"), p.get("prompted")))

    def cancel(self):
        # (a new item's segmenter cancels too, before it hears anything: not a resumed silence)
        if self._reading is not None and self.silences and self.silences[-1].item is self.item:
            self.silences[-1].resumed = True
        super().cancel()


def read_all(chosen: list[Item], prompt: str | None) -> list[Silence]:
    from dialogue.completion import CompletionModel

    judge = ProbeRecorder(WhisperProbe(prompt), CompletionModel().scores)
    started = time.perf_counter()
    for n, item in enumerate(chosen, 1):
        judge.item = item
        read_item(item, judge)
        print(f"\r{n}/{len(chosen)} items read ({time.perf_counter() - started:.0f} s)", end="", flush=True)
    print()
    return judge.silences


def endings_table(silences: list[Silence]) -> list[list]:
    """At the pause inside each unfinished thought (the silence nearest where its first part ends)."""
    counts: dict[str, dict[str, int]] = {}
    for item in {id(s.item): s.item for s in silences}.values():
        if item.label != "unfinished":
            continue
        inner = [s for s in silences if s.item is item and s.resumed]
        if not inner:
            continue
        pause = min(inner, key=lambda s: abs(s.end_s - item.speech[0][1]))
        row = counts.setdefault(item.kind, {})
        said = item.text.split(" [")[0]
        row[ending(pause.text, said)] = row.get(ending(pause.text, said), 0) + 1
    kinds = ["as spoken", "last word(s) lost", "next word's first sound heard", "misheard"]
    rows = [[kind, sum(c.values()), *[c.get(k, 0) for k in kinds]] for kind, c in sorted(counts.items())]
    rows.append(["all", sum(r[1] for r in rows), *[sum(r[2 + i] for r in rows) for i in range(len(kinds))]])
    return rows


def signals_table(silences: list[Silence]) -> list[list]:
    """Each signal: median after finished thoughts / at resumed pauses, AUC alone, and the
    out-of-fold AUC of SmolLM2's words model with and without it (silences the trailing-off rule
    does not already decide)."""
    usable = [s for s in silences if s.words is not None and not hangs(s.text)]
    finished = np.array([not s.resumed for s in usable])
    texts = sorted({s.item.text for s in usable})
    fold = {t: i % 5 for i, t in enumerate(np.random.default_rng(0).permutation(texts))}
    base = lambda s: features(TurnEvidence(1e4, words=s.words, clause=s.clause, transcript=s.text))  # noqa: E731

    def cv_auc(extra: str | None) -> float:
        x = np.array([[base(s)[n] for n in ("words", "clause", "comma")] + ([getattr(s, extra) or 0.0] if extra else [])
                      for s in usable])
        oof = np.zeros(len(usable))
        for k in range(5):
            train = np.array([fold[s.item.text] != k for s in usable])
            w, b = fit_logistic(x[train], finished[train])
            oof[~train] = x[~train] @ w + b
        return auc(oof, finished)

    rows = [["SmolLM2 words + clause + comma (as shipped)", "", "", "", round(cv_auc(None), 3)]]
    for name, label, sign in (("unheard_ms", "speech after Whisper's last word (ms)", -1),
                              ("last_p", "Whisper's probability of its last word", 1),
                              ("ends", "Whisper: log P(ends) − log P(goes on) after the words", 1)):
        have = [s for s in usable if getattr(s, name) is not None]
        value = lambda group: round(float(np.median([getattr(s, name) for s in have if s.resumed != group])), 2)  # noqa: E731
        alone = auc([sign * getattr(s, name) for s in have], [not s.resumed for s in have])
        rows.append([label, value(True), value(False), round(alone, 3), round(cv_auc(name), 3)])
    return rows


def prompt_table(silences: list[Silence]) -> list[list]:
    """Open-looking endings with and without the prompt, and the word error rate of the whole
    finished thoughts (their text is known) — a prompt must not hurt normal transcripts."""
    groups = {"after a finished thought": [s for s in silences if not s.resumed],
              "at a pause inside a thought": [s for s in silences if s.resumed]}
    whole = [s for s in silences if not s.resumed and s.item.label == "finished"]
    said = sum(len(plain_words(s.item.text)) for s in whole)
    wer = lambda text: sum(word_errors(plain_words(s.item.text), plain_words(text(s) or "")) for s in whole) / max(1, said)  # noqa: E731
    rows = [[name, len(g), sum(looks_open(s.text) for s in g), sum(looks_open(s.prompted) for s in g),
             sum(plain_words(s.text or "") != plain_words(s.prompted or "") for s in g)] for name, g in groups.items()]
    return rows + [[f"WER of the {len(whole)} finished thoughts", said, f"{wer(lambda s: s.text):.1%}",
                    f"{wer(lambda s: s.prompted):.1%}", ""]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N of each list (while developing)")
    parser.add_argument("--prompt", default=None, help="also transcribe with this initial_prompt and compare")
    parser.add_argument("--json", default=str(ROOT / "bench" / "out" / "turn_transcript.json"))
    args = parser.parse_args()

    chosen = [it for it in items(args.limit) if it.split == "calibration"]
    silences = read_all(chosen, args.prompt)
    out = {}
    headers = ["kind", "pauses", "as spoken", "last word(s) lost", "next word's first sound heard", "misheard"]
    out["endings"] = endings_table(silences)
    print("How the early transcript ends at the pause inside an unfinished thought (calibration items):")
    print(table(headers, out["endings"]))
    out["signals"] = signals_table(silences)
    print("\nWhat might say the words are not to be trusted (after finished thoughts vs at resumed pauses):")
    print(table(["signal", "median finished", "median resumed", "AUC alone", "AUC added to the words"], out["signals"]))
    if args.prompt:
        out["prompt"] = [args.prompt, prompt_table(silences)]
        print(f"\nWith initial_prompt {args.prompt!r}: transcripts that look open (comma, or a word that leads on)")
        print(table(["silence", "n", "open, default", "open, prompted", "words changed"], out["prompt"][1]))
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
