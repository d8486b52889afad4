"""The semantic safety layer: crisis language in words the rules were never written for.

Each utterance is embedded (see `embedding.py`) and scored by two logistic heads trained on the
project's labelled set (`bench/safety_set.tsv`, trained by `scripts/train_safety_classifier.py`):
`flag` (acute or concern vs ordinary talk) and `acute` (acute vs the rest). The weights are a few
KB in `safety_classifier.npz`, with the thresholds the training script chose by cross-validation.

This layer never lowers what the rules say (see `safety.assess_layers`): it can only raise a
level. It reads meaning, not grammar, so it is weak exactly where the rules are strong (negation,
quotation, tense) and strong where they are weak (new phrasings); together they cover more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

from .embedding import SentenceEmbedder, default_embedder

Level = Literal["none", "concern", "acute"]
WEIGHTS = Path(__file__).with_name("safety_classifier.npz")

# Where a spoken line turns to its next thought: punctuation, or a joining word between spaces
# (Whisper often gives a long run-on with no punctuation at all).
_CLAUSE_BREAK = re.compile(r"[.,!?;:]+|\s(?:and|but|so|because|cos|cause|then|though|or)\s", re.IGNORECASE)
MIN_CLAUSE_WORDS = 3


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the clauses of a line ("I'm fine at work, but I bought a rope and I know
    where" → three), each of at least MIN_CLAUSE_WORDS words; none when the line is one clause.

    Why: an embedding of the whole line averages every word, so a single crisis clause in a long,
    ordinary turn is diluted; scoring each clause too and taking the highest keeps it audible."""
    spans, start = [], 0
    for cut in [*_CLAUSE_BREAK.finditer(text), None]:
        end = cut.start() if cut else len(text)
        piece = text[start:end]
        if len(piece.split()) >= MIN_CLAUSE_WORDS:
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + len(piece.rstrip())))
        start = cut.end() if cut else len(text)
    return spans if len(spans) > 1 else []


@dataclass(frozen=True)
class ClassifierOpinion:
    level: Level
    flag_score: float  # probability-like score that this is acute or concern
    acute_score: float  # probability-like score that this is acute
    reason: str = ""


@dataclass(frozen=True)
class Heads:
    """Two logistic heads over one embedding, with their thresholds."""

    flag_w: np.ndarray
    flag_b: float
    acute_w: np.ndarray
    acute_b: float
    flag_threshold: float
    acute_threshold: float
    model: str
    clauses: bool = False  # score each clause too and take the highest (thresholds were set that way)

    def scores(self, vector: np.ndarray) -> tuple[float, float]:
        flag = 1.0 / (1.0 + np.exp(-(float(vector @ self.flag_w) + self.flag_b)))
        acute = 1.0 / (1.0 + np.exp(-(float(vector @ self.acute_w) + self.acute_b)))
        return float(flag), float(acute)

    def level(self, flag: float, acute: float) -> Level:
        if acute >= self.acute_threshold and flag >= self.flag_threshold:
            return "acute"
        if flag >= self.flag_threshold:
            return "concern"
        return "none"

    def save(self, path: Path) -> None:
        np.savez(
            path,
            flag_w=self.flag_w.astype(np.float32),
            flag_b=np.float32(self.flag_b),
            acute_w=self.acute_w.astype(np.float32),
            acute_b=np.float32(self.acute_b),
            thresholds=np.asarray([self.flag_threshold, self.acute_threshold], dtype=np.float32),
            model=np.asarray(self.model),
            clauses=np.asarray(self.clauses),
        )

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> "Heads":
        with np.load(path) as data:
            flag_t, acute_t = (float(x) for x in data["thresholds"])
            return cls(
                data["flag_w"].astype(np.float32), float(data["flag_b"]),
                data["acute_w"].astype(np.float32), float(data["acute_b"]),
                flag_t, acute_t, str(data["model"]),
                bool(data["clauses"]) if "clauses" in data.files else False,
            )


class SafetyClassifier:
    """Embed one utterance, score it with the trained heads, say which level and why."""

    def __init__(self, heads: Heads | None = None, embedder: SentenceEmbedder | None = None):
        self.heads = heads or Heads.load()
        self.embedder = embedder or default_embedder()
        if self.heads.model != self.embedder.name:
            raise ValueError(f"weights were trained on {self.heads.model}, not {self.embedder.name}")

    def opinion(self, text: str) -> ClassifierOpinion:
        if not text.strip():
            return ClassifierOpinion("none", 0.0, 0.0)
        spans = clause_spans(text) if self.heads.clauses else []
        vectors = self.embedder.embed_spans(text, spans)  # one model pass for the line and its clauses
        scored = [self.heads.scores(v) for v in vectors]
        flag = max(f for f, _ in scored)
        acute = max(a for _, a in scored)
        level = self.heads.level(flag, acute)
        where = ""
        if len(scored) > 1:
            top = max(range(len(scored)), key=lambda i: scored[i][1 if level == "acute" else 0])
            where = f" in \"{text[spans[top - 1][0]:spans[top - 1][1]]}\"" if top else ""
        reason = {
            "acute": f"semantic layer: close to statements of intent or self-harm{where} (acute score {acute:.2f})",
            "concern": f"semantic layer: close to hopeless or passive-death talk{where} (flag score {flag:.2f})",
            "none": "",
        }[level]
        return ClassifierOpinion(level, round(flag, 3), round(acute, 3), reason)


@lru_cache(maxsize=1)
def default_classifier() -> SafetyClassifier:
    """The shipped weights over the shared embedder, loaded once."""
    return SafetyClassifier()
