"""The semantic safety layer: crisis language in words the rules were never written for.

Each utterance is embedded (see `embedding.py`) and scored by two logistic heads trained on the
project's labelled set (`bench/safety_set.tsv`, trained by `bench/safety_train.py`):
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


def _pieces(text: str, breaks: re.Pattern[str], min_words: int) -> list[tuple[int, int]]:
    """Character spans of the stretches of `text` between `breaks`, trimmed, each of at least `min_words` words."""
    spans, start = [], 0
    for cut in [*breaks.finditer(text), None]:
        end = cut.start() if cut else len(text)
        piece = text[start:end]
        if len(piece.split()) >= min_words:
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + len(piece.rstrip())))
        start = cut.end() if cut else len(text)
    return spans


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the clauses of a line ("I'm fine at work, but I bought a rope and I know
    where" → three), each of at least MIN_CLAUSE_WORDS words; none when the line is one clause.

    Why: an embedding of the whole line averages every word, so a single crisis clause in a long,
    ordinary turn is diluted; scoring each clause too and taking the highest keeps it audible."""
    spans = _pieces(text, _CLAUSE_BREAK, MIN_CLAUSE_WORDS)
    return spans if len(spans) > 1 else []


_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
LONG_TURN_WORDS = 20  # a turn this long is also read sentence by sentence
MIN_SENTENCE_WORDS = 4
RUN_ON_WINDOW, RUN_ON_STEP = 14, 7  # words: how an unpunctuated run-on is cut into overlapping stretches


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of a long turn (or, for a long Whisper run-on with no full stops, of
    overlapping stretches of RUN_ON_WINDOW words); none for a short turn or a single sentence.

    Why: a voice journal turn is often several sentences about the day with one that matters ("Session went fine,
    we did the worksheet. I'm planning to die on Thursday, after my sister's birthday."); the whole turn's embedding
    averages it away (flag 0.12 there, 0.93 for the sentence alone). Each sentence's own tokens are pooled from the
    same single pass, so they are still read in the turn's context: that recovers part of it at no extra cost (a pass
    per sentence recovered more but flagged more long ordinary turns). Sentences, not clauses: clause-level reading
    (clause_spans) heard short ordinary clauses as intent."""
    if len(text.split()) < LONG_TURN_WORDS:
        return []
    spans = _pieces(text, _SENTENCE_END, MIN_SENTENCE_WORDS)
    if len(spans) == 1 and len(text[spans[0][0]:spans[0][1]].split()) > 2 * RUN_ON_WINDOW:
        words = [m.span() for m in re.finditer(r"\S+", text)]
        spans = [(words[i][0], words[min(i + RUN_ON_WINDOW, len(words)) - 1][1])
                 for i in range(0, max(len(words) - RUN_ON_WINDOW, 0) + 1, RUN_ON_STEP)]
    return spans if len(spans) > 1 else []


@dataclass(frozen=True)
class ClassifierOpinion:
    level: Level
    flag_score: float  # probability-like score that this is acute or concern
    acute_score: float  # probability-like score that this is acute
    reason: str = ""


def neighbour_vote(queries: np.ndarray, memory: np.ndarray, flagged: np.ndarray, acute: np.ndarray,
                   k: int) -> tuple[np.ndarray, np.ndarray]:
    """For each query vector, the share of its k most similar development lines that are flagged
    (acute or concern) and that are acute, each neighbour weighted by its cosine similarity to the
    4th power, so that a near-paraphrase counts for far more than a loose likeness."""
    sims = np.atleast_2d(queries) @ memory.T
    k = min(k, memory.shape[0])
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    weights = np.clip(np.take_along_axis(sims, top, axis=1), 0.0, None) ** 4
    total = weights.sum(axis=1) + 1e-9
    return (weights * flagged[top]).sum(axis=1) / total, (weights * acute[top]).sum(axis=1) / total


@dataclass(frozen=True)
class Neighbours:
    """The development lines' vectors (never their words) and levels, for a nearest-neighbour vote
    beside the heads. Why: a linear head draws one boundary through the whole space; a crisis said
    in a way close to a few known lines but far from the average of them ("cleaned the flat so it's
    nice for whoever finds me") is heard by its neighbours. Leave-one-round-out evaluation chose it."""

    vectors: np.ndarray  # unit rows, float32 in memory (float16 on disk)
    flagged: np.ndarray  # bool per row: acute or concern
    acute: np.ndarray  # bool per row
    k: int
    weight: float  # the vote's share of each score; the heads' probability has the rest

    def blend(self, vectors: np.ndarray, flag: np.ndarray, acute: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        vote_flag, vote_acute = neighbour_vote(vectors, self.vectors, self.flagged, self.acute, self.k)
        return ((1 - self.weight) * flag + self.weight * vote_flag, (1 - self.weight) * acute + self.weight * vote_acute)


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
    pooling: str = "mean"  # how the token states become the vector the heads read (embedding.embed_spans)
    neighbours: Neighbours | None = None  # a nearest-neighbour vote blended into both scores
    # the acute head on its own: a line it is this sure of is acute even below the flag threshold (the two heads are
    # trained apart, and calm finality often reads as acute-vs-rest before it reads as crisis-vs-ordinary); inf: off
    acute_alone_threshold: float = float("inf")
    sentences: bool = False  # a long turn is also read sentence by sentence, the highest scores kept (sentence_spans)

    def scores_many(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(flag, acute) scores for each row of `vectors`."""
        vectors = np.atleast_2d(vectors)
        flag = 1.0 / (1.0 + np.exp(-(vectors @ self.flag_w + self.flag_b)))
        acute = 1.0 / (1.0 + np.exp(-(vectors @ self.acute_w + self.acute_b)))
        if self.neighbours is not None:
            flag, acute = self.neighbours.blend(vectors, flag, acute)
        return flag, acute

    def scores(self, vector: np.ndarray) -> tuple[float, float]:
        flag, acute = self.scores_many(vector)
        return float(flag[0]), float(acute[0])

    def level(self, flag: float, acute: float) -> Level:
        if acute >= self.acute_threshold and flag >= self.flag_threshold or acute >= self.acute_alone_threshold:
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
            thresholds=np.asarray([self.flag_threshold, self.acute_threshold, self.acute_alone_threshold], dtype=np.float32),
            model=np.asarray(self.model),
            clauses=np.asarray(self.clauses),
            sentences=np.asarray(self.sentences),
            pooling=np.asarray(self.pooling),
            **({} if self.neighbours is None else {
                "neighbour_vectors": self.neighbours.vectors.astype(np.float16),
                "neighbour_levels": (self.neighbours.flagged.astype(np.int8) + self.neighbours.acute.astype(np.int8)),
                "neighbour_blend": np.asarray([self.neighbours.k, self.neighbours.weight], dtype=np.float32),
            }),
        )

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> "Heads":
        with np.load(path) as data:
            flag_t, acute_t, *alone = (float(x) for x in data["thresholds"])
            neighbours = None
            if "neighbour_vectors" in data.files:
                k, weight = (float(x) for x in data["neighbour_blend"])
                levels = data["neighbour_levels"]  # 0 none, 1 concern, 2 acute
                neighbours = Neighbours(data["neighbour_vectors"].astype(np.float32), levels >= 1, levels == 2, int(k), weight)
            return cls(
                data["flag_w"].astype(np.float32), float(data["flag_b"]),
                data["acute_w"].astype(np.float32), float(data["acute_b"]),
                flag_t, acute_t, str(data["model"]),
                bool(data["clauses"]) if "clauses" in data.files else False,
                str(data["pooling"]) if "pooling" in data.files else "mean",
                neighbours,
                alone[0] if alone else float("inf"),
                bool(data["sentences"]) if "sentences" in data.files else False,
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
        spans = clause_spans(text) if self.heads.clauses else sentence_spans(text) if self.heads.sentences else []
        vectors = self.embedder.embed_spans(text, spans, self.heads.pooling)  # one model pass for the line and its parts
        flags, acutes = self.heads.scores_many(vectors)  # the line and its parts in one product with the vote's memory
        flag, acute = float(flags.max()), float(acutes.max())
        level = self.heads.level(flag, acute)
        top = int(np.argmax(acutes if level == "acute" else flags))  # 0: the whole line; k: part k - 1
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
