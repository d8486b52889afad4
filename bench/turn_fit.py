"""Fits the turn-end decision (stillpoint/turn_end.py) on bench/turns.py's calibration items.

Three logistic regressions — sound and words, the sound alone (while the words are being read),
the words alone (no sound model) — give P(the thought is finished) for each silence; then the
thresholds each must clear (falling linearly from the earliest moment to the longest thinking
pause), and the least silence at which each may end a turn, are chosen on out-of-fold probabilities (5 folds, an item's two voices in the same fold),
so the thresholds are not tuned on probabilities the model was fitted to. Choice: the soonest
finished thoughts (p50 + p95 / 4) among the schedules that cut off at most `budget` of the items,
counting a cut whenever the turn would have ended before the pause was `margin_ms` longer than it
was (pauses longer than `max_thinking_ms` are cut whatever is chosen, so they are not counted).
On this bench the trade-off is steep — no cut-off at all costs every finished thought the whole
thinking wait — so the budget is a stated choice (4%), printed beside the alternatives.

The result is written to stillpoint/turn_end_fit.py (generated; never edited by hand).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stillpoint.turn_end import TurnEndRules, TurnEvidence, features, hangs

STAGES = {"both": ("sound", "words", "clause", "comma"), "sound": ("sound",), "words": ("words", "clause", "comma")}
# Each signal's meaning is known beforehand: Smart Turn and P(end) say "finished" when high, a
# likely comma or Whisper's comma say "goes on". A fit that gives one the other sign has learned
# something about this bench's voices, not about people: that signal is left out (weight 0).
SIGNS = {"sound": 1, "words": 1, "clause": -1, "comma": -1}
STEP_MS = 32


def evidence(r, *, sound=True, words=True) -> TurnEvidence:
    """Everything read in this silence (what the models see once every signal is ready)."""
    return TurnEvidence(10_000, sound=r.sound if sound else None, words=r.words if words else None,
                        transcript=r.transcript if words else None, clause=getattr(r, "clause", None) if words else None)


def vector(r, names, **use) -> np.ndarray | None:
    f = features(evidence(r, **use))
    return np.array([f[n] for n in names]) if set(names) <= set(f) else None


def fit_signed(x: np.ndarray, y: np.ndarray, names, trusted: tuple[str, ...] = ()) -> tuple[np.ndarray, float]:
    """`fit_logistic`, leaving out (weight 0) any signal whose weight comes out with the wrong sign.
    A `trusted` signal is not fitted: its log-odds are added as they are (weight 1), as a model that
    gives calibrated probabilities of its own should be read."""
    fixed = [k for k, n in enumerate(names) if n in trusted]
    offset = x[:, fixed].sum(axis=1) if fixed else np.zeros(len(x))
    keep = [k for k in range(len(names)) if k not in fixed]
    while True:
        w, b = fit_logistic(x[:, keep], y, offset=offset)
        wrong = [k for k, v in zip(keep, w) if v * SIGNS[names[k]] < 0]
        if not wrong:
            full = np.zeros(len(names))
            full[keep] = w
            full[fixed] = 1.0
            return full, b
        keep = [k for k in keep if k not in wrong]


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50,
                 offset: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Weights and bias by Newton's method with an L2 penalty on the weights (not the bias)."""
    n, d = x.shape
    a = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    offset = np.zeros(n) if offset is None else offset
    penalty = np.diag([l2] * d + [0.0])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(a @ w + offset, -30, 30)))
        grad = a.T @ (p - y) + penalty @ w
        hess = a.T @ (a * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def label(r) -> int:
    """1: the silence after a finished thought (the item's last); 0: speech came again."""
    return int(r.resumed_ms is None)


def training_rows(results, stage: str):
    names = STAGES[stage]
    use = dict(sound=stage != "words", words=stage != "sound")
    rows = []
    for group, (item, readings) in enumerate(results):
        for r in readings:
            if stage != "sound" and hangs(r.transcript):
                continue  # trailing-off decides these, whatever the models say
            v = vector(r, names, **use)
            if v is not None:
                rows.append((item.text, v, label(r), r))
    return rows


def fit_stage(results, stage: str, folds: int = 5, trusted: tuple[str, ...] = ()):
    """(weights, bias) on all rows, and each reading's out-of-fold probability."""
    rows = training_rows(results, stage)
    texts = sorted({t for t, *_ in rows})
    fold_of = {t: i % folds for i, t in enumerate(np.random.default_rng(0).permutation(texts))}
    x = np.array([v for _, v, _, _ in rows])
    y = np.array([lab for _, _, lab, _ in rows], float)
    oof = {}
    for k in range(folds):
        train = np.array([fold_of[t] != k for t, *_ in rows])
        w, b = fit_signed(x[train], y[train], STAGES[stage], trusted)
        for (t, v, _, r) in (row for row, keep in zip(rows, train) if not keep):
            oof[id(r)] = float(1 / (1 + np.exp(-(v @ w + b))))
    w, b = fit_signed(x, y, STAGES[stage], trusted)
    return w, b, oof


def _inverse(p: float, first: float, last: float, rules: TurnEndRules) -> float:
    """The silence at which a falling threshold reaches `p` (inf: never before the longest wait)."""
    if p >= first:
        return rules.earliest_ms
    if p < last:
        return float("inf")
    return rules.earliest_ms + (first - p) / (first - last) * (rules.max_thinking_ms - rules.earliest_ms)


def _on_grid(t: float, begun: float) -> float:
    return begun + np.ceil(max(0.0, t - begun) / STEP_MS) * STEP_MS


FIRSTS = [0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.96, 0.98, 0.99, 0.995, 1.01]
NOT_BEFORE = [0, 300, 400, 500, 600, 700, 850]  # the least silence at which the words may end a turn
LASTS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]


