"""Trains the semantic safety layer's two logistic heads and writes dialogue/safety_classifier.npz.

    .venv/bin/python bench/safety_train.py            # train on bench/safety_set.tsv, save the weights

The heads are plain L2-regularised logistic regressions (Newton's method, a few lines of numpy:
768 features and four thousand lines need nothing bigger), with balanced class weights, each
score blended half and half with a vote of the 10 most similar development lines (their vectors
ship in the weights file, never their words). The thresholds are chosen from *out-of-fold*
scores on the training lines, so that on lines the heads did not see, at most
`false_alarm_target` of ordinary lines are flagged and at most `over_escalation_target` of concern
lines are called acute. `bench/safety_eval.py` runs this whole procedure inside each
cross-validation fold and each left-out round, so its figures are for lines never trained on.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dialogue.embedding import default_embedder  # noqa: E402
from dialogue.safety_classifier import WEIGHTS, Heads, Neighbours  # noqa: E402

SET = Path(__file__).with_name("safety_set.tsv")
FALSE_ALARM_TARGET = 0.02  # of ordinary lines, out of fold (the rules add their own: leave room under 3%)
OVER_ESCALATION_TARGET = 0.15  # of concern lines rated acute, out of fold
PENALTY = 1.0  # L2 strength on the weights (the embeddings are unit vectors); RECIPE overrides it
SEED = 11
# Score each clause as well as the whole line (see safety_classifier.clause_spans)? Off: it added two points of
# recall in cross-validation, but on two blind rounds (r7, r8: 260 lines) short ordinary clauses ("Nobody has rung me in
# weeks", "pharmacist said just carry on as normal tomorrow") scored as statements of intent and false alarms went from
# 4.2% (whole lines) to 10% for 3 points of recall; `--whole-lines` in bench/safety_eval.py is now the other way round.
CLAUSES = False


@dataclass(frozen=True)
class Recipe:
    """Everything the training procedure chooses besides the data: compared by leave-one-round-out
    evaluation in bench/safety_eval.py (`--loro`), never by random cross-validation, which overstates
    (lines from one writer or round share templates)."""

    penalty: float = PENALTY
    false_alarm_target: float = FALSE_ALARM_TARGET
    over_escalation_target: float = OVER_ESCALATION_TARGET
    positive_weight: float = 1.0  # extra weight on each head's positive class, on top of balanced weights
    floor: float = 0.5  # no threshold below this, whatever the out-of-fold scores allow
    pooling: str = "mean"  # "mean" or "mean+max" (see embedding.embed_spans)
    neighbour_weight: float = 0.0  # share of each score given to a nearest-neighbour vote (0: heads only)
    neighbours: int = 10  # how many nearest development lines vote
    # the acute head alone may call a line acute below the flag threshold, at a threshold where at most this share of
    # all ordinary lines (out of fold, not already flagged) would be called acute by it; 0: off
    acute_alone_false_alarms: float = 0.0
    # the app also reads a long turn sentence by sentence and keeps the highest scores (safety_classifier.sentence_spans);
    # the heads and thresholds are fitted on whole lines
    sentences: bool = False


# Chosen by leave-one-round-out evaluation over blind rounds 6-9, the two session-4 writers and the session-3 fresh
# lines (bench/safety_eval.py --loro; the table of variants is in the README): mean+max pooling, a softer penalty and
# a nearest-neighbour vote each raised recall on rounds left out *and* lowered false alarms there; a looser false-alarm
# allowance (2.5-3%), e5-small, CLS pooling, more positive weight and other vote sizes did not beat it.
# Session 5 (LORO over rounds 6-17, the two writers and the session-3 lines): letting the acute head alone call a line
# acute at 0.5% of ordinary lines raised the classifier's own acute recall on left-out rounds 0.82 -> 0.86 (flagged
# 0.83 -> 0.87) for false alarms 2.1% -> 2.4%; combined with the rules 0.968 -> 0.969 there (the rules were written from
# those rounds, so the classifier column is the held-out one).
# Then 854 ordinary conversation turns joined the ordinary side (4,688 lines): the allowance is a share of all ordinary
# lines, so at 2% it would have let 17 more of the hard ones through (the flag threshold fell 0.744 -> 0.730 and "can i
# take my zopiclone with a drink of water" was flagged). 1.6% keeps the same count (75 of 4,688 ~ 76 of 3,834); LORO
# over rounds 6-19: classifier 0.863 / 0.870 / 0.824 / 2.2% -> 0.849 / 0.856 / 0.807 / 2.0%, combined 0.977 / 0.981 /
# 0.959 / 2.1% -> 0.974 / 0.978 / 0.953 / 1.9%.
# Session 6: a long turn is also read sentence by sentence. Blind round 30 (long voice-journal turns, never trained on,
# measured once on whole lines first) went from 0.925 / 0.925 / 0.857 / 0% to 0.975 / 0.975 / 0.971 / 0% with the same
# weights; round 31 and the held-out conversation turns were unchanged; on the development set's 1,393 turns of 20
# words or more it caught 28 more acute lines and 21 more concern lines and flagged 3 more of 511 ordinary ones.
RECIPE = Recipe(penalty=0.3, pooling="mean+max", neighbour_weight=0.5, neighbours=10, acute_alone_false_alarms=0.005,
                false_alarm_target=0.016, sentences=True)


def load(path: Path = SET) -> list[tuple[str, str, str]]:
    """(level, category, utterance) rows of a labelled TSV; '#' lines are comments."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        level, category, text = line.split("\t", 2)
        rows.append((level, category, text))
    return rows


