"""Train the understanding layer's intent classifier, and measure it honestly.

    python bench/train_intents.py            # 5-fold cross-validation, then train on all and save
    python bench/train_intents.py --holdout  # also score bench/intents_holdout.tsv (measure once)

Cross-validation folds are stratified by intent and seeded, so the figures repeat. Each fold
trains the classifier on four fifths and reads the fifth both ways: the classifier alone, and
the whole reading (rules first, then the classifier), which is what the companion uses.
The saved model is `dialogue/data/intent_model.npz` (a few KB).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import stillpoint  # noqa: E402,F401  (the app's offline settings apply before onnxruntime loads)
from dialogue.embedding import default_embedder  # noqa: E402
from dialogue.understanding import (  # noqa: E402
    INTENTS, MODEL_PATH, RULE_ONLY, Understanding, load_labelled, train_model,
)


class _Cached:
    """The embedder, with the vectors already computed for the labelled lines."""

    def __init__(self, embedder, table: dict[str, np.ndarray]):
        self.embedder, self.table = embedder, table

    def embed(self, text: str) -> np.ndarray:
        return self.table[text] if text in self.table else self.embedder.embed(text)


def folds(labels: list[str], k: int = 5, seed: int = 9) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    assignment = np.zeros(len(labels), dtype=int)
    for intent in sorted(set(labels)):
        idx = np.array([i for i, l in enumerate(labels) if l == intent])
        rng.shuffle(idx)
        assignment[idx] = np.arange(len(idx)) % k
    return [np.where(assignment == f)[0] for f in range(k)]


def report(title: str, gold: list[str], predicted: list[str]) -> float:
    print(f"\n{title}")
    print(f"  {'intent':<12} {'n':>4} {'prec':>6} {'recall':>6} {'F1':>6}")
    f1s = []
    for intent in INTENTS:
        tp = sum(g == p == intent for g, p in zip(gold, predicted))
        n = sum(g == intent for g in gold)
        guessed = sum(p == intent for p in predicted)
        prec = tp / guessed if guessed else 0.0
        rec = tp / n if n else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        f1s.append(f1)
        print(f"  {intent:<12} {n:>4} {prec:>6.2f} {rec:>6.2f} {f1:>6.2f}")
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold)
    print(f"  accuracy {accuracy:.3f}   macro-F1 {np.mean(f1s):.3f}   (n={len(gold)})")
    return accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--holdout", action="store_true", help="also score the held-out lines (once)")
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--cache", type=Path, help="keep the line embeddings in this .npy file between runs")
    args = parser.parse_args()

    rows = load_labelled()
    texts = [t for _, t in rows]
    labels = [i for i, _ in rows]
    print(f"{len(rows)} labelled lines: {dict(Counter(labels))}")
    embedder = default_embedder()
    started = time.perf_counter()
    if args.cache and args.cache.exists() and np.load(args.cache).shape[0] == len(texts):
        vectors = np.load(args.cache)
    else:
        vectors = np.stack([embedder.embed(t) for t in texts])
        if args.cache:
            np.save(args.cache, vectors)
    per = (time.perf_counter() - started) / len(texts) * 1000
    print(f"embedded in {time.perf_counter() - started:.1f} s ({per:.1f} ms a line, one at a time)")
    cached = _Cached(embedder, dict(zip(texts, vectors)))

    gold, clf_only, combined = [], [], []
    for test_idx in folds(labels):
        train_idx = np.setdiff1d(np.arange(len(texts)), test_idx)
        model = train_model(vectors[train_idx], [labels[i] for i in train_idx])
        reader = Understanding(embedder=cached, model=model)
        for i in test_idx:
            gold.append(labels[i])
            probs = model.probabilities(vectors[i])
            clf_only.append(model.labels[int(np.argmax(probs))])
            combined.append(reader.read(texts[i]).intent)
    report("5-fold cross-validation, classifier alone (all intents)", gold, clf_only)
    report("5-fold cross-validation, rules + classifier (what the companion uses)", gold, combined)
    confusions = Counter((g, p) for g, p in zip(gold, combined) if g != p)
    print("  most common confusions:", ", ".join(f"{g}→{p} {n}" for (g, p), n in confusions.most_common(8)))

    model = train_model(vectors, labels)
    if not args.no_save:
        model.save(MODEL_PATH)
        print(f"\nsaved {MODEL_PATH.relative_to(ROOT)} ({MODEL_PATH.stat().st_size} bytes); rule-only intents: "
              f"{', '.join(sorted(RULE_ONLY))}")
    if args.holdout:
        held = [l.split("\t", 1) for l in (ROOT / "bench" / "intents_holdout.tsv").read_text().splitlines()
                if l.strip() and not l.startswith("#")]
        reader = Understanding(embedder=embedder, model=model)
        predicted = [reader.read(t).intent for _, t in held]
        report("held-out lines (spoken style, no punctuation), rules + classifier", [g for g, _ in held], predicted)
        for (g, t), p in zip(held, predicted):
            if g != p:
                print(f"    {g:>10} → {p:<10} {t}")


if __name__ == "__main__":
    main()