def _stage_ends(results, probs, stage, rules):
    """Per reading, per (first, last): when this stage alone would end the silence (inf: never).
    The sound alone gets a flat threshold: it may end a turn before the words are read only when it
    is sure, never because the words are late (a busy machine must not end turns on a timer)."""
    # strictest first, so that where the choice makes no difference (the words are read before the
    # sound) the sound alone is held to the highest bar
    pairs = [(f, f, 0) for f in reversed(FIRSTS)] if stage == "sound" else \
        [(f, l, h) for f in FIRSTS for l in LASTS if l <= f for h in NOT_BEFORE]
    out = np.full((sum(len(rd) for _, rd in results), len(pairs)), np.inf)
    i = 0
    for _, readings in results:
        for r in readings:
            p = probs.get((stage, id(r)))
            ready, begun = r.ready_ms, r.begun_ms
            words_at = ready.get("words", np.inf) if r.words is not None else np.inf
            hang_at = ready.get("transcript", np.inf) if hangs(r.transcript) else np.inf
            if p is not None:
                for j, (f, l, h) in enumerate(pairs):
                    if stage == "sound" and "sound" in ready:
                        t = _on_grid(max(begun, rules.earliest_ms, ready["sound"], _inverse(p, f, l, rules)), begun)
                        out[i, j] = t if t < min(words_at, hang_at) else np.inf
                    elif stage == "both" and hang_at == np.inf and words_at < np.inf:
                        out[i, j] = _on_grid(max(words_at, rules.earliest_ms, h, _inverse(p, f, l, rules)), begun)
            i += 1
    return pairs, out


def frontier(results, probs, rules, margin_ms: float):
    """Every (sound, both) schedule's cut-offs and finished-thought timing, computed at once."""
    pairs_s, ends_s = _stage_ends(results, probs, "sound", rules)
    pairs_b, ends_b = _stage_ends(results, probs, "both", rules)
    flat = [(item, r) for item, rd in results for r in rd]
    limit = np.array([_on_grid(rules.max_thinking_ms, r.begun_ms) for _, r in flat])
    end = np.minimum(np.minimum(ends_s[:, :, None], ends_b[:, None, :]), limit[:, None, None])  # reading × s × b
    resumed = np.array([np.inf if r.resumed_ms is None else r.resumed_ms + margin_ms for _, r in flat])
    cut = (end < limit[:, None, None]) & (end <= resumed[:, None, None]) & np.isfinite(resumed)[:, None, None]
    item_of = np.array([k for k, (_, rd) in enumerate(results) for _ in rd])
    item_cut = np.zeros((len(results),) + end.shape[1:], bool)
    np.logical_or.at(item_cut, item_of, cut)
    known = np.full(item_cut.shape, np.nan)
    for k, (_, r) in enumerate(flat):
        if r.resumed_ms is None:
            item = results[item_of[k]][0]
            known[item_of[k]] = (r.end_s + end[k] / 1000 - item.true_end) * 1000
    finished = np.array([it.label == "finished" for it, _ in results])
    cuts = item_cut.sum(axis=0)
    kf = np.where(item_cut[finished], np.nan, known[finished])
    with np.errstate(all="ignore"):
        import warnings

        warnings.simplefilter("ignore", RuntimeWarning)  # a schedule that cuts every finished thought: no timing
        p50, p95 = np.nanpercentile(kf, 50, axis=0), np.nanpercentile(kf, 95, axis=0)
    return (pairs_s, pairs_b), cuts, np.nan_to_num(p50, nan=np.inf), np.nan_to_num(p95, nan=np.inf)