def embed_all(texts: Sequence[str], embed: Callable[[str], np.ndarray] | None = None,
              pooling: str = RECIPE.pooling) -> np.ndarray:
    """One at a time (see embedding.py: batching pads to the longest line and costs memory);
    the default embedder pooled as the recipe says."""
    if embed is None:
        embedder = default_embedder()
        embed = lambda text: embedder.embed_spans(text, [], pooling)[0]  # noqa: E731
    return np.stack([embed(t) for t in texts]).astype(np.float32)


def embed_lines(texts: Sequence[str], embedder=None, pooling: str = RECIPE.pooling) -> tuple[np.ndarray, list[np.ndarray | None]]:
    """Each line's whole-line vector and its clauses' vectors (None for a one-clause line), from one
    model pass per line, exactly as the app reads it (SafetyClassifier.opinion)."""
    from dialogue.safety_classifier import clause_spans

    embedder = embedder or default_embedder()
    whole, parts = [], []
    for text in texts:
        vectors = embedder.embed_spans(text, clause_spans(text), pooling)
        whole.append(vectors[0])
        parts.append(vectors[1:] if len(vectors) > 1 else None)
    return np.stack(whole).astype(np.float32), parts


def fit_logistic(x: np.ndarray, y: np.ndarray, penalty: float = PENALTY, steps: int = 25,
                 positive_weight: float = 1.0) -> tuple[np.ndarray, float]:
    """Balanced-weight L2 logistic regression by Newton's method; returns (weights, bias)."""
    n, d = x.shape
    positives = max(int(y.sum()), 1)
    sample_w = np.where(y == 1, positive_weight * n / (2 * positives), n / (2 * max(n - positives, 1)))
    design = np.hstack([x, np.ones((n, 1), dtype=x.dtype)]).astype(np.float64)
    beta = np.zeros(d + 1)
    ridge = np.full(d + 1, penalty)
    ridge[-1] = 0.0  # the bias is not shrunk
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-design @ beta))
        gradient = design.T @ (sample_w * (p - y)) + ridge * beta
        hessian = (design * (sample_w * p * (1 - p))[:, None]).T @ design + np.diag(ridge + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-6:
            break
    return beta[:-1].astype(np.float32), float(beta[-1])


def folds(levels: Sequence[str], k: int = 5, seed: int = SEED) -> list[np.ndarray]:
    """Stratified by level: each fold gets its share of acute, concern and none."""
    rng = np.random.default_rng(seed)
    assignment = np.zeros(len(levels), dtype=int)
    for level in sorted(set(levels)):
        idx = np.flatnonzero(np.asarray(levels) == level)
        rng.shuffle(idx)
        assignment[idx] = np.arange(len(idx)) % k
    return [np.flatnonzero(assignment == f) for f in range(k)]


def _raw_heads(x: np.ndarray, levels: np.ndarray, recipe: Recipe = RECIPE) -> tuple[np.ndarray, float, np.ndarray, float]:
    fit = lambda y: fit_logistic(x, y, recipe.penalty, positive_weight=recipe.positive_weight)  # noqa: E731
    flag_w, flag_b = fit((levels != "none").astype(float))
    acute_w, acute_b = fit((levels == "acute").astype(float))
    return flag_w, flag_b, acute_w, acute_b


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def semantic_inputs(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """What the semantic layer reads for each line (idioms cut out, as in the app), and which
    lines it never applies to (crisis words the rules read as negated, quoted or denied): those
    are neither trained nor thresholded on (see safety.assess_layers)."""
    from dialogue.safety import semantic_input

    read = [semantic_input(t) for t in texts]
    return [t if r is None else r for t, r in zip(texts, read)], np.asarray([r is None for r in read])


def max_scores(w: np.ndarray, b: float, x: np.ndarray, parts: Sequence[np.ndarray | None] | None) -> np.ndarray:
    """A head's score for each line: the higher of the whole line and each of its clauses (see
    safety_classifier.clause_spans), so that one crisis clause is not diluted by ordinary ones."""
    whole = _sigmoid(x @ w + b)
    if parts is None:
        return whole
    return np.asarray([max(s, float(_sigmoid(p @ w + b).max())) if p is not None and len(p) else s
                       for s, p in zip(whole, parts)])


def neighbours_for(x: np.ndarray, levels: np.ndarray, recipe: Recipe) -> Neighbours | None:
    """The lines' vectors as the app will hold them (stored as float16) with their levels, or None."""
    if not recipe.neighbour_weight:
        return None
    memory = x.astype(np.float16).astype(np.float32)
    return Neighbours(memory, levels != "none", levels == "acute", recipe.neighbours, recipe.neighbour_weight)


def _threshold_letting_through(scores: np.ndarray, share_of_lines: float, default: float) -> float:
    """Just above the score of the line below the top floor(`share_of_lines`) of `scores`, so that many reach it;
    `default` when there are no more lines than that."""
    allowed = int(np.floor(share_of_lines))
    ordered = np.sort(scores)
    return float(ordered[len(ordered) - allowed - 1]) + 1e-4 if len(ordered) > allowed else default


def train(x: np.ndarray, levels: Sequence[str], model: str, set_aside: np.ndarray | None = None,
          parts: Sequence[np.ndarray | None] | None = None, recipe: Recipe = RECIPE) -> Heads:
    """Heads on (x, levels) less the set-aside lines; thresholds from 5-fold out-of-fold scores.

    The heads learn from whole lines (clauses carry no labels of their own); with `parts` (each
    line's clause vectors, or None) the thresholds are set on the clause-max score the app uses."""
    levels = np.asarray(levels)
    usable = ~set_aside if set_aside is not None else np.ones(len(levels), dtype=bool)
    none_total = int((levels == "none").sum())
    x, levels = x[usable], levels[usable]
    if parts is not None:
        if recipe.neighbour_weight:
            raise ValueError("clause scoring and the neighbour vote are not combined")
        parts = [p for p, keep in zip(parts, usable) if keep]
    oof_flag = np.zeros(len(levels))
    oof_acute = np.zeros(len(levels))
    for held in folds(list(levels), seed=SEED + 1):
        keep = np.setdiff1d(np.arange(len(levels)), held)
        fw, fb, aw, ab = _raw_heads(x[keep], levels[keep], recipe)
        if recipe.neighbour_weight:
            fold = Heads(fw, fb, aw, ab, 0.5, 0.5, model, neighbours=neighbours_for(x[keep], levels[keep], recipe))
            oof_flag[held], oof_acute[held] = fold.scores_many(x[held])
            continue
        held_parts = None if parts is None else [parts[i] for i in held]
        oof_flag[held] = max_scores(fw, fb, x[held], held_parts)
        oof_acute[held] = max_scores(aw, ab, x[held], held_parts)
    # each threshold lets through a share of the lines it must not call (a share of *all* ordinary lines for the two
    # that guard ordinary talk, of concern lines for the acute one)
    flag_threshold = max(_threshold_letting_through(oof_flag[levels == "none"], recipe.false_alarm_target * none_total, 0.5),
                         recipe.floor)
    concern_scores = oof_acute[levels == "concern"]
    acute_threshold = max(_threshold_letting_through(concern_scores, recipe.over_escalation_target * len(concern_scores), 0.5),
                          recipe.floor)
    alone_threshold = float("inf")
    if recipe.acute_alone_false_alarms > 0:
        unflagged = oof_acute[(levels == "none") & (oof_flag < flag_threshold)]
        alone_threshold = _threshold_letting_through(unflagged, recipe.acute_alone_false_alarms * none_total, float("inf"))
        alone_threshold = max(alone_threshold, acute_threshold, recipe.floor)
    fw, fb, aw, ab = _raw_heads(x, levels, recipe)
    return Heads(fw, fb, aw, ab, flag_threshold, acute_threshold, model, clauses=parts is not None, pooling=recipe.pooling,
                 neighbours=neighbours_for(x, levels, recipe), acute_alone_threshold=alone_threshold, sentences=recipe.sentences)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=WEIGHTS, help="where to write the weights")
    args = parser.parse_args()
    rows = load()
    embedder = default_embedder()
    started = time.perf_counter()
    texts, set_aside = semantic_inputs([text for _, _, text in rows])
    if CLAUSES:
        x, parts = embed_lines(texts, embedder, RECIPE.pooling)
    else:
        x, parts = embed_all(texts, pooling=RECIPE.pooling), None
    print(f"embedded {len(rows)} lines in {time.perf_counter() - started:.1f} s with {embedder.name} ({RECIPE.pooling} pooling)")
    heads = train(x, [level for level, _, _ in rows], embedder.name, set_aside, parts, recipe=RECIPE)
    heads.save(args.out)
    print(f"thresholds: flag {heads.flag_threshold:.3f}, acute {heads.acute_threshold:.3f}, acute alone "
          f"{heads.acute_alone_threshold:.3f}; wrote {args.out} "
          f"({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
