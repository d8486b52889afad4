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

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

from .embedding import SentenceEmbedder, default_embedder

Level = Literal["none", "concern", "acute"]
WEIGHTS = Path(__file__).with_name("safety_classifier.npz")


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
        )

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> "Heads":
        with np.load(path) as data:
            flag_t, acute_t = (float(x) for x in data["thresholds"])
            return cls(
                data["flag_w"].astype(np.float32), float(data["flag_b"]),
                data["acute_w"].astype(np.float32), float(data["acute_b"]),
                flag_t, acute_t, str(data["model"]),
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
        flag, acute = self.heads.scores(self.embedder.embed(text))
        level = self.heads.level(flag, acute)
        reason = {
            "acute": f"semantic layer: close to statements of intent or self-harm (acute score {acute:.2f})",
            "concern": f"semantic layer: close to hopeless or passive-death talk (flag score {flag:.2f})",
            "none": "",
        }[level]
        return ClassifierOpinion(level, round(flag, 3), round(acute, 3), reason)


@lru_cache(maxsize=1)
def default_classifier() -> SafetyClassifier:
    """The shipped weights over the shared embedder, loaded once."""
    return SafetyClassifier()