def choose_schedule(results, probs, rules, margin_ms: float, budget: float):
    """The soonest schedule (p50 + p95 / 4) among those that cut off at most `budget` of the items
    (or, if none does, the fewest)."""
    (pairs_s, pairs_b), cuts, p50, p95 = frontier(results, probs, rules, margin_ms)
    allowed = max(int(cuts.min()), int(budget * len(results)))
    for c in sorted({0, 1, 2, 3, 4, 6, 8, 10, 12, allowed}):  # the trade-off, for the record
        ok = np.where(cuts <= c, p50 + 0.25 * p95, np.inf)
        if np.isfinite(ok).any():
            i, j = np.unravel_index(np.argmin(ok), ok.shape)
            print(f"  at most {c} of {len(results)} cut: finished known p50 {p50[i, j]:.0f} p95 {p95[i, j]:.0f} ms "
                  f"(sound {pairs_s[i]}, both {pairs_b[j]})")
    score = np.where(cuts <= allowed, p50 + 0.25 * p95, np.inf)
    s, b = np.unravel_index(np.argmin(score), score.shape)
    return (int(cuts[s, b]), float(score[s, b])), {"sound": pairs_s[s], "both": pairs_b[b]}, float(p50[s, b]), float(p95[s, b])


def calibrate(results, margin_ms: float = 300.0, budget: float = 0.04, write: Path | None = None,
              trusted: tuple[str, ...] = ()) -> dict:
    rules = TurnEndRules()
    fitted, probs = {}, {}
    for stage in STAGES:
        w, b, oof = fit_stage(results, stage, trusted=trusted)
        fitted[stage] = (w, b)
        probs.update({(stage, k): v for k, v in oof.items()})
        print(f"{stage}: weights {dict(zip(STAGES[stage], np.round(w, 3)))} bias {b:.3f}")
    (cuts, score), schedule, p50, p95 = choose_schedule(results, probs, rules, margin_ms, budget)
    n_unf = sum(1 for it, _ in results if it.label == "unfinished")
    print(f"thresholds {schedule}: out-of-fold on {len(results)} calibration items "
          f"({n_unf} unfinished): cut {cuts} with a {margin_ms:.0f} ms margin, known p50 {p50:.0f} p95 {p95:.0f} ms")
    # the words alone (no sound model installed): their own thresholds, chosen the same way
    words_only = {("both", k): v for (stage, k), v in probs.items() if stage == "words"}
    print("words alone:")
    _, alone, _, _ = choose_schedule(results, words_only, rules, margin_ms, budget)
    schedule["words"] = alone["both"]
    models = {stage: dict(names=STAGES[stage], weights=tuple(round(float(v), 4) for v in fitted[stage][0]),
                          bias=round(fitted[stage][1], 4), first=schedule[stage][0], last=schedule[stage][1],
                          not_before_ms=schedule[stage][2])
              for stage in STAGES}
    if write is not None:
        write.write_text(render(models, len(results), n_unf, margin_ms, budget, trusted))
        print(f"written to {write}")
    return models, (max(0, cuts - int(budget * len(results))), score)


def calibrate_best(results, margin_ms: float = 300.0, budget: float = 0.04, write: Path | None = None) -> dict:
    """Both ways of reading Smart Turn — re-weighted on these voices, or trusted as the calibrated
    probability it was trained (on real speech) to give — and the one that does better on the
    calibration items (within the budget, then sooner) is kept."""
    print("Smart Turn re-weighted:")
    fitted, fitted_key = calibrate(results, margin_ms, budget)
    print("Smart Turn trusted (its own log-odds, weight 1):")
    trusting, trusting_key = calibrate(results, margin_ms, budget, trusted=("sound",))
    trusted = ("sound",) if trusting_key <= fitted_key else ()
    print("kept:", "trusted" if trusted else "re-weighted")
    return calibrate(results, margin_ms, budget, write=write, trusted=trusted)[0]


def render(models: dict, n: int, n_unf: int, margin_ms: float, budget: float, trusted: tuple[str, ...]) -> str:
    lines = [
        '"""The fitted turn-end models: GENERATED by `bench/turns.py --calibrate`, do not edit by hand.',
        "",
        f"Fitted on the bench's calibration items only ({n} items, {n_unf} of them unfinished thoughts;",
        "never the measured set). Thresholds chosen on out-of-fold probabilities: the soonest finished",
        f"thoughts among the schedules that cut off at most {budget:.0%} of the items, counting a cut-off",
        f"whenever a turn would have ended before its pause was {margin_ms:.0f} ms longer than it was.",
        *([f"Not fitted, read as their own calibrated log-odds (weight 1): {', '.join(trusted)} — this did",
           "better on the calibration items than re-weighting it on the bench's synthetic voices."] if trusted else []),
        '"""',
        "",
        "MODELS = {",
    ]
    for stage, spec in models.items():
        lines.append(f"    {stage!r}: dict(names={spec['names']!r}, weights={spec['weights']!r}, bias={spec['bias']!r},")
        lines.append(f"                first={spec['first']!r}, last={spec['last']!r}, not_before_ms={spec['not_before_ms']!r}),")
    lines.append("}")
    return "\n".join(lines) + "\n"
